"""Raising requests in tests."""

from sqlalchemy import func, select

from parley.notifications.models import CommunicationMessage
from parley.outbox.models import OutboxMessage
from parley.requests.models import CustomerRequest, RequestStatusChange
from tests.interactions.helpers import customer_ref

TT_API = "/tmf-api/troubleTicket/v5"
TICKETS = f"{TT_API}/troubleTicket"
TYPES = f"{TT_API}/troubleTicketSpecification"
REQUESTS = "/api/v1/requests"


def ticket_payload(customer: dict, **overrides) -> dict:
    payload = {
        "@type": "TroubleTicket",
        "description": "No signal on my mobile since this morning",
        "severity": "major",
        "ticketType": "request",
        "relatedParty": [customer_ref(customer)],
    }
    payload.update(overrides)
    return payload


def interaction_entity(interaction: dict) -> dict:
    return {
        "role": "interaction",
        "entity": {"id": interaction["id"], "@referredType": "PartyInteraction"},
    }


def characteristic(name: str, value: str) -> dict:
    return {"@type": "StringCharacteristic", "name": name, "value": value}


def raise_request(client, customer: dict, **overrides) -> dict:
    response = client.post(TICKETS, json=ticket_payload(customer, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


def patch(client, ticket: dict, body: dict, **headers):
    return client.patch(f"{TICKETS}/{ticket['id']}", json=body, headers=headers)


def type_id(client, code: str) -> str:
    response = client.get(TYPES, params={"code": code})
    assert response.status_code == 200, response.text
    return response.json()[0]["id"]


def counts(session) -> tuple[int, int, int, int]:
    """Rows of requests, status changes, messages and outbox messages (ends the read)."""
    found = tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (CustomerRequest, RequestStatusChange, CommunicationMessage, OutboxMessage)
    )
    session.rollback()
    return found


def messages_about(session, request_id: str) -> list[CommunicationMessage]:
    rows = [
        m
        for m in session.scalars(
            select(CommunicationMessage).order_by(CommunicationMessage.created_at)
        )
        if request_id in (m.document.get("description") or "")
    ]
    session.rollback()
    return rows


def reference(ticket: dict) -> str:
    """The request's reference as served (the requestReference characteristic)."""
    return next(
        c["value"] for c in ticket["troubleTicketCharacteristic"] if c["name"] == "requestReference"
    )
