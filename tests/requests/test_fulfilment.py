"""Automatic fulfilment: a status enquiry is done by Parley at once and closes completed, every
step in the history; an add-on selection is ordered at once and waits for the ordering system
(its answer: tests/requests/handoffs; contact changes: test_contact_change.py)."""

import pytest
from sqlalchemy import select

from parley.outbox.models import OutboxMessage
from tests.factories import create_customer
from tests.offers.helpers import create_offering
from tests.requests.helpers import REQUESTS, characteristic, raise_request

pytestmark = pytest.mark.usefixtures("without_workflows")


def _status(client, ticket: dict) -> dict:
    response = client.get(f"{REQUESTS}/{ticket['id']}/status")
    assert response.status_code == 200, response.text
    return response.json()


def test_a_status_enquiry_is_answered_and_closed_at_once(client):
    customer = create_customer(client)
    repair = raise_request(client, customer, ticketType="fault.repair")

    enquiry = raise_request(client, customer, ticketType="request.status")

    assert enquiry["status"] == "closed"
    assert [c["status"] for c in enquiry["statusChangeHistory"]] == [
        "acknowledged",
        "inProgress",
        "resolved",
        "closed",
    ]
    (note,) = enquiry["note"]
    assert repair["id"] in note["text"] and "acknowledged" in note["text"]
    outcome = {c["name"]: c["value"] for c in enquiry["troubleTicketCharacteristic"]}
    assert outcome.pop("requestReference").startswith("R-")
    assert outcome == {"outcome": "completed", "resolutionCode": "answered"}
    assert _status(client, enquiry)["status"] == "closed"
    assert _status(client, repair)["status"] == "acknowledged"  # a workflow type waits


def test_an_add_on_selection_is_ordered_through_the_outbox_and_waits(client, session):
    customer = create_customer(client)
    bss_id = [{"@type": "ExternalIdentifier", "id": "roam-eu-5gb", "owner": "BSS"}]
    offering = create_offering(client, externalIdentifier=bss_id)
    chosen = characteristic("productOffering", offering["id"])

    ticket = raise_request(
        client, customer, ticketType="addon.selection", troubleTicketCharacteristic=[chosen]
    )

    assert ticket["status"] == "inProgress"  # until the ordering system answers (handoffs)
    (order,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order")).all()
    assert order.idempotency_key == f"addon-order:{ticket['id']}"
    item = order.payload["productOrderItem"][0]
    # The ordering system knows the offering by the BSS's id.
    assert item["productOffering"]["id"] == "roam-eu-5gb" and item["action"] == "add"
    assert item["productOffering"]["name"] == offering["name"]
    assert item["itemPrice"][0]["recurringChargePeriod"] == "month"
    assert order.payload["relatedParty"][0]["partyOrPartyRole"]["id"] == customer["id"]
