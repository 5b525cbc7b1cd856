"""External references: parties another system masters, referred to by its ids.

A reference names another system's party where it carries a foreign href or an id that is
not of Parley's form; a UUID without one names a party of Parley's own, checked strictly.

A customer's engaged party that Parley does not hold is kept in the customer as sent (id,
href, name, @referredType). Behind it stands a placeholder party, made once per external id
and owner, named after the reference and carrying it as its ``externalReference``: the
customer can be found by that name, and the party replaces its placeholder (keeping its id)
when it is created in Parley with the same external identifier (docs/api.md, "External
references").
"""

from parley.db.base import is_parley_id

PLACEHOLDER_MARK = "externalReferenceOnly"  # the characteristic that marks a placeholder
KINDS = ("Individual", "Organization")
NAME_LENGTH, PART_LENGTH = 300, 140  # within Party.display_name, given_name and family_name


def is_external(ref: dict) -> bool:
    """Whether a party reference may name another system's party: it has a foreign href (the
    edge removed Parley's own), or an id not of Parley's form (a UUID). A UUID without a
    foreign href names one of Parley's parties, which must exist."""
    return bool(ref.get("href")) or not is_parley_id(str(ref.get("id") or ""))


def external_owner(ref: dict) -> str:
    """Who masters the party: its href up to its id (``https://crm.example/.../party``), or
    nothing when the reference came without an href."""
    href, ref_id = ref.get("href") or "", ref.get("id") or ""
    return href[: -len(ref_id) - 1] if ref_id and href.endswith("/" + ref_id) else href


def placeholder_document(ref: dict, owner: str) -> tuple[str, dict]:
    """The kind and TMF632 document of the placeholder for ``ref``. A reference that names no
    kind of party (another system's Customer, a Party) gets an Organization, which the party
    it stands for replaces whatever its kind (``adoptable``)."""
    referred = ref.get("@referredType")
    referred = referred.strip() if isinstance(referred, str) and referred.strip() else "Party"
    kind = referred if referred in KINDS else "Organization"
    name = (ref.get("name") or "").strip() if isinstance(ref.get("name"), str) else ""
    name = name or f"{referred} {ref['id']}"
    external = {
        "@type": "ExternalIdentifier",
        "id": ref["id"],
        "externalIdentifierType": referred[:100],
    }
    if owner:
        external["owner"] = owner
    mark = {"@type": "BooleanCharacteristic", "name": PLACEHOLDER_MARK, "value": True}
    document = {"@type": kind, "externalReference": [external], "partyCharacteristic": [mark]}
    # The placeholder's names are Parley's, for finding it: cut to fit (the reference stays
    # as sent), as a person with one word (or only an id) gets it as family name.
    if kind == "Organization":
        return kind, {**document, "name": name[:NAME_LENGTH]}
    given, _, family = name.rpartition(" ")
    given, family = given[:PART_LENGTH].strip(), family[:PART_LENGTH]
    return kind, {**document, "givenName": given or "(external)", "familyName": family}


def adoptable(document: dict) -> bool:
    """Whether a placeholder stands for a reference that said no kind of party, so that the
    party it names may be of either kind."""
    return not any(
        ref.get("externalIdentifierType") in KINDS
        for ref in document.get("externalReference") or []
    )


def is_placeholder(document: dict) -> bool:
    return any(
        c.get("name") == PLACEHOLDER_MARK and c.get("value") is True
        for c in document.get("partyCharacteristic") or []
    )
