"""What a customer's own log-in may raise: requests of the self-service types, for itself
only; and its own cancelling is logged as its interaction. The type's ``selfService`` flag is
the administrators' (TMF621 troubleTicketSpecification)."""

import pytest
from sqlalchemy import select

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.errors import InvalidInput
from parley.interactions.models import Interaction
from parley.requests.service import RequestService
from tests.factories import create_person_customer
from tests.requests.helpers import TICKETS, ticket_payload, type_id

TYPES = "/tmf-api/troubleTicket/v5/troubleTicketSpecification"


@pytest.fixture
def nora(client) -> dict:
    return create_person_customer(client, "Nora", "Keller", city="Kiel")


def _as_customer(session, settings, customer: dict) -> RequestService:
    actor = Actor("nora", "web", "u-1", customer_id=customer["id"], self_service=True)
    return RequestService(UnitOfWork(session, settings, actor))


def test_a_customer_raises_a_self_service_type_and_cancels_it_logged(nora, session, settings):
    service = _as_customer(session, settings, nora)

    row = service.create(ticket_payload(nora, ticketType="fault.repair"))
    service.cancel(row.id, "fixed itself")

    logged = session.scalars(
        select(Interaction.description).where(
            Interaction.customer_id == nora["id"], Interaction.channel == "web"
        )
    ).all()
    assert any(text.startswith("Cancelled request") for text in logged)


def test_a_type_that_is_not_self_service_is_refused(nora, session, settings):
    service = _as_customer(session, settings, nora)

    with pytest.raises(InvalidInput, match="raised by an agent"):
        service.create(ticket_payload(nora, ticketType="request.status"))


def test_a_request_for_another_customer_is_refused(nora, client, session, settings):
    other = create_person_customer(client, "Otto", "Brandt", city="Kiel")
    service = _as_customer(session, settings, nora)

    with pytest.raises(InvalidInput, match="relatedParty"):
        service.create(ticket_payload(other, ticketType="fault.repair"))


def test_administrators_mark_a_type_self_service(client, nora, session, settings):
    found = type_id(client, "request.status")
    changed = client.patch(f"{TYPES}/{found}", json={"selfService": True})
    assert changed.status_code == 200, changed.text
    assert changed.json()["selfService"] is True

    row = _as_customer(session, settings, nora).create(
        ticket_payload(nora, ticketType="request.status")
    )

    assert row.status in ("acknowledged", "closed")


def test_the_seeded_self_service_types(client):
    listed = client.get(TYPES, params={"limit": 50}).json()

    marked = sorted(t["code"] for t in listed if t.get("selfService"))
    assert marked == [
        "addon.selection",
        "bill.dispute",
        "callback",
        "contact.change",
        "fault.repair",
    ]


def test_a_customer_raises_its_own_fault_through_tmf621(client, nora, customer_login):
    me = customer_login(nora)
    other = create_person_customer(client, "Otto", "Brandt", city="Kiel")

    raised = client.post(
        TICKETS,
        json=ticket_payload(nora, ticketType="fault.repair", channel={"id": "app"}),
        headers=me,
    )
    for refused in (
        ticket_payload(nora, ticketType="request.status"),
        ticket_payload(other, ticketType="fault.repair"),
    ):
        assert client.post(TICKETS, json=refused, headers=me).status_code == 400

    assert raised.status_code == 201, raised.text
    timeline = client.get(f"/api/v1/customers/{nora['id']}/interactions").json()["items"]
    assert [e["channel"] for e in timeline if e["direction"] == "inbound"] == ["app"]
