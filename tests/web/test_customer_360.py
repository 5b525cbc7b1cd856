"""The customer 360 through the TestClient: what it shows (and leaves out for a role that may
not read it), verifying the caller, adding a note and changing contact details through the
services the API uses; wrong input said beside the field, with nothing changed."""

import pytest
from sqlalchemy import select

from parley.actor import Actor
from parley.auth.roles import RoleService
from parley.changes import UnitOfWork
from parley.changes.models import AuditEntry
from parley.parties.models import CustomerNote, VerificationAttempt
from parley.requests.models import CustomerRequest
from tests.accounts.helpers import create_account
from tests.conftest import PARTY_API
from tests.requests.helpers import raise_request
from tests.web.conftest import CONSOLE, main_text, sign_in
from tests.web.helpers import PIN, error_beside, make_customer, page_of, post_on, secure


@pytest.fixture
def nora(client) -> dict:
    return make_customer(client)


def test_the_360_shows_the_customer_with_accounts_preferences_notes_requests_and_history(
    signed_in, client, nora
):
    create_account(client, nora["id"], nora["engagedParty"])
    client.put(
        f"/api/v1/customers/{nora['id']}/preferences",
        json={"preferredChannel": "sms", "language": "de", "marketingOptOut": True},
    )
    client.post(f"/api/v1/customers/{nora['id']}/notes", json={"text": "Prefers calls after 6"})
    raise_request(client, nora)  # a fault: its workflow keeps it open

    words = main_text(page_of(signed_in, nora))

    assert "Nora Keller Active" in words
    assert "+49 171 3334440" in words and "nora@example.org" in words
    assert "Billing accounts" in words and "Direct debit" in words
    assert "Preferred channel SMS" in words and "Marketing Opted out" in words
    assert "Prefers calls after 6" in words
    assert "Open requests Request Status SLA Due Opened Fault repair" in words
    assert "On track" in words
    assert "Timeline" in words and "Fault report" in words  # the request's interaction


def test_a_role_that_may_read_only_customers_sees_only_the_header_and_contacts(
    browser, users, session, settings, nora
):
    roles = RoleService(UnitOfWork(session, settings, Actor("test-admin", "test")))
    roles.create_role("reader", ["customer:read"])
    users.commit()
    sign_in(browser, users.make("reader").user.username)

    page = page_of(browser, nora)

    for part in ('id="timeline"', 'id="notes"', 'id="requests"', 'id="accounts"', 'id="contact"'):
        assert part not in page, part
    assert "verify-answer" not in page and "Change contact details" not in page
    assert "Nora Keller" in main_text(page)


# -- verification ---------------------------------------------------------------------------


def test_a_wrong_pin_is_said_beside_the_field_and_recorded_then_the_right_one_verifies(
    signed_in, client, session, nora
):
    secure(client, nora)
    assert "Not verified" in main_text(page_of(signed_in, nora))

    wrong = post_on(signed_in, nora, f"/customers/{nora['id']}/verification", {
        "method": "pin", "answer": "0000",
    })  # fmt: skip

    assert wrong.status_code == 422
    assert error_beside(wrong.text, "verify-answer") == (
        "Not right. 2 attempts left before verification locks."
    )
    right = post_on(signed_in, nora, f"/customers/{nora['id']}/verification", {
        "method": "pin", "answer": PIN,
    })  # fmt: skip
    assert right.status_code == 303
    words = main_text(page_of(signed_in, nora, "?done=verified"))
    assert "Verified" in words and "with the PIN" in words and "by you" in words
    session.expire_all()
    attempts = session.scalars(
        select(VerificationAttempt).order_by(VerificationAttempt.attempted_at)
    ).all()
    assert [(a.outcome, a.channel, a.asked_by) for a in attempts] == [
        ("failed", "console", "kim.agent"),
        ("passed", "console", "kim.agent"),
    ]


def test_a_security_question_verifies_and_repeated_failures_lock(signed_in, client, nora):
    secure(client, nora)
    page = page_of(signed_in, nora)
    question = page.split('value="question:')[1].split('"')[0]
    url = f"/customers/{nora['id']}/verification"

    for _ in range(3):
        failed = post_on(signed_in, nora, url, {"method": f"question:{question}", "answer": "x"})
    assert failed.status_code == 422
    assert "Not right. Verification is now locked until" in main_text(failed.text)
    words = main_text(page_of(signed_in, nora))
    assert "Verification locked" in words and "locked until" in words
    assert "verify-answer" not in page_of(signed_in, nora)  # no form while locked


def test_a_check_without_an_answer_or_method_changes_nothing(signed_in, client, session, nora):
    secure(client, nora)
    url = f"/customers/{nora['id']}/verification"

    blank = post_on(signed_in, nora, url, {"method": "pin", "answer": "  "})
    odd = post_on(signed_in, nora, url, {"method": "question:nope", "answer": "1234"})

    assert blank.status_code == odd.status_code == 422
    assert error_beside(blank.text, "verify-answer") == "Enter what the caller says."
    assert error_beside(odd.text, "verify-method") == "Choose how to verify the caller."
    assert session.scalars(select(VerificationAttempt)).all() == []


