"""The customer portal in a real browser on a phone-sized screen: registering with a code
read from the email a real SMTP server received, the overview, a new email address seen on
the profile, a fault raised and cancelled, another customer's request refused whatever the
URL, German, and the keyboard. Each page is checked with axe-core and photographed."""

import random
import re
import time

import pytest
from pydantic import SecretStr
from sqlalchemy import exists, select
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.auth.models import User
from parley.changes import UnitOfWork
from parley.demo.users import DEMO_PASSWORD
from parley.interactions.models import Interaction
from parley.outbox.worker import Worker
from parley.parties.models import Customer, Party, PartyKey
from parley.requests.catalogue import RequestTypeCatalogue
from parley.requests.defaults import DEFAULT_REQUEST_TYPES
from parley.requests.service import RequestService
from parley.settings import Settings
from tests.conftest import TEST_SIGNING_KEY
from tests.outbox.conftest import FAST
from tests.outbox.smtp_server import SmtpServer
from tests.web.browser.conftest import check_accessible, look
from tests.web.browser.work import faults

expect = pytest.importorskip("playwright.sync_api").expect

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PASSWORD = "Blue-Harbour-Lights-7"
CODE = re.compile(r"\b(\d{6})\b")
LINK = re.compile(r"/portal(/survey/[A-Za-z0-9_-]+)")


def _portal(demo, path: str = "/") -> str:
    return f"{demo.base_url}/portal{path}"


def _unregistered(engine, skip: int = 0) -> tuple[str, str, str]:
    """(id, customer number, email) of an active demo customer with an email and no log-in."""
    with sessionmaker(bind=engine)() as session:
        return session.execute(
            select(Customer.id, Customer.customer_number, PartyKey.value)
            .join(Party, Party.id == Customer.party_id)
            .join(PartyKey, PartyKey.party_id == Party.id)
            .where(
                Customer.status == "active",
                PartyKey.kind == "email",
                PartyKey.valid_to.is_(None),
                ~exists().where(User.customer_id == Customer.id),
            )
            .order_by(Customer.customer_number)
            .offset(skip)
            .limit(1)
        ).one()


def _emailed_code(engine, database_url: str, address: str) -> str:
    """Deliver the outbox to a real SMTP server until the code for ``address`` arrives."""
    return _emailed_text(engine, database_url, CODE, address)


def _emailed_text(engine, database_url: str, pattern, address: str | None = None) -> str:
    """Deliver the outbox to a real SMTP server until a mail (to ``address``) says
    ``pattern``; what its first group matched."""
    settings = Settings(
        database_url=database_url,
        jwt_secret=SecretStr(TEST_SIGNING_KEY),
        embedded_worker=False,
        _env_file=None,
    )
    with SmtpServer() as smtp:
        worker = Worker(
            engine,
            settings.model_copy(
                update={
                    **FAST,
                    "outbox_batch_size": 500,  # the demo's own messages too, in one go
                    "smtp_port": smtp.port,
                    "smtp_from": "care@example.net",
                }
            ),
            rng=random.Random(1),
        )
        try:
            for _ in range(40):
                worker.run_once()
                for mail in smtp.received:
                    found = pattern.search(mail.message.get_content())
                    if found and (address is None or address in mail.rcpt_tos):
                        return found.group(1)
                time.sleep(0.05)
        finally:
            worker.close()
    raise AssertionError(f"no mail to {address or 'anyone'} said {pattern.pattern}")


def _register(page, demo, engine, database_url, skip: int = 0) -> str:
    customer_id, number, email = _unregistered(engine, skip)
    page.goto(_portal(demo, "/sign-in"))
    page.get_by_role("link", name="New here? Register").click()
    page.get_by_label("Customer number or account number").fill(number)
    page.get_by_label("Mobile number or email address").fill(email)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("status")).to_contain_text("we have sent a code to that email")
    code = _emailed_code(engine, database_url, email)
    page.get_by_label("Code").fill(code)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page).to_have_url(_portal(demo, "/?welcome"))
    return customer_id


