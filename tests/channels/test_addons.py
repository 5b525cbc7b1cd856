"""Add-ons from the offer catalogue on USSD: the caller's selectable offerings, numbered; the
number chosen (after the PIN) raises the add-on request as the portal's does; another
segment's offering is never listed."""

import uuid

from sqlalchemy import select

from parley.requests.models import CustomerRequest
from tests.channels.helpers import PIN, AfricasTalking, caller
from tests.offers.helpers import create_offering, segments, set_segment

ADDONS_KEY = "6"  # the self-care menu's last option


def test_a_caller_selects_an_add_on_by_its_number(client, session):
    create_offering(client, "Extra 10 GB")
    create_offering(client, "Static IP", marketSegment=segments("business"))
    customer, number = caller(client)
    set_segment(client, customer, "residential")
    phone = AfricasTalking(client, number, uuid.uuid4().hex)
    phone.dial()

    listed = phone.press(ADDONS_KEY)

    assert listed.startswith("CON ") and "1 Extra 10 GB 5.0 EUR" in listed
    assert "Static IP" not in listed
    assert phone.press("1").startswith("CON ")  # the PIN first: it orders something
    answer = phone.press(PIN)
    assert answer.startswith("END Extra 10 GB ordered. Reference ")
    request = session.scalars(
        select(CustomerRequest).where(CustomerRequest.customer_id == customer["id"])
    ).one()
    assert request.document["ticketType"] == "addon.selection"
    values = {c["name"]: c["value"] for c in request.document["troubleTicketCharacteristic"]}
    assert values["productOffering"]
    assert request.document["channel"]["id"] == "ussd"


def test_a_number_not_on_the_list_raises_nothing(client, session):
    create_offering(client, "Extra 10 GB")
    customer, number = caller(client)
    phone = AfricasTalking(client, number, uuid.uuid4().hex)
    phone.dial()
    phone.press(ADDONS_KEY)
    phone.press("7")
    answer = phone.press(PIN)

    assert "ordered" not in answer
    requests = select(CustomerRequest).where(CustomerRequest.customer_id == customer["id"])
    assert session.scalars(requests).all() == []


def test_with_nothing_to_offer_the_caller_is_told_so(client):
    _, number = caller(client)
    phone = AfricasTalking(client, number, uuid.uuid4().hex)
    phone.dial()
    assert "No add-ons are available to you now." in phone.press(ADDONS_KEY)