def test_a_customer_without_pin_or_questions_cannot_be_verified_here(signed_in, nora):
    assert "No PIN or security questions are set up" in main_text(page_of(signed_in, nora))

    refused = post_on(signed_in, nora, f"/customers/{nora['id']}/verification", {
        "method": "pin", "answer": "1234",
    })  # fmt: skip

    assert refused.status_code == 400


# -- notes ----------------------------------------------------------------------------------


def test_a_note_is_added_audited_and_shown(signed_in, session, nora):
    added = post_on(signed_in, nora, f"/customers/{nora['id']}/notes", {"text": "Moved to Kiel"})

    assert added.status_code == 303
    assert added.headers["location"] == f"{CONSOLE}/customers/{nora['id']}?done=note#notes"
    words = main_text(page_of(signed_in, nora, "?done=note"))
    assert "Note added." in words and "Moved to Kiel kim.agent" in words
    session.expire_all()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.resource_type == "customerNote"))
    assert [(e.action, e.channel, e.actor_name) for e in entry] == [
        ("create", "console", "kim.agent")
    ]


@pytest.mark.parametrize(
    ("text", "said"),
    [("   ", "Write the note first."), ("x" * 4001, "At most 4000 characters, please")],
)
def test_a_blank_or_overlong_note_is_refused_beside_the_field(signed_in, session, nora, text, said):
    refused = post_on(signed_in, nora, f"/customers/{nora['id']}/notes", {"text": text})

    assert refused.status_code == 422
    assert error_beside(refused.text, "note-text").startswith(said)
    assert session.scalars(select(CustomerNote)).all() == []


# -- contact details ------------------------------------------------------------------------


def _details(nora: dict, **changes) -> dict:
    current = {
        "emailAddress": "nora@example.org",
        "phoneNumber": "+49 171 3334440",
        "street1": "",
        "street2": "",
        "postCode": "",
        "city": "Kiel",
        "country": "DE",
    }
    return {**current, **changes}


def _phones(client, customer: dict) -> list[tuple[str, bool]]:
    party = client.get(f"{PARTY_API}/individual/{customer['engagedParty']['id']}").json()
    return [
        (m["phoneNumber"], "endDateTime" in (m.get("validFor") or {}))
        for m in party["contactMedium"]
        if m["@type"] == "PhoneContactMedium"
    ]


def test_a_new_phone_number_goes_through_a_contact_change_request(signed_in, client, session, nora):
    changed = post_on(
        signed_in,
        nora,
        f"/customers/{nora['id']}/contact-details",
        _details(nora, phoneNumber="0171 9990001"),
    )

    assert changed.status_code == 303, changed.text[:500]
    assert "Contact details changed." in main_text(page_of(signed_in, nora, "?done=contacts"))
    assert _phones(client, nora) == [("+491713334440", True), ("+491719990001", False)]
    session.expire_all()
    (request,) = session.scalars(select(CustomerRequest)).all()
    assert (request.status, request.outcome) == ("closed", "completed")
    assert request.document["ticketType"] == "contact.change"
    characteristics = {
        c["name"]: c["value"] for c in request.document["troubleTicketCharacteristic"]
    }
    assert characteristics["phoneNumber"] == "0171 9990001"
    assert "emailAddress" not in characteristics  # only what changed is sent


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        ({"phoneNumber": "12"}, "cd-phoneNumber", "Not a phone number that can be used"),
        ({"emailAddress": "not-an-email"}, "cd-emailAddress", "Not an email address"),
        ({"street1": "Hafenstraße 1"}, "cd-postCode", "Needed for a postal address."),
        ({"phoneNumber": ""}, "cd-phoneNumber", "This cannot be removed"),
    ],
)
def test_wrong_contact_details_are_said_beside_the_field_and_change_nothing(
    signed_in, client, session, nora, changes, field, said
):
    refused = post_on(
        signed_in, nora, f"/customers/{nora['id']}/contact-details", _details(nora, **changes)
    )

    assert refused.status_code == 422
    assert error_beside(refused.text, field).startswith(said)
    assert '<details class="edit" open>' in refused.text  # the form stays open
    assert session.scalars(select(CustomerRequest)).all() == []
    assert _phones(client, nora) == [("+491713334440", False)]


def test_unchanged_contact_details_raise_nothing(signed_in, session, nora):
    same = post_on(signed_in, nora, f"/customers/{nora['id']}/contact-details", _details(nora))

    assert same.status_code == 303
    assert same.headers["location"].endswith("?done=contacts-unchanged#contact-details")
    assert session.scalars(select(CustomerRequest)).all() == []


def test_a_customer_the_visitor_cannot_see_is_not_found(signed_in):
    for path in ("/customers/nobody", "/customers/nobody/timeline"):
        assert signed_in.get(f"{CONSOLE}{path}").status_code == 404


def test_the_360_lists_the_customers_requests_and_no_ticket_for_no_customer(
    signed_in, client, nora
):
    raise_request(client, nora, description="No internet since Monday")
    internal = {"description": "Backhaul of cell 4711 lost", "severity": "High", "ticketType": "x"}
    assert client.post("/tmf-api/troubleTicket/v5/troubleTicket", json=internal).status_code == 201

    words = main_text(page_of(signed_in, nora))

    assert "Fault repair" in words
    assert "Internal or network ticket" not in words
