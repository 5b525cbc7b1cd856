"""Using the portal through the TestClient as a customer would: asking for a code, reading it
from the outbox row that would carry it, registering, signing in."""

import re

from sqlalchemy import select

from parley.outbox.models import OutboxMessage
from tests.factories import customer_number
from tests.web.conftest import csrf_in, main_text
from tests.web.helpers import make_customer

PORTAL = "/portal"
PASSWORD = "Sunny-Garden-42"
CODE = re.compile(r"\b(\d{6})\b")


def portal_customer(client, given="Nora", family="Keller", **details) -> dict:
    """A customer with a known phone and email (``details`` override them)."""
    return make_customer(client, given, family, **details)


def post_form(browser, path: str, data: dict, page: str) -> object:
    """Send a form of ``page`` (its CSRF token included)."""
    token = csrf_in(browser.get(f"{PORTAL}{page}").text)
    return browser.post(f"{PORTAL}{path}", data={"csrf_token": token, **data})


def ask_code(browser, number: str, contact: str, purpose: str = "register"):
    path = "/register" if purpose == "register" else "/reset"
    return post_form(browser, path, {"number": number, "contact": contact}, path)


def challenge_in(html: str) -> str:
    found = re.search(r'name="challenge" value="([^"]*)"', html)
    assert found, "the page has no challenge"
    return found.group(1)


def sent_codes(session, address: str) -> list[str]:
    """The codes the outbox holds for ``address`` (SMS text or email body), oldest first."""
    session.expire_all()
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)).all()
    found = []
    for row in rows:
        if row.destination.get("to") == address:
            text = row.payload.get("text") or row.payload.get("body") or ""
            found += CODE.findall(text)[:1]
    return found


def confirm(
    browser, sent_page, code: str, password: str = PASSWORD, purpose: str = "register", **options
):
    """Send the code (and a password) from the page that said it was sent; ``elsewhere``:
    from another browser (the challenge copied into its own form)."""
    path = "/register/code" if purpose == "register" else "/reset/code"
    token = csrf_in(sent_page.text)
    if options.get("elsewhere"):
        token = csrf_in(browser.get(f"{PORTAL}/register").text)
    form = {
        "csrf_token": token,
        "challenge": challenge_in(sent_page.text),
        "channel": "sms",
        "code": code,
        "password": password,
    }
    return browser.post(f"{PORTAL}{path}", data=form)


def register(browser, session, customer: dict, contact: str = "+49 171 3334440") -> str:
    """Register ``customer`` in ``browser`` (signed in afterwards); their username."""
    number = customer_number(customer)
    sent = ask_code(browser, number, contact)
    assert sent.status_code == 200, sent.text[:500]
    code = sent_codes(session, "+" + "".join(ch for ch in contact if ch.isdigit()))[-1]
    done = confirm(browser, sent, code)
    assert done.status_code == 303, main_text(done.text)
    return number
