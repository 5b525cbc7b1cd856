"""Hand-offs in tests: an add-on selected through TMF621, the ordering system's events and the
billing system's acknowledgements as those systems would post them, signed or with a token."""

import json
import uuid

from sqlalchemy import func, select

from parley.outbox.models import OutboxMessage
from parley.outbox.webhook import signature
from parley.requests.handoffs.models import Acknowledgement, Handoff
from tests.offers.helpers import create_offering
from tests.requests.helpers import TICKETS, characteristic, ticket_payload

ORDERING_SECRET = "ordering-secret-0123456789abcdef-0123456789abcdef"
BILLING_SECRET = "billing-secret-0123456789abcdef-0123456789abcdef"
SECRETS = {"ordering_secret": ORDERING_SECRET, "billing_secret": BILLING_SECRET}
LISTENER = "/tmf-api/productOrderingManagement/v5/listener"
STATE_CHANGE = f"{LISTENER}/productOrderStateChangeEvent"
VALUE_CHANGE = f"{LISTENER}/productOrderAttributeValueChangeEvent"
BILLING_ACKS = "/api/v1/billing/acknowledgements"
STATUS = "/api/v1/requests/{}/status"


def select_add_on(client, customer: dict, offering: dict | None = None, headers=None) -> dict:
    """An add-on selection of ``offering`` (a new one if None) raised for ``customer``."""
    offering = offering or create_offering(client, f"Extra {uuid.uuid4().hex[:6]}")
    payload = ticket_payload(
        customer,
        ticketType="addon.selection",
        troubleTicketCharacteristic=[characteristic("productOffering", offering["id"])],
    )
    response = client.post(TICKETS, json=payload, headers=headers or {})
    assert response.status_code == 201, response.text
    return response.json()


def characteristics(ticket: dict) -> dict:
    return {c["name"]: c["value"] for c in ticket.get("troubleTicketCharacteristic") or []}


def correlation_of(ticket: dict) -> str:
    return characteristics(ticket)["correlationId"]


def state_change(
    correlation_id: str | None,
    state: str,
    order_id: str | None = "PO-1001",
    event_id: str | None = None,
    reason: str | None = None,
    event_type: str = "ProductOrderStateChangeEvent",
) -> dict:
    """A TMF622 v5 event as an ordering system posts it to Parley's listener."""
    order: dict = {"@type": "ProductOrder", "state": state}
    if order_id is not None:
        order["id"] = order_id
    if correlation_id is not None:
        order["externalId"] = [
            {
                "@type": "ExternalIdentifier",
                "id": correlation_id,
                "owner": "Parley",
                "externalIdentifierType": "correlationId",
            }
        ]
    if reason is not None:
        order["productOrderErrorMessage"] = [
            {
                "@type": "ProductOrderErrorMessage",
                "code": "E42",
                "reason": "refused",
                "message": reason,
            }
        ]
    return {
        "@type": event_type,
        "eventId": event_id or uuid.uuid4().hex,
        "eventType": event_type,
        "eventTime": "2027-03-01T10:00:00Z",
        "event": {"productOrder": order},
    }


def body_and_signature(document: dict, secret: str) -> tuple[bytes, dict]:
    body = json.dumps(document).encode()
    headers = {"Content-Type": "application/json", "X-Parley-Signature": signature(secret, body)}
    return body, headers


def post_signed(anonymous_client, url: str, document: dict, secret: str = ORDERING_SECRET):
    """Posted as the other system would: signed, with no token."""
    body, headers = body_and_signature(document, secret)
    return anonymous_client.post(url, content=body, headers=headers)


def status_of(client, ticket: dict) -> dict:
    response = client.get(STATUS.format(ticket["id"]))
    assert response.status_code == 200, response.text
    return response.json()


def ticket(client, ticket: dict) -> dict:
    response = client.get(f"{TICKETS}/{ticket['id']}")
    assert response.status_code == 200, response.text
    return response.json()


def _read(session, query) -> list:
    """Rows as the database has them now, detached, with the read ended (a read left open
    would hold the app's later writes inside it, and SQLite's lock)."""
    session.expire_all()
    rows = list(session.scalars(query))
    for row in rows:
        session.expunge(row)
    session.rollback()
    return rows


def handoff_of(session, request_id: str) -> Handoff:
    (found,) = _read(session, select(Handoff).where(Handoff.request_id == request_id))
    return found


def acknowledgements(session) -> list[Acknowledgement]:
    return _read(session, select(Acknowledgement).order_by(Acknowledgement.received_at))


def orders(session) -> list[OutboxMessage]:
    return _read(session, select(OutboxMessage).where(OutboxMessage.kind == "order"))


def count(session, model) -> int:
    found = session.scalar(select(func.count()).select_from(model))
    session.rollback()
    return found
