"""Tickets for no customer (an internal or network ticket, as an OSS sends them): accepted where
the type allows it (``customerRequired`` false, the seeded ``internal``), classified among such
types, worked through their workflow, and never shown to, logged for or sent to a customer."""

import copy

import pytest
from sqlalchemy import func, select

from parley.interactions.models import Interaction, InteractionReference
from parley.requests.defaults import DEFAULT_REQUEST_TYPES
from parley.requests.models import CustomerRequest, SatisfactionSurvey
from tests.factories import assert_tmf_error, create_customer
from tests.interactions.helpers import log_interaction
from tests.requests.helpers import (
    REQUESTS,
    TICKETS,
    TYPES,
    counts,
    interaction_entity,
    messages_about,
    patch,
    raise_request,
    type_id,
)
from tests.requests.sla.helpers import watch
from tests.requests.task_helpers import open_task, work


def _internal(**overrides) -> dict:
    """A ticket as an OSS sends it: no relatedParty at all."""
    payload = {
        "description": "Cell 4711 lost its backhaul",
        "severity": "High",
        "ticketType": "device",
    }
    payload.update(overrides)
    return payload


def _raise(client, **overrides) -> dict:
    response = client.post(TICKETS, json=_internal(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def _interactions(session) -> int:
    found = session.scalar(select(func.count()).select_from(Interaction))
    session.rollback()
    return found


def _customerless_type(client, code: str, keywords: list[str], **overrides) -> dict:
    document = copy.deepcopy(DEFAULT_REQUEST_TYPES[3])  # fault.repair: a workflow type
    document.update(code=code, name=code.title(), customerRequired=False, selfService=False)
    document["classification"] = {"reasonCode": [], "channel": [], "keyword": keywords}
    document.update(overrides)
    created = client.post(TYPES, json=document)
    assert created.status_code == 201, created.text
    return created.json()


def test_a_ticket_naming_no_customer_is_taken_as_an_internal_one(client, session):
    before = _interactions(session)

    ticket = _raise(client)

    assert ticket["ticketType"] == "device"  # the client's word, as sent
    assert ticket["troubleTicketSpecification"]["id"] == type_id(client, "internal")
    assert ticket["statusChangeHistory"][0]["statusChangeReason"] == (
        "received; classified as internal by default"
    )
    assert "relatedParty" not in ticket and "relatedEntity" not in ticket
    assert _interactions(session) == before  # no contact with anyone was logged
    assert open_task(client, ticket)["queue"]["code"] == "technical"
    assert client.get(f"{TICKETS}/{ticket['id']}").json()["description"] == ticket["description"]
    listed = client.get(TICKETS, params={"ticketType": "device"}).json()
    assert [t["id"] for t in listed] == [ticket["id"]]
    row = session.get(CustomerRequest, ticket["id"])
    assert (row.customer_id, row.party_id, row.interaction_id) == (None, None, None)
    session.rollback()


@pytest.mark.parametrize(
    "names_its_type",
    [{"ticketType": "fault.repair"}, {"ticketType": "Bill dispute"}, "specification"],
)
def test_a_type_that_needs_a_customer_named_without_one_is_refused(client, session, names_its_type):
    if names_its_type == "specification":
        names_its_type = {"troubleTicketSpecification": {"id": type_id(client, "fault.repair")}}
    before = counts(session)

    refused = client.post(TICKETS, json=_internal(**names_its_type))

    assert_tmf_error(refused, 400, "relatedParty")
    assert "is for a customer" in refused.json()["message"]
    assert counts(session) == before


def test_without_an_internal_type_an_unrecognised_ticket_is_refused(client, settings):
    settings.request_internal_type = None

    refused = client.post(TICKETS, json=_internal())

    assert_tmf_error(refused, 400, "ticketType")
    message = refused.json()["message"]
    assert "among the types for tickets without a customer" in message
    assert message.endswith("one of internal")


def test_keywords_choose_among_the_types_that_need_no_customer(client):
    outage = _customerless_type(client, "cell.outage", ["cell down", "outage"])
    customer = create_customer(client)

    internal = _raise(client, description="Cell down near Kiel harbour")
    # fault.repair's keywords ("no signal") do not count without a customer: it needs one.
    other = _raise(client, description="No signal reported by the probes")
    with_customer = raise_request(client, customer, description="No signal, an outage")

    assert internal["troubleTicketSpecification"]["id"] == outage["id"]
    assert other["troubleTicketSpecification"]["id"] == type_id(client, "internal")
    assert with_customer["troubleTicketSpecification"]["id"] == type_id(client, "fault.repair")


def test_the_types_say_whether_they_need_a_customer(client):
    served = {t["code"]: t["customerRequired"] for t in client.get(TYPES).json()}

    assert served.pop("internal") is False
    assert set(served.values()) == {True}


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"fulfilmentMode": "automatic"}, "only a workflow type"),
        ({"selfService": True}, "raised by the customer"),
    ],
)
def test_only_a_workflow_type_raised_by_staff_may_need_no_customer(client, change, said):
    document = copy.deepcopy(DEFAULT_REQUEST_TYPES[3])
    document.update(code="x.y", name="X", customerRequired=False, **change)
    if change.get("fulfilmentMode") == "automatic":
        document.pop("workflow")  # only a workflow type names one

    refused = client.post(TYPES, json=document)

    assert_tmf_error(refused, 400, "customerRequired")
    assert said in refused.json()["message"]
    wrong = client.patch(f"{TYPES}/{type_id(client, 'fault.repair')}", json={"customerRequired": 1})
    assert_tmf_error(wrong, 400, "customerRequired")


