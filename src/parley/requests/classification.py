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

A request for no customer (an internal or network ticket) is recognised among the types that
need none (``customerRequired`` false) and otherwise gets ``PARLEY_REQUEST_INTERNAL_TYPE``; one
that names a type needing a customer explicitly is refused (400).
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
    has_customer: bool = True


@dataclass(frozen=True)
class Classified:
    request_type: RequestType
    rule: str  # explicit, reasonCode, keyword, channel or default: recorded with the request


def classify(arrival: Arrival, types: list[RequestType], default_code: str | None) -> Classified:
    """``types``: the active ones; ``default_code``: the type of what nothing recognises."""
    types = sorted(types, key=lambda t: t.code)
    explicit = _explicit(arrival, types)
    if explicit is not None:
        if not arrival.has_customer and explicit.customer_required:
            raise InvalidInput(
                f"relatedParty: a {explicit.code} request is for a customer: name the customer "
                "(partyOrPartyRole with @referredType Customer), or a type that needs none",
                "relatedParty",
            )
        return Classified(explicit, "explicit")
    if not arrival.has_customer:
        types = [t for t in types if not t.customer_required]
    by_code = {t.code: t for t in types}
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
    without = "" if arrival.has_customer else " among the types for tickets without a customer"
    known = ", ".join(by_code) or "none defined"
    raise InvalidInput(
        f"ticketType: the request could not be classified{without}; name its type "
        f"(ticketType or troubleTicketSpecification): one of {known}",
        "ticketType",
    )


def _explicit(arrival: Arrival, types: list[RequestType]) -> RequestType | None:
    """The type the request names: by ``troubleTicketSpecification.id`` (which must be an
    active type's), or by its code or name in ``ticketType``."""
    if arrival.type_id is not None:
        found = next((t for t in types if t.id == arrival.type_id), None)
        if found is None:
            raise InvalidInput(
                f"troubleTicketSpecification: no active request type with id {arrival.type_id}",
                "troubleTicketSpecification",
            )
        return found
    return _named(arrival.ticket_type, types)


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
