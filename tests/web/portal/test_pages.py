"""The portal's pages for a signed-in customer, through the TestClient: contact details
changed through a contact.change request, a fault raised and cancelled, a note, preferences;
each a web interaction of the customer; and never another customer's request."""

import pytest
from sqlalchemy import select

from parley.interactions.models import Interaction
from parley.requests.models import CustomerRequest
from tests.web.conftest import main_text
from tests.web.portal.helpers import PORTAL, portal_customer, post_form, register


@pytest.fixture
def nora(client) -> dict:
    return portal_customer(client)


@pytest.fixture
def signed_in(nora, browser, session):
    register(browser, session, nora)
    return browser


def _web_contacts(session, customer_id: str) -> list[str]:
    session.expire_all()
    rows = session.scalars(
        select(Interaction).where(
            Interaction.customer_id == customer_id, Interaction.channel == "web"
        )
    ).all()
    return [row.description for row in rows]


CURRENT = {"emailAddress": "nora@example.org", "phoneNumber": "+49 171 3334440"}


def _raise_fault(browser, text="No internet since this morning") -> str:
    form = {"type": "fault.repair", "description": text}
    raised = post_form(browser, "/requests/new", form, "/requests/new")
    assert raised.status_code == 303, main_text(raised.text)
    return raised.headers["location"].split("/requests/")[1].split("?")[0]


def test_every_page_answers(signed_in):
    for path in ("/", "/requests", "/requests/new", "/messages", "/accounts", "/profile"):
        assert signed_in.get(f"{PORTAL}{path}").status_code == 200, path


def test_a_new_email_goes_through_a_contact_change_and_shows_on_the_profile(
    signed_in, nora, session
):
    profile = main_text(signed_in.get(f"{PORTAL}/profile").text)
    assert "nora@example.org" not in profile  # fields' values are not main text
    form = {
        "emailAddress": "nora.keller@example.net",
        "phoneNumber": "+49 171 3334440",
        "street1": "",
        "street2": "",
        "postCode": "",
        "city": "Kiel",
        "country": "DE",
    }

    changed = post_form(signed_in, "/profile/contact", form, "/profile")

    assert changed.status_code == 303, main_text(changed.text)
    page = signed_in.get(f"{PORTAL}/profile?done=contact").text
    assert 'value="nora.keller@example.net"' in page
    assert "Your contact details were changed." in main_text(page)
    session.expire_all()
    request = session.scalars(
        select(CustomerRequest).where(CustomerRequest.customer_id == nora["id"])
    ).one()
    assert request.status == "closed" and request.outcome == "completed"
    assert any(d.startswith("Request raised") for d in _web_contacts(session, nora["id"]))


def test_a_bad_email_is_said_beside_the_field(signed_in):
    form = {"emailAddress": "not-an-email", "phoneNumber": "+49 171 3334440", "city": "Kiel"}

    refused = post_form(signed_in, "/profile/contact", form, "/profile")

    assert refused.status_code == 422
    assert 'id="emailAddress-error"' in refused.text


def test_a_fault_is_raised_then_cancelled_each_logged(signed_in, nora, session):
    request_id = _raise_fault(signed_in)

    page = main_text(signed_in.get(f"{PORTAL}/requests/{request_id}?done=raised").text)
    assert "we have received your request" in page and "Acknowledged" in page
    cancelled = post_form(
        signed_in, f"/requests/{request_id}/cancel", {"text": "It works again"}, "/requests"
    )

    assert cancelled.status_code == 303
    session.expire_all()
    assert session.get(CustomerRequest, request_id).status == "cancelled"
    contacts = _web_contacts(session, nora["id"])
    assert any(d.startswith("Request raised: Fault repair") for d in contacts)
    assert any(d.startswith("Cancelled request") and "It works again" in d for d in contacts)


def test_a_note_is_added_and_logged(signed_in, nora, session):
    request_id = _raise_fault(signed_in)

    noted = post_form(
        signed_in, f"/requests/{request_id}/note", {"text": "I am home after 5 pm"}, "/requests"
    )

    assert noted.status_code == 303
    page = main_text(signed_in.get(f"{PORTAL}/requests/{request_id}").text)
    assert "I am home after 5 pm" in page
    assert any("I am home after 5 pm" in d for d in _web_contacts(session, nora["id"]))


