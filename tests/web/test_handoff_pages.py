"""Hand-offs on the console's pages: a request waiting for the ordering system says so as its
next step and shows its correlation id, what was sent and when, and (once it came) the
ordering system's answer as received; the customer's 360 lists the products the customer
holds once ordering completed one."""

import html
import re

import pytest

from tests.offers.helpers import create_offering
from tests.requests.handoffs.helpers import (
    STATE_CHANGE,
    correlation_of,
    select_add_on,
    state_change,
)
from tests.web.conftest import CONSOLE, main_text
from tests.web.helpers import make_customer, page_of


@pytest.fixture
def nora(client) -> dict:
    return make_customer(client)


@pytest.fixture
def waiting(client, nora) -> dict:
    return select_add_on(client, nora, create_offering(client, "Roaming EU 5 GB"))


def test_a_waiting_request_says_what_it_waits_for(signed_in, waiting):
    words = main_text(signed_in.get(f"{CONSOLE}/requests/{waiting['id']}").text)

    assert "Next: Waiting for the ordering system to confirm the order." in words
    assert f"Correlation id {correlation_of(waiting)}" in words
    assert "Order to the ordering system State Waiting for an answer" in words
    assert "Delivered Not yet" in words and "Nothing received yet." in words


def test_the_answer_is_shown_as_received_and_the_product_on_the_360(
    client, signed_in, nora, waiting
):
    event = state_change(correlation_of(waiting), "completed", order_id="PO-4711")
    assert client.post(STATE_CHANGE, json=event).status_code == 204

    words = main_text(signed_in.get(f"{CONSOLE}/requests/{waiting['id']}").text)
    assert "State Completed" in words and "Their id PO-4711" in words
    assert "Received" in words and "Applied completed" in words
    assert re.search(r'"state":\s*"completed"', html.unescape(words))  # the body as received
    assert "Next: Nothing: the request is closed." in words
    customer_page = main_text(page_of(signed_in, nora))
    assert "Products Roaming EU 5 GB Active Since" in customer_page
    assert "Order PO-4711" in customer_page


def test_a_customer_without_products_says_so(signed_in, nora):
    assert "Products No products on record." in main_text(page_of(signed_in, nora))
