"""A request's characteristics (TMF621 ``troubleTicketCharacteristic``): name and value pairs
in its document, some of them the server's own (outcome, resolution code, the correlation id of
a hand-off)."""


def set_characteristic(document: dict, name: str, value) -> None:
    """``name`` set to ``value`` in ``document`` (None: removed)."""
    kept = [c for c in document.get("troubleTicketCharacteristic") or [] if c.get("name") != name]
    if value is not None:
        kept.append({"@type": "StringCharacteristic", "name": name, "value": value})
    document["troubleTicketCharacteristic"] = kept


def keep_characteristics(before: dict, document: dict, names: tuple[str, ...]) -> None:
    """The characteristics ``names`` of ``document`` as they were ``before`` (a client's change
    of them is dropped)."""

    def server_values(doc: dict) -> dict:
        given = doc.get("troubleTicketCharacteristic")
        found = given if isinstance(given, list) else []
        return {c.get("name"): c.get("value") for c in found if c.get("name") in names}

    was, now = server_values(before), server_values(document)
    if was == now:
        return
    for name in names:
        set_characteristic(document, name, was.get(name))
