"""TMF622 Product Ordering as Parley speaks it to the ordering system: the ``ProductOrder`` an
add-on selection hands over (a ``ProductOrder_FVO``, the body of the ordering system's create),
and what Parley reads of the events the ordering system sends back to its listener
(``ProductOrderStateChangeEvent``, ``ProductOrderAttributeValueChangeEvent``). The billing
system's acknowledgements are Parley's own small JSON (``read_billing_callback``).

Correlation: the order's ``externalId`` carries the hand-off's id (owner ``Parley``, type
``correlationId``) and the request's; an event names the order by that id (its envelope's
``correlationId``, or the order's ``externalId``), or by the order's own ``id`` once Parley
has heard it.
"""

import hashlib
from dataclasses import dataclass

from parley.errors import InvalidInput
from parley.requests.handoffs.models import BILLING, COMPLETED, ORDER, UNFULFILLED

OWNER = "Parley"
CORRELATION = "correlationId"
# The order states that end a hand-off, and the one an agent must look at: a partial order
# is neither done nor failed (some items were delivered, some not).
ORDER_COMPLETED = frozenset({"completed"})
ORDER_UNFULFILLED = frozenset({"rejected", "failed", "cancelled"})
ATTENTION = "attention"
ORDER_ATTENTION = frozenset({"partial"})
BILLING_STATES = ("acknowledged", "inProgress", "completed", "rejected", "failed")
BILLING_UNFULFILLED = frozenset({"rejected", "failed"})
MAX_KEY = 200


def add_on_order(request, item: dict, correlation_id: str, reference: str) -> dict:
    """The ProductOrder adding the offering of ``item`` for the request's customer."""
    name = item["productOffering"]["name"]
    return {
        "@type": "ProductOrder",
        "category": "addOnSelection",
        "description": f"Add-on {name}, selected on request {reference}",
        "requestedInitialState": "acknowledged",
        "externalId": [
            {
                "@type": "ExternalIdentifier",
                "id": correlation_id,
                "owner": OWNER,
                "externalIdentifierType": CORRELATION,
            },
            {
                "@type": "ExternalIdentifier",
                "id": request.id,
                "owner": OWNER,
                "externalIdentifierType": "TroubleTicket",
            },
        ],
        "relatedParty": [
            {
                "@type": "RelatedPartyRefOrPartyRoleRef",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": request.customer_id,
                    "@referredType": "Customer",
                },
            }
        ],
        "productOrderItem": [item],
    }


@dataclass(frozen=True)
class Report:
    """What the ordering or billing system said about a hand-off, read from what it sent,
    with the bytes as received."""

    kind: str  # ORDER or BILLING
    event_type: str
    event_key: str  # the same for a repeat of the same event
    state: str | None
    correlation_id: str | None
    external_id: str | None  # the order's id in the ordering system (or billing's reference)
    reason: str | None
    body: bytes
    content_type: str


def outcome_of(kind: str, state: str | None) -> str | None:
    """COMPLETED, UNFULFILLED or ATTENTION when ``state`` settles the hand-off; else None."""
    if state is None:
        return None
    if state in ORDER_COMPLETED:
        return COMPLETED
    unfulfilled = ORDER_UNFULFILLED if kind == ORDER else BILLING_UNFULFILLED
    if state in unfulfilled:
        return UNFULFILLED
    if kind == ORDER and state in ORDER_ATTENTION:
        return ATTENTION
    return None


def read_order_event(event: dict, event_type: str, body: bytes, content_type: str) -> Report:
    """The report in a TMF622 product order event (checked against the spec by the edge)."""
    order = (event.get("event") or {}).get("productOrder")
    if not isinstance(order, dict):
        raise InvalidInput("event.productOrder: the order the event is about", "event")
    correlation = _text(event.get("correlationId"))
    for identifier in order.get("externalId") or []:
        if (identifier.get("owner") or "").lower() == OWNER.lower() and (
            identifier.get("externalIdentifierType") in (None, CORRELATION)
        ):
            correlation = correlation or _text(identifier.get("id"))
    order_id = _text(order.get("id"))
    if correlation is None and order_id is None:
        raise InvalidInput(
            "event.productOrder: name the order by its id, or by the correlation id Parley "
            "gave it (externalId, owner Parley)",
            "event",
        )
    return Report(
        kind=ORDER,
        event_type=event_type,
        event_key=_key(ORDER, event.get("eventId") or event.get("id"), body),
        state=_text(order.get("state")),
        correlation_id=correlation,
        external_id=order_id,
        reason=_order_reason(order) or _text(event.get("description")),
        body=body,
        content_type=content_type,
    )


def read_billing_callback(document: dict, body: bytes, content_type: str) -> Report:
    """The billing system's acknowledgement: ``{"correlationId", "state", "reason"?,
    "eventId"?, "billingReference"?}``, ``state`` one of BILLING_STATES."""
    correlation = _text(document.get("correlationId"))
    if correlation is None:
        raise InvalidInput(
            "correlationId: the correlation id of the adjustment (its payload's)", "correlationId"
        )
    state = document.get("state")
    if state not in BILLING_STATES:
        raise InvalidInput(f"state: one of {', '.join(BILLING_STATES)}", "state")
    for name in ("reason", "eventId", "billingReference"):
        if document.get(name) is not None and not isinstance(document.get(name), str):
            raise InvalidInput(f"{name}: a string", name)
    return Report(
        kind=BILLING,
        event_type="billingAcknowledgement",
        event_key=_key(BILLING, document.get("eventId"), body),
        state=state,
        correlation_id=correlation,
        external_id=_text(document.get("billingReference")),
        reason=_text(document.get("reason")),
        body=body,
        content_type=content_type,
    )


def _order_reason(order: dict) -> str | None:
    """Why the order ended as it did, in the ordering system's words."""
    for error in order.get("productOrderErrorMessage") or []:
        said = _text(error.get("message")) or _text(error.get("reason"))
        if said:
            return said
    return _text(order.get("cancellationReason"))


def _key(kind: str, event_id, body: bytes) -> str:
    """The event's own id when it has one, else the body's digest: a repeat has the same."""
    if isinstance(event_id, str) and event_id.strip():
        key = f"{kind}:event:{event_id.strip()}"
        if len(key) <= MAX_KEY:
            return key
        return f"{kind}:event-sha256:{hashlib.sha256(event_id.encode()).hexdigest()}"
    return f"{kind}:body-sha256:{hashlib.sha256(body).hexdigest()}"


def _text(value) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None
