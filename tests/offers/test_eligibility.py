"""Who sees and selects what: a customer's log-in reads the released offerings of its own
segment only (another segment's is not found, by list or by id); an add-on selection raised
through TMF621 names an offering the customer may select now, else 400 naming why; the order
goes to the ordering system through the outbox with the offering and its price."""

import pytest
from sqlalchemy import select

from parley.outbox.models import OutboxMessage
from tests.factories import assert_tmf_error
from tests.offers.helpers import (
    OFFERINGS,
    create_offering,
    customer_headers,
    segment_customer,
    segments,
)
from tests.requests.helpers import TICKETS, characteristic, ticket_payload


@pytest.fixture
def catalogue(client):
    """(for residential, for business, for everyone, retired residential)."""
    return (
        create_offering(client, "Home extra", marketSegment=segments("residential")),
        create_offering(client, "Office extra", marketSegment=segments("business")),
        create_offering(client, "Everyone extra"),
        create_offering(
            client, "Old home", marketSegment=segments("residential"), lifecycleStatus="Retired"
        ),
    )


def _select(client, customer, offering_id, headers=None):
    chosen = characteristic("productOffering", offering_id)
    payload = ticket_payload(
        customer, ticketType="addon.selection", troubleTicketCharacteristic=[chosen]
    )
    return client.post(TICKETS, json=payload, headers=headers or {})


def test_a_customer_sees_only_its_segments_offerings(client, session, settings, catalogue):
    home, office, everyone, old = catalogue
    mine = segment_customer(client, "residential")
    headers = customer_headers(client, session, settings, mine)

    listed = client.get(OFFERINGS, headers=headers).json()
    assert sorted(o["name"] for o in listed) == ["Everyone extra", "Home extra", "Old home"]
    assert client.get(f"{OFFERINGS}/{home['id']}", headers=headers).status_code == 200
    assert_tmf_error(client.get(f"{OFFERINGS}/{office['id']}", headers=headers), 404)
    by_href = client.get(OFFERINGS, params={"id": office["id"]}, headers=headers).json()
    assert by_href == []


def test_draft_offerings_are_not_shown_to_customers(client, session, settings):
    draft = create_offering(client, "Coming soon", lifecycleStatus="In design")
    headers = customer_headers(client, session, settings, segment_customer(client, "business"))
    assert_tmf_error(client.get(f"{OFFERINGS}/{draft['id']}", headers=headers), 404)


def test_customers_do_not_manage_the_catalogue(client, session, settings, catalogue):
    headers = customer_headers(client, session, settings, segment_customer(client, None))
    response = client.patch(
        f"{OFFERINGS}/{catalogue[0]['id']}", json={"name": "Free"}, headers=headers
    )
    assert_tmf_error(response, 403)


def test_a_customer_selects_an_eligible_add_on_and_it_is_ordered(
    client, session, settings, catalogue
):
    home = catalogue[0]
    mine = segment_customer(client, "residential")
    headers = customer_headers(client, session, settings, mine)

    response = _select(client, mine, home["id"], headers)

    assert response.status_code == 201, response.text
    ticket = response.json()
    assert ticket["status"] == "inProgress"  # waiting for the ordering system
    (order,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order")).all()
    item = order.payload["productOrderItem"][0]
    assert item["productOffering"] == {
        "@type": "ProductOfferingRef",
        "id": home["id"],
        "name": "Home extra",
    }
    assert item["itemPrice"][0]["price"]["taxIncludedAmount"] == {"unit": "EUR", "value": 5.0}
    assert order.payload["relatedParty"][0]["partyOrPartyRole"]["id"] == mine["id"]


@pytest.mark.parametrize(
    ("which", "said"),
    [(1, "no product offering"), (3, "no longer")],
)
def test_a_customer_is_refused_what_it_may_not_select(
    client, session, settings, catalogue, which, said
):
    mine = segment_customer(client, "residential")
    headers = customer_headers(client, session, settings, mine)
    response = _select(client, mine, catalogue[which]["id"], headers)
    assert_tmf_error(response, 400, "productOffering", said)
    assert session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order")).all() == []


def test_an_agent_is_told_the_segment_that_refuses(client, catalogue):
    theirs = segment_customer(client, "residential")
    response = _select(client, theirs, catalogue[1]["id"])
    assert_tmf_error(response, 400, "business customers only", "residential")


def test_an_offering_outside_its_validity_is_refused(client):
    later = create_offering(client, "Later", validFor={"startDateTime": "2099-01-01T00:00:00Z"})
    ended = create_offering(client, "Ended", validFor={"endDateTime": "2020-01-01T00:00:00Z"})
    customer = segment_customer(client, None)
    assert_tmf_error(_select(client, customer, later["id"]), 400, "from 2099")
    assert_tmf_error(_select(client, customer, ended["id"]), 400, "until 2020")


def test_an_unknown_offering_is_refused(client):
    customer = segment_customer(client, "business")
    assert_tmf_error(_select(client, customer, "roam-eu-5gb"), 400, "roam-eu-5gb")
