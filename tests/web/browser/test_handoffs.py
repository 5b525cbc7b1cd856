"""A hand-off in real browsers: the demo customer selects an add-on on a phone and its request
says it waits for the order's confirmation; the ordering system answers (TMF622's listener,
with an integration client's token); the agent's console shows the request's hand-off with the
answer as received, and the customer's 360 the product now held, which the customer also finds
on the portal's offers page. Each page is checked with axe-core and photographed."""

import json
import re
import urllib.request

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from parley.auth.models import User
from parley.demo.users import DEMO_PASSWORD
from parley.requests.models import CustomerRequest
from tests.conftest import staff_headers
from tests.requests.handoffs.helpers import STATE_CHANGE, state_change
from tests.web.browser.conftest import look, sign_in

expect = pytest.importorskip("playwright.sync_api").expect

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _customer_signs_in(page, demo, engine) -> str:
    with sessionmaker(bind=engine)() as session:
        username, customer_id = session.execute(
            select(User.username, User.customer_id).where(User.username.like("customer-%"))
        ).one()
    page.goto(f"{demo.base_url}/portal/sign-in")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{demo.base_url}/portal/")
    return customer_id


def _correlation(engine, request_id: str) -> str:
    with sessionmaker(bind=engine)() as session:
        document = session.get(CustomerRequest, request_id).document
    return next(
        c["value"] for c in document["troubleTicketCharacteristic"] if c["name"] == "correlationId"
    )


def test_an_add_on_waits_for_ordering_and_its_answer_is_shown(new_page, demo, migrated_engine):
    phone = new_page(**PHONE)
    customer_id = _customer_signs_in(phone, demo, migrated_engine)
    phone.get_by_role("link", name="Offers").click()
    phone.get_by_role("link", name="Roaming EU 5 GB").click()
    phone.get_by_role("button", name="Select this offer").click()
    expect(phone).to_have_url(re.compile(r"/portal/requests/[0-9a-f-]+\?done=raised$"))
    request_id = re.search(r"/requests/([0-9a-f-]+)", phone.url).group(1)
    expect(phone.locator("p.next-step")).to_contain_text(
        "We have passed your order on and are waiting for its confirmation."
    )
    look(phone, "portal-request-waiting-for-ordering")

    with sessionmaker(bind=migrated_engine)() as session:
        token = staff_headers(session, demo.settings, "integration")
    event = state_change(_correlation(migrated_engine, request_id), "completed", "PO-2027-0815")
    posted = urllib.request.Request(
        f"{demo.base_url}{STATE_CHANGE}",
        data=json.dumps(event).encode(),
        headers={**token, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(posted, timeout=10) as answered:
        assert answered.status == 204

    console = new_page()
    sign_in(console, demo)
    console.goto(demo.url(f"/requests/{request_id}"))
    panel = console.get_by_role("region", name="Order to the ordering system")
    expect(panel).to_contain_text("Completed")
    expect(panel).to_contain_text("PO-2027-0815")
    panel.get_by_text("As received").click()
    expect(panel.locator("pre.received")).to_contain_text('"PO-2027-0815"')
    look(console, "console-request-handoff")

    console.goto(demo.url(f"/customers/{customer_id}"))
    products = console.get_by_role("region", name="Products")
    expect(products).to_contain_text("Roaming EU 5 GB")
    expect(products).to_contain_text("Order PO-2027-0815")
    products.scroll_into_view_if_needed()
    look(console, "console-360-products")

    phone.get_by_role("link", name="Offers").click()
    expect(phone.get_by_role("region", name="What you have")).to_contain_text("Roaming EU 5 GB")
    look(phone, "portal-offers-what-you-have")
