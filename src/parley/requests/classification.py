"""Handle Request: which type a request is, from what arrives with it.

The rules are data, kept with each request type (``classification``: reason codes, channels,
keywords). They are tried in this order, and the first tier that recognises a type decides:

1. an explicit type: ``troubleTicketSpecification.id``, or ``ticketType`` naming a type's code
   or name;
2. the reason code of the interaction the request is opened in;
3. keywords in the ticketType, name and description (the type with the most keywords found
   wins);
4. the channel it arrives on.

Within a tier, ties go to the type whose code sorts first, so the answer never depends on the
order rows come back in. A request nothing recognises gets the configured default type
(``PARLEY_REQUEST_DEFAULT_TYPE``) or, without one, is refused (400) naming the known types.
"""

from dataclasses import dataclass

from parley.errors import InvalidInput
from parley.requests.models import RequestType


@dataclass(frozen=True)
class Arrival:
    """What a request arrives with that classification can read."""

    type_id: str | None
    ticket_type: str | None
    reason_code: str | None
    channel: str | None
    text: str


@dataclass(frozen=True)
class Classified:
    request_type: RequestType
    rule: str  # explicit, reasonCode, keyword, channel or default: recorded with the request


def classify(arrival: Arrival, types: list[RequestType], default_code: str | None) -> Classified:
    types = sorted(types, key=lambda t: t.code)
    by_code = {t.code: t for t in types}
    if arrival.type_id is not None:
        found = next((t for t in types if t.id == arrival.type_id), None)
        if found is None:
            raise InvalidInput(
                f"troubleTicketSpecification: no active request type with id {arrival.type_id}",
                "troubleTicketSpecification",
            )
        return Classified(found, "explicit")
    named = _named(arrival.ticket_type, types)
    if named is not None:
        return Classified(named, "explicit")
    if arrival.reason_code:
        for request_type in types:
            if arrival.reason_code in _rule(request_type, "reasonCode"):
                return Classified(request_type, "reasonCode")
    text = arrival.text.lower()
    hits = [(sum(k.lower() in text for k in _rule(t, "keyword")), t) for t in types]
    best = max((count for count, _ in hits), default=0)
    if best > 0:
        return Classified(next(t for count, t in hits if count == best), "keyword")
    if arrival.channel:
        channel = arrival.channel.lower()
        for request_type in types:
            if channel in (c.lower() for c in _rule(request_type, "channel")):
                return Classified(request_type, "channel")
    if default_code and default_code in by_code:
        return Classified(by_code[default_code], "default")
    raise InvalidInput(
        "ticketType: the request could not be classified; name its type (ticketType or "
        f"troubleTicketSpecification): one of {', '.join(by_code) or 'none defined'}",
        "ticketType",
    )


def _named(ticket_type: str | None, types: list[RequestType]) -> RequestType | None:
    """The type a ``ticketType`` names by its code or its name (any case). Any other text is
    the client's own word: kept as sent, read with the keywords."""
    wanted = (ticket_type or "").strip().lower() if isinstance(ticket_type, str) else ""
    for request_type in types:
        if wanted and wanted in (request_type.code.lower(), request_type.name.lower()):
            return request_type
    return None


def _rule(request_type: RequestType, key: str) -> list[str]:
    return (request_type.document.get("classification") or {}).get(key) or []