def test_an_administrator_lets_a_workflow_type_take_tickets_without_a_customer(client):
    repair = type_id(client, "fault.repair")
    # A self-service type is raised by customers: it stops being one first.
    changed = client.patch(
        f"{TYPES}/{repair}", json={"customerRequired": False, "selfService": False}
    )
    assert changed.status_code == 200, changed.text

    ticket = _raise(client, ticketType="fault.repair")

    assert ticket["troubleTicketSpecification"]["id"] == repair


def test_customers_neither_see_nor_raise_tickets_for_no_customer(client, customer_login):
    customer = create_customer(client)
    ticket = _raise(client)
    own = raise_request(client, customer, ticketType="fault.repair")
    headers = customer_login(customer)

    listed = client.get(TICKETS, headers=headers).json()
    assert [t["id"] for t in listed] == [own["id"]]
    assert_tmf_error(client.get(f"{TICKETS}/{ticket['id']}", headers=headers), 404)
    assert_tmf_error(client.get(f"{REQUESTS}/{ticket['id']}/status", headers=headers), 404)
    refused = client.post(TICKETS, json=_internal(ticketType="fault.repair"), headers=headers)
    assert_tmf_error(refused, 400, "relatedParty")


def test_an_internal_ticket_closes_through_its_workflow_telling_no_one(client, session, as_user):
    ticket = _raise(client)

    work(client, open_task(client, ticket), as_user("agent.kim"))

    done = client.get(f"{TICKETS}/{ticket['id']}").json()
    assert done["status"] == "closed"
    assert {"name": "resolutionCode", "value": "handled"}.items() <= {
        c["name"]: c for c in done["troubleTicketCharacteristic"]
    }["resolutionCode"].items()
    about = session.scalars(
        select(InteractionReference).where(InteractionReference.entity_id == ticket["id"])
    ).all()
    surveys = session.scalars(
        select(SatisfactionSurvey).where(SatisfactionSurvey.request_id == ticket["id"])
    ).all()
    session.rollback()
    assert about == [] and surveys == []  # no closing contact, no survey
    assert messages_about(session, ticket["id"]) == []


def test_a_ticket_for_no_customer_keeps_having_none(client):
    ticket = _raise(client)
    customer = create_customer(client)
    party = {"partyOrPartyRole": {"id": customer["id"], "@referredType": "Customer"}}

    moved = patch(client, ticket, {"status": "held", "statusChangeReason": "waiting for a part"})
    refused = patch(client, ticket, {"relatedParty": [{"role": "customer", **party}]})

    assert moved.status_code == 200, moved.text
    assert_tmf_error(refused, 400, "relatedParty")


def test_an_internal_ticket_may_be_opened_within_an_interaction_of_no_customer(client):
    anonymous = log_interaction(client, status="inProgress")
    customers = log_interaction(client, create_customer(client), status="inProgress")

    ticket = _raise(client, relatedEntity=[interaction_entity(anonymous)])
    refused = client.post(TICKETS, json=_internal(relatedEntity=[interaction_entity(customers)]))

    assert [r["entity"]["id"] for r in ticket["relatedEntity"]] == [anonymous["id"]]
    assert_tmf_error(refused, 400, "relatedEntity")
    assert "concerns a customer" in refused.json()["message"]


def test_the_sla_watch_breaches_a_ticket_for_no_customer_without_a_notice(
    client, session, settings, clock
):
    _customerless_type(client, "cell.outage", ["cell down"])  # notifies on every milestone
    ticket = _raise(client, description="Cell down", priority="low")
    clock.advance(hours=73)

    assert watch(session, settings).breaches == 1

    assert messages_about(session, ticket["id"]) == []
    notes = session.get(CustomerRequest, ticket["id"]).document["note"]  # tokens ran out
    session.rollback()
    assert "sla-breach-1" in [n["id"] for n in notes]