def test_a_customer_registers_changes_email_raises_and_cancels_a_fault(
    new_page, demo, migrated_engine, database_url
):
    page = new_page(**PHONE)
    page.goto(_portal(demo, "/register"))
    look(page, "portal-register")

    customer_id = _register(page, demo, migrated_engine, database_url)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello,")
    look(page, "portal-home")

    page.get_by_role("link", name="Profile", exact=True).click()
    email = page.get_by_role("textbox", name="Email")
    email.fill("new.address@example.net")
    page.get_by_role("button", name="Save contact details").click()
    expect(page.get_by_role("status")).to_have_text("Your contact details were changed.")
    expect(page.get_by_role("textbox", name="Email")).to_have_value("new.address@example.net")
    look(page, "portal-profile")

    page.get_by_role("link", name="Requests").click()
    page.get_by_role("link", name="Report a problem or ask for something").click()
    page.get_by_label("Fault repair").check()
    page.get_by_label("Tell us what happened or what you need").fill("No internet since Monday")
    look(page, "portal-new-request")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("status")).to_contain_text("we have received your request")
    look(page, "portal-request")

    page.get_by_label("Why do you want to cancel it?").fill("It works again")
    page.get_by_role("button", name="Cancel request").click()
    expect(page.get_by_role("status")).to_have_text("Your request was cancelled.")
    expect(page.locator(".badge").first).to_have_text("Cancelled")
    look(page, "portal-request-cancelled")

    with sessionmaker(bind=migrated_engine)() as session:
        logged = session.scalars(
            select(Interaction.description).where(
                Interaction.customer_id == customer_id, Interaction.channel == "web"
            )
        ).all()
    assert any(text.startswith("Request raised: Change of contact") for text in logged)
    assert any(text.startswith("Request raised: Fault repair") for text in logged)
    assert any(text.startswith("Cancelled request") for text in logged)


def test_another_customers_request_is_not_found_by_editing_the_url(
    new_page, demo, migrated_engine, database_url
):
    page = new_page(**PHONE)
    mine = _register(page, demo, migrated_engine, database_url, skip=1)
    with sessionmaker(bind=migrated_engine)() as session:
        # Another customer's request of its own: the demo data may hold none yet.
        other = session.scalars(select(Customer.id).where(Customer.id != mine).limit(1)).one()
        settings = Settings(database_url="sqlite://", _env_file=None)
        (theirs,) = faults(session, settings, [other], [0])

    answer = page.goto(_portal(demo, f"/requests/{theirs}"))

    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    check_accessible(page, "portal-not-found")


def test_signing_in_in_german_with_the_keyboard_only(new_page, demo, migrated_engine):
    page = new_page(locale="de-DE", **PHONE)
    page.goto(_portal(demo, "/"))
    expect(page).to_have_url(re.compile(r"/portal/sign-in\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bei Ihrem Konto anmelden")
    look(page, "portal-sign-in-de")

    with sessionmaker(bind=migrated_engine)() as session:
        username = session.scalars(
            select(User.username).where(User.username.like("customer-%"))
        ).one()
    page.keyboard.type(username)  # the field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(_portal(demo, "/"))
    expect(page.get_by_role("link", name="Anliegen")).to_be_visible()
    look(page, "portal-home-de")


def _closed_by_an_agent(engine, customer_id: str) -> None:
    """A request of the customer's, worked and closed by an agent (a type without a
    workflow, so no tasks stand in the way)."""
    settings = Settings(database_url="sqlite://", _env_file=None)
    with sessionmaker(bind=engine)() as session:
        uow = UnitOfWork(session, settings, Actor("agent", "console", None))
        catalogue = RequestTypeCatalogue(uow)
        request_type = catalogue.by_code("sim.swap") or catalogue.create(
            {
                **DEFAULT_REQUEST_TYPES[3],
                "code": "sim.swap",
                "name": "SIM swap",
                "category": "account",
                "classification": {},
                "workflow": None,
            }
        )
        requests = RequestService(uow)
        row = requests.create(
            {
                "troubleTicketSpecification": {"id": request_type.id},
                "description": "New SIM card",
                "relatedParty": [
                    {
                        "role": "customer",
                        "partyOrPartyRole": {"id": customer_id, "@referredType": "Customer"},
                    }
                ],
            }
        )
        requests.progress(row.id)
        requests.close(row.id, "completed", "sim.swapped")
        session.commit()


def test_a_closed_request_is_rated_from_the_emailed_link(
    new_page, demo, migrated_engine, database_url
):
    page = new_page(**PHONE)
    customer_id = _register(page, demo, migrated_engine, database_url, skip=2)
    _closed_by_an_agent(migrated_engine, customer_id)

    link = _emailed_text(migrated_engine, database_url, LINK)
    page.goto(_portal(demo, link))  # the link's path, on the test server's port
    page.get_by_label("4 of 5").check()
    page.get_by_label("Anything you want to tell us? (optional)").fill("Quick and friendly")
    look(page, "portal-survey")
    page.get_by_role("button", name="Send my rating").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    look(page, "portal-survey-thanks")
    with sessionmaker(bind=migrated_engine)() as session:
        logged = session.scalars(
            select(Interaction.description).where(
                Interaction.customer_id == customer_id, Interaction.channel == "web"
            )
        ).all()
    assert any(text.endswith("4 of 5 (Quick and friendly)") for text in logged)
