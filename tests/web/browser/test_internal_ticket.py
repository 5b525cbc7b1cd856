"""A ticket for no customer in a real browser: its page says it is an internal or network
ticket, its triage task waits on the supervisors' board marked "no customer"; in English and
German, each page checked with axe-core and photographed."""

import pytest
from sqlalchemy.orm import sessionmaker

from parley.demo.users import DEMO_PASSWORD
from tests.web.browser import work
from tests.web.browser.conftest import look, sign_in

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture(scope="module")
def ticket(demo) -> str:
    with sessionmaker(bind=demo.engine, expire_on_commit=False)() as session:
        return work.internal_ticket(session, demo.settings)


def test_the_page_of_a_ticket_for_no_customer(page, demo, ticket):
    sign_in(page, demo, "agent")
    page.goto(demo.url(f"/requests/{ticket}"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Internal or network ticket")
    expect(page.locator(".breadcrumb")).to_have_text(
        "For no customer: an internal or network ticket"
    )
    expect(page.locator("main")).to_contain_text("Triage and handle the ticket")
    look(page, "request-internal")


def test_its_task_on_the_board_in_german(new_page, demo, ticket):
    page = new_page(locale="de-DE")
    page.goto(demo.url("/sign-in"))
    page.get_by_label("Benutzername").fill("supervisor")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(demo.url("/supervisor?queue=technical"))

    row = page.locator(".queue-tasks tbody tr", has_text="Triage and handle the ticket")
    expect(row).to_contain_text("kein Kunde")
    look(page, "supervisor-queue-internal-de")
