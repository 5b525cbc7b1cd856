"""The portal's offers: a customer sees the offerings it may select (its segment's, on sale),
selects one, which raises an add-on selection logged as its web interaction and ordered
through the outbox, and waits for the ordering system's confirmation, after which the product
is listed as the customer's; a withdrawn one says so, one needing a product the customer does
not hold says which; another segment's is not there, by URL."""

import pytest
from sqlalchemy import select

from parley.interactions.models import Interaction
from parley.outbox.models import OutboxMessage
from parley.requests.models import CustomerRequest
from tests.offers.helpers import OFFERINGS, create_offering, segments, set_segment
from tests.requests.handoffs.helpers import STATE_CHANGE, state_change
from tests.requests.helpers import TICKETS
from tests.web.conftest import csrf_in, main_text
from tests.web.portal.helpers import PORTAL, portal_customer, register


@pytest.fixture
def nora(client) -> dict:
    customer = portal_customer(client)
    set_segment(client, customer, "residential")
    return customer


@pytest.fixture
def offers(client) -> dict:
    return {
        "home": create_offering(client, "Roaming EU 5 GB", marketSegment=segments("residential")),
        "office": create_offering(client, "Office static IP", marketSegment=segments("business")),
        "old": create_offering(
            client, "Old bundle", marketSegment=segments("residential"), lifecycleStatus="Retired"
        ),
    }


@pytest.fixture
def signed_in(nora, browser, session):
    register(browser, session, nora)
    return browser


def _select(browser, offering_id: str):
    page = browser.get(f"{PORTAL}/offers/{offering_id}")
    token = csrf_in(page.text)
    return browser.post(f"{PORTAL}/offers/{offering_id}/select", data={"csrf_token": token})


def test_the_list_shows_what_the_customer_may_select(signed_in, offers):
    page = signed_in.get(f"{PORTAL}/offers")
    assert page.status_code == 200
    text = main_text(page.text)
    assert "Roaming EU 5 GB" in text and "€5.00" in text and "per month" in text
    assert "Office static IP" not in text and "Old bundle" not in text


def test_selecting_an_offer_raises_the_request_logs_it_and_orders_it(
    signed_in, nora, offers, session
):
    selected = _select(signed_in, offers["home"]["id"])

    assert selected.status_code == 303, main_text(selected.text)
    session.expire_all()
    request = session.scalars(
        select(CustomerRequest).where(CustomerRequest.customer_id == nora["id"])
    ).one()
    assert request.status == "inProgress" and request.outcome is None  # until ordering answers
    contact = session.get(Interaction, request.interaction_id)
    assert contact.channel == "web" and contact.customer_id == nora["id"]
    (order,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order")).all()
    assert order.payload["productOrderItem"][0]["productOffering"]["id"] == offers["home"]["id"]
    shown = main_text(signed_in.get(selected.headers["location"]).text)
    assert "Thank you" in shown
    waiting = "We have passed your order on and are waiting for its confirmation."
    assert f"Next step: {waiting}" in shown
    assert waiting in main_text(signed_in.get(f"{PORTAL}/requests").text)


def test_a_completed_order_is_listed_among_what_the_customer_has(client, signed_in, offers):
    assert "What you have" not in main_text(signed_in.get(f"{PORTAL}/offers").text)
    selected = _select(signed_in, offers["home"]["id"])
    request_id = selected.headers["location"].split("/requests/")[1].split("?")[0]
    correlation = next(
        c["value"]
        for c in client.get(f"{TICKETS}/{request_id}").json()["troubleTicketCharacteristic"]
        if c["name"] == "correlationId"
    )

    done = client.post(STATE_CHANGE, json=state_change(correlation, "completed"))

    assert done.status_code == 204, done.text
    text = main_text(signed_in.get(f"{PORTAL}/offers").text)
    assert "What you have Roaming EU 5 GB Active Since" in text
    request = main_text(signed_in.get(f"{PORTAL}/requests/{request_id}").text)
    assert "Closed" in request and "waiting for its confirmation" not in request


def test_an_offer_needing_a_product_the_customer_lacks_says_which(client, signed_in, offers):
    needs = [
        {
            "@type": "ProductOfferingRelationship",
            "id": offers["home"]["id"],
            "relationshipType": "requires",
        }
    ]
    topup = create_offering(client, "Roaming top-up", productOfferingRelationship=needs)

    page = main_text(signed_in.get(f"{PORTAL}/offers/{topup['id']}").text)

    assert "This offer needs Roaming EU 5 GB, which you do not have." in page
    assert "Select this offer" not in page
    assert "Roaming top-up" not in main_text(signed_in.get(f"{PORTAL}/offers").text)


def test_a_withdrawn_offer_says_so_and_cannot_be_selected(signed_in, offers, session):
    page = main_text(signed_in.get(f"{PORTAL}/offers/{offers['old']['id']}").text)
    assert "withdrawn" in page and "Select this offer" not in page


def test_an_offer_withdrawn_while_the_page_was_open_is_refused_clearly(
    client, signed_in, offers, session
):
    page = signed_in.get(f"{PORTAL}/offers/{offers['home']['id']}")
    retired = client.patch(
        f"{OFFERINGS}/{offers['home']['id']}", json={"lifecycleStatus": "Retired"}
    )
    assert retired.status_code == 200
    token = csrf_in(page.text)
    refused = signed_in.post(
        f"{PORTAL}/offers/{offers['home']['id']}/select", data={"csrf_token": token}
    )
    assert refused.status_code == 422
    assert "withdrawn" in main_text(refused.text)
    session.expire_all()
    assert session.scalars(select(CustomerRequest)).all() == []


def test_another_segments_offer_is_not_there(signed_in, offers):
    for path in (f"/offers/{offers['office']['id']}", "/offers/no-such-offer"):
        assert signed_in.get(f"{PORTAL}{path}").status_code == 404, path
    page = signed_in.get(f"{PORTAL}/offers/{offers['home']['id']}")
    token = csrf_in(page.text)
    refused = signed_in.post(
        f"{PORTAL}/offers/{offers['office']['id']}/select", data={"csrf_token": token}
    )
    assert refused.status_code == 404


def test_the_page_speaks_german(signed_in, offers):
    signed_in.cookies.set("parley_language", "de")
    text = main_text(signed_in.get(f"{PORTAL}/offers", headers={"Accept-Language": "de"}).text)
    assert "Angebote" in text and "pro Monat" in text
