"""Handle Request: a request is taken for a customer within an interaction (linked both ways),
classified by rules that are data, given its SLA date, and refused cleanly when it is bad."""

from datetime import datetime, timedelta

import pytest

from tests.factories import assert_tmf_error, create_customer
from tests.interactions.helpers import API as INTERACTION_API
from tests.interactions.helpers import log_interaction
from tests.offers.helpers import create_offering
from tests.requests.helpers import (
    TICKETS,
    characteristic,
    counts,
    interaction_entity,
    raise_request,
    ticket_payload,
    type_id,
)

pytestmark = pytest.mark.usefixtures("without_workflows")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_request_is_acknowledged_typed_and_promised_by_its_sla(client):
    customer = create_customer(client)

    ticket = raise_request(client, customer, ticketType="fault.repair", priority="High")

    assert ticket["status"] == "acknowledged"
    assert ticket["ticketType"] == "fault.repair"
    assert ticket["priority"] == "high"
    assert ticket["troubleTicketSpecification"]["id"] == type_id(client, "fault.repair")
    promised = _moment(ticket["expectedResolutionDate"]) - _moment(ticket["creationDate"])
    assert promised == timedelta(hours=8)  # fault repair, high priority
    [entry] = ticket["statusChangeHistory"]
    assert entry["status"] == "acknowledged"
    assert entry["changedBy"].startswith("test-administrator")
    assert "explicit" in entry["statusChangeReason"]
    assert client.get(f"{TICKETS}/{ticket['id']}").json()["id"] == ticket["id"]


def test_without_an_interaction_one_is_logged_and_both_refer_to_each_other(client):
    customer = create_customer(client)

    ticket = raise_request(client, customer, ticketType="fault.repair")

    [link] = [r for r in ticket["relatedEntity"] if r["role"] == "interaction"]
    interaction = client.get(f"{INTERACTION_API}/partyInteraction/{link['entity']['id']}").json()
    assert interaction["status"] == "completed"
    assert interaction["reason"] == "fault.report"
    [item] = interaction["interactionItem"]
    assert item["item"]["entity"]["id"] == ticket["id"]
    assert item["item"]["entity"]["@referredType"] == "TroubleTicket"
    timeline = client.get(
        f"/api/v1/customers/{customer['id']}/interactions", params={"relatedEntity": ticket["id"]}
    ).json()
    assert [entry["id"] for entry in timeline["items"]] == [interaction["id"]]


def test_within_an_open_interaction_the_interaction_gets_the_request_as_an_item(client):
    customer = create_customer(client)
    call = log_interaction(client, customer, reason="billing.dispute")

    ticket = raise_request(
        client,
        customer,
        relatedEntity=[interaction_entity(call)],
        troubleTicketCharacteristic=[characteristic("billNumber", "B-2026-11")],
    )

    # by the interaction's reason code
    assert ticket["troubleTicketSpecification"]["id"] == type_id(client, "bill.dispute")
    assert "reasonCode" in ticket["statusChangeHistory"][0]["statusChangeReason"]
    refs = [r["entity"]["id"] for r in ticket["relatedEntity"]]
    assert refs == [call["id"]]
    again = client.get(f"{INTERACTION_API}/partyInteraction/{call['id']}").json()
    assert [i["item"]["entity"]["id"] for i in again["interactionItem"]] == [ticket["id"]]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"description": "I want the new roaming BUNDLE please"}, "addon.selection"),
        ({"description": "There is an outage, internet not working"}, "fault.repair"),
        ({"description": "Please do something", "channel": {"id": "ussd"}}, "addon.selection"),
    ],
)
def test_keywords_then_the_channel_classify_a_request(client, overrides, expected):
    customer = create_customer(client)
    offering = create_offering(client)["id"]  # an add-on selection names one of the catalogue
    extra = {"troubleTicketCharacteristic": [characteristic("productOffering", offering)]}

    ticket = raise_request(client, customer, **extra, **overrides)

    assert ticket["ticketType"] == "request"  # as sent
    assert ticket["troubleTicketSpecification"]["id"] == type_id(client, expected)


def test_an_unclassifiable_request_is_refused_unless_a_default_type_is_set(client, settings):
    customer = create_customer(client)
    vague = ticket_payload(customer, description="Hello there")

    refused = client.post(TICKETS, json=vague)

    assert_tmf_error(refused, 400)
    assert "could not be classified" in refused.json()["message"]
    settings.request_default_type = "request.status"
    defaulted = client.post(TICKETS, json=vague).json()
    assert defaulted["troubleTicketSpecification"]["id"] == type_id(client, "request.status")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"ticketType": "bill.dispute"}, "billNumber"),  # a required characteristic
        ({"priority": "urgent"}, "priority"),
        ({"status": "closed"}, "status"),
        ({"relatedParty": [], "ticketType": "fault.repair"}, "relatedParty"),
        ({"troubleTicketSpecification": {"id": "nope"}}, "troubleTicketSpecification"),
        ({"relatedEntity": [interaction_entity({"id": "nope"})]}, "relatedEntity"),
        ({"severity": None}, "severity"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(client, session, change, named):
    customer = create_customer(client)
    before = counts(session)
    payload = {k: v for k, v in {**ticket_payload(customer), **change}.items() if v is not None}

    response = client.post(TICKETS, json=payload)

    assert_tmf_error(response, 400)
    assert named in response.json()["message"]
    assert counts(session) == before


def test_a_request_for_an_unknown_customer_or_in_a_completed_interaction_is_refused(client):
    customer = create_customer(client)
    done = log_interaction(
        client,
        customer,
        status="completed",
    )
    ghost = {"id": "00000000-0000-0000-0000-000000000000"}

    assert_tmf_error(client.post(TICKETS, json=ticket_payload(ghost)), 400)
    completed = client.post(
        TICKETS, json=ticket_payload(customer, relatedEntity=[interaction_entity(done)])
    )
    assert_tmf_error(completed, 400)
    assert "completed" in completed.json()["message"]


def test_the_clients_ticket_type_is_kept_as_sent(client, settings):
    customer = create_customer(client)
    settings.request_default_type = "request.status"
    device = raise_request(client, customer, ticketType="device", description="Hello there")
    assert device["ticketType"] == "device"
    assert device["troubleTicketSpecification"]["id"] == type_id(client, "request.status")
    first = device["statusChangeHistory"][0]["statusChangeReason"]
    assert first == "received; classified as request.status by default"
    again = client.get(f"{TICKETS}/{device['id']}").json()
    assert again["ticketType"] == "device"
    by_name = raise_request(client, customer, ticketType="FAULT REPAIR", description="Hi")
    assert by_name["ticketType"] == "FAULT REPAIR"
    assert by_name["troubleTicketSpecification"]["id"] == type_id(client, "fault.repair")
    listed = client.get(TICKETS, params={"ticketType": "device"}).json()
    assert [t["id"] for t in listed] == [device["id"]]


def test_the_interaction_a_request_opens_carries_typed_channels(client):
    """The v5 schema requires @type on every RelatedChannel (Extensible): the interaction
    Parley logs itself for a request raised without one has it."""
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    opened = next(
        r["entity"]["id"]
        for r in ticket["relatedEntity"]
        if r["entity"].get("@referredType") == "PartyInteraction"
    )
    logged = client.get(f"/tmf-api/partyInteractionManagement/v5/partyInteraction/{opened}")
    channels = logged.json()["relatedChannel"]
    assert channels and all(c.get("@type") == "RelatedChannel" for c in channels)