def test_a_request_type_that_is_not_self_service_is_refused(signed_in):
    form = {"type": "adjustment", "description": "Give me money"}

    refused = post_form(signed_in, "/requests/new", form, "/requests/new")

    assert refused.status_code == 422 and 'id="type-error"' in refused.text


def test_preferences_are_saved_and_logged(signed_in, nora, session, client):
    saved = post_form(
        signed_in, "/profile/preferences", {"channel": "sms", "language": "de"}, "/profile"
    )

    assert saved.status_code == 303
    preferences = client.get(f"/api/v1/customers/{nora['id']}/preferences").json()
    assert preferences["preferredChannel"] == "sms" and preferences["marketingOptOut"] is True
    assert preferences["language"] == "de"
    assert "Contact preferences changed by the customer in the portal" in _web_contacts(
        session, nora["id"]
    )


def test_another_customers_request_is_not_found_whatever_the_url(
    client, signed_in, new_browser, session
):
    other = portal_customer(client, "Otto", "Brandt", phone="+49 171 5556660", email="o@x.org")
    theirs = new_browser()
    register(theirs, session, other, contact="+49 171 5556660")
    their_request = _raise_fault(theirs, "Their fault")

    assert signed_in.get(f"{PORTAL}/requests/{their_request}").status_code == 404
    for action in ("cancel", "note", "reopen"):
        tried = post_form(signed_in, f"/requests/{their_request}/{action}", {"text": "x"}, "/")
        assert tried.status_code == 404, action
    listed = main_text(signed_in.get(f"{PORTAL}/requests").text)
    assert "Their fault" not in listed
    session.expire_all()
    untouched = session.get(CustomerRequest, their_request)
    assert untouched.status != "cancelled" and not untouched.document.get("note")


def test_signed_out_visitors_are_sent_to_sign_in(browser):
    answer = browser.get(f"{PORTAL}/requests")

    assert answer.status_code == 303
    assert answer.headers["location"] == f"{PORTAL}/sign-in?next=/requests"


def test_a_billing_account_is_opened_and_logged(signed_in, nora, session):
    form = {"name": "Office", "delivery": "postal", "payment": "BankAccountTransfer"}
    refused = post_form(signed_in, "/accounts", form, "/accounts")
    assert "Bills need your full postal address" in main_text(refused.text)
    address = {"street1": "Holtenauer Str. 1", "postCode": "24105", "city": "Kiel", "country": "DE"}
    post_form(signed_in, "/profile/contact", {**CURRENT, **address}, "/profile")

    opened = post_form(signed_in, "/accounts", form, "/accounts")

    assert opened.status_code == 303, main_text(opened.text)
    page = main_text(signed_in.get(f"{PORTAL}/accounts?opened").text)
    assert "Your new billing account was opened." in page and "Office" in page
    assert "Billing account Office opened by the customer in the portal" in _web_contacts(
        session, nora["id"]
    )


def test_an_account_form_without_choices_says_so_beside_them(signed_in):
    refused = post_form(signed_in, "/accounts", {"name": ""}, "/accounts")

    assert refused.status_code == 422
    for field in ("name", "delivery", "payment"):
        assert f'id="{field}-error"' in refused.text


def test_a_ticket_for_no_customer_is_in_nobodys_portal(client, signed_in, session):
    internal = {"description": "Backhaul of cell 4711 lost", "severity": "High", "ticketType": "x"}
    ticket = client.post("/tmf-api/troubleTicket/v5/troubleTicket", json=internal).json()

    assert signed_in.get(f"{PORTAL}/requests/{ticket['id']}").status_code == 404
    tried = post_form(signed_in, f"/requests/{ticket['id']}/cancel", {"text": "x"}, "/")
    assert tried.status_code == 404
    assert "Backhaul" not in main_text(signed_in.get(f"{PORTAL}/requests").text)
    assert "Backhaul" not in main_text(signed_in.get(f"{PORTAL}/").text)
    session.expire_all()
    assert session.get(CustomerRequest, ticket["id"]).status == "inProgress"
    session.rollback()
