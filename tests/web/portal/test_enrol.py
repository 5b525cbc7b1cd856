"""Getting into the portal with a one-time code: registering, the same answer for details we
do not know, and the code's limits (expiry, one use, a few wrong tries), and setting a new
password the same way."""

from sqlalchemy import select

from parley.auth.models import OneTimeCode, User
from parley.changes.models import AuditEntry
from tests.factories import customer_number
from tests.web.conftest import main_text
from tests.web.portal.helpers import (
    PASSWORD,
    PORTAL,
    ask_code,
    confirm,
    portal_customer,
    post_form,
    register,
    sent_codes,
)

PHONE = "+491713334440"


def test_a_customer_registers_with_a_code_sent_by_sms_and_is_signed_in(client, browser, session):
    customer = portal_customer(client)
    number = customer_number(customer)

    sent = ask_code(browser, number, "0171 3334440")  # as written at home, national

    assert sent.status_code == 200
    assert "we have sent a code by SMS" in main_text(sent.text)
    (code,) = sent_codes(session, PHONE)
    row = session.scalars(select(OneTimeCode)).one()
    assert code not in row.code_hash and row.customer_id == customer["id"]

    done = confirm(browser, sent, code)

    assert done.status_code == 303 and done.headers["location"] == f"{PORTAL}/?welcome"
    home = browser.get(f"{PORTAL}/")
    assert home.status_code == 200 and "Hello, Nora Keller" in main_text(home.text)
    user = session.scalars(select(User).where(User.username == number)).one()
    assert user.kind == "customer" and user.customer_id == customer["id"]


def test_a_code_can_go_by_email_too(client, browser, session):
    customer = portal_customer(client)

    sent = ask_code(browser, customer_number(customer), "Nora@Example.org")

    assert "sent a code to that email address" in main_text(sent.text)
    assert len(sent_codes(session, "nora@example.org")) == 1


def test_unknown_details_get_the_same_answer_and_no_code(client, new_browser, session):
    customer = portal_customer(client)
    number = customer_number(customer)
    answers = {}
    for name, (given, contact) in {
        "known": (number, "+49 171 3334440"),
        "wrong phone": (number, "+49 171 9990001"),
        "unknown number": ("4000000006", "+49 171 3334440"),
        "nonsense": ("hello", "+49 171 3334440"),
    }.items():
        answer = ask_code(new_browser(), given, contact)
        answers[name] = (answer.status_code, main_text(answer.text))

    assert len(set(answers.values())) == 1, answers
    assert len(sent_codes(session, PHONE)) == 1  # to the one who is a customer only


def test_a_wrong_code_then_the_right_one(client, browser, session):
    customer = portal_customer(client)
    sent = ask_code(browser, customer_number(customer), PHONE)
    (code,) = sent_codes(session, PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    refused = confirm(browser, sent, wrong)

    assert refused.status_code == 422
    assert "This code is not right" in main_text(refused.text)
    assert confirm(browser, sent, code).status_code == 303


def test_five_wrong_codes_use_the_code_up(client, browser, session):
    customer = portal_customer(client)
    sent = ask_code(browser, customer_number(customer), PHONE)
    (code,) = sent_codes(session, PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert confirm(browser, sent, wrong).status_code == 422

    refused = confirm(browser, sent, code)

    assert refused.status_code == 422 and "This code is not right" in main_text(refused.text)
    assert session.scalars(select(User).where(User.customer_id == customer["id"])).all() == []


def test_a_code_is_used_once(client, new_browser, session):
    customer = portal_customer(client)
    browser = new_browser()
    sent = ask_code(browser, customer_number(customer), PHONE)
    (code,) = sent_codes(session, PHONE)
    assert confirm(browser, sent, code).status_code == 303

    again = confirm(new_browser(), sent, code, password="Another-Secret-77", elsewhere=True)

    assert again.status_code == 422 and "This code is not right" in main_text(again.text)


def test_a_code_expires(client, browser, session, clock):
    customer = portal_customer(client)
    sent = ask_code(browser, customer_number(customer), PHONE)
    (code,) = sent_codes(session, PHONE)

    clock.advance(minutes=11)

    assert confirm(browser, sent, code).status_code == 422


def test_a_weak_password_is_refused_and_the_code_still_works(client, browser, session):
    customer = portal_customer(client)
    sent = ask_code(browser, customer_number(customer), PHONE)
    (code,) = sent_codes(session, PHONE)

    weak = confirm(browser, sent, code, password="short")

    assert weak.status_code == 422 and "at least 10 characters" in main_text(weak.text)
    assert confirm(browser, sent, code).status_code == 303


def test_asking_for_codes_too_often_is_held_back(client, new_browser, session):
    customer = portal_customer(client)
    number = customer_number(customer)
    for _ in range(5):
        assert ask_code(new_browser(), number, PHONE).status_code == 200

    held = ask_code(new_browser(), number, PHONE)

    assert held.status_code == 429 and "Too many attempts" in main_text(held.text)
    assert len(sent_codes(session, PHONE)) == 5


def test_a_forgotten_password_is_reset_with_a_code(client, new_browser, session):
    customer = portal_customer(client)
    number = register(new_browser(), session, customer)
    browser = new_browser()

    sent = ask_code(browser, number, PHONE, purpose="reset")
    code = sent_codes(session, PHONE)[-1]
    done = confirm(browser, sent, code, password="A-Brand-New-One-9", purpose="reset")

    assert done.status_code == 303
    old = post_form(
        new_browser(), "/sign-in", {"username": number, "password": PASSWORD}, "/sign-in"
    )
    assert old.status_code == 422
    new = post_form(
        new_browser(), "/sign-in", {"username": number, "password": "A-Brand-New-One-9"}, "/sign-in"
    )
    assert new.status_code == 303
    changes = session.scalars(select(AuditEntry.action).where(AuditEntry.resource_type == "user"))
    assert "password_change" in set(changes)


def test_staff_cannot_sign_in_to_the_portal(users, browser):
    agent = users.make("agent")

    refused = post_form(
        browser, "/sign-in", {"username": agent.user.username, "password": "x" * 12}, "/sign-in"
    )

    assert refused.status_code == 422
