"""Scenario (1) of the console in a real browser: an agent signs in, a call from a known number
pops up on their screen (reported by the phone system through POST /api/v1/calls), the agent
opens the caller, verifies them, reads the timeline, logs the contact with a reason and raises
a fault request; its tasks are worked to closure by two agents in two browser contexts, the
second seeing the first's claim appear live. Every page checked with axe-core and
photographed (tests/web/browser/conftest.py); the new pages in German too."""

import httpx2
import pytest
from pydantic import SecretStr
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.demo.loader import DEMO_PIN
from parley.demo.users import DEMO_PASSWORD
from parley.settings import Settings
from tests.conftest import TEST_SIGNING_KEY
from tests.web.browser.conftest import look, shoot_view, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
SECOND = "kai"  # the second agent


@pytest.fixture
def phone_system(migrated_engine, database_url, demo):
    """The phone system's client: an integration log-in, its token by client credentials."""
    with sessionmaker(bind=migrated_engine)() as session:
        settings = Settings(
            database_url=database_url, jwt_secret=SecretStr(TEST_SIGNING_KEY), _env_file=None
        )
        setup = UnitOfWork(session, settings, Actor("test-setup", "test"))
        users = UserService(setup)
        made = users.create_user("pbx", ["integration"], "client")
        users.create_user(SECOND, ["agent"], "staff", DEMO_PASSWORD, "Kai Braun")
        session.commit()
    http = httpx2.Client(base_url=demo.base_url, timeout=10)
    token = http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "pbx",
            "client_secret": made.client_secret,
        },
    )
    assert token.status_code == 200, token.text
    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    yield http
    http.close()


def _live(page) -> None:
    """Wait until the page's live stream is open (what the phone system says next, it hears)."""
    expect(page.locator("#live")).to_have_attribute("data-live-open", "true")


def test_a_call_pops_up_and_the_request_is_worked_to_closure_by_two_agents(
    new_page, demo, phone_system
):
    page = new_page()
    sign_in(page, demo)
    _live(page)

    # The phone system rings the agent (generic CTI, as a form), then the agent answers (JSON).
    ring = {
        "event": "newCall",
        "callId": "pbx-1001",
        "from": demo.caller_phone,
        "to": "+49301234567",
        "direction": "in",
        "user[]": "agent",
    }
    assert phone_system.post("/api/v1/calls", data=ring).status_code == 200
    pop = page.locator(".call-pop")
    expect(pop).to_contain_text("Call from", timeout=2000)
    expect(pop).to_contain_text(demo.caller)
    expect(pop.locator("h2 .badge")).to_have_text("Ringing")
    look(page, "call-pop-ringing")
    answer = {"event": "answer", "callId": "pbx-1001", "user": ["agent"], "direction": "in"}
    assert phone_system.post("/api/v1/calls", json=answer).status_code == 200
    expect(pop.locator("h2 .badge")).to_have_text("Answered")
    shoot_view(page, "docs-console-call-pop")

    # The keyboard reaches the pop's link; it opens the 360 with the call's contact.
    link = pop.get_by_role("link", name="Open the customer")
    for _ in range(60):
        if page.evaluate("document.activeElement.textContent.trim()") == "Open the customer":
            break
        page.keyboard.press("Tab")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.caller)

    # Verify the caller; read the timeline (the call is in it, in progress).
    page.get_by_label("The caller's answer").fill(DEMO_PIN)
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#customer-header .badge.verified")).to_have_text("Verified")
    entries = page.locator("#timeline-results li.entry")
    expect(entries.first).to_contain_text("Phone")
    assert entries.count() > 1

    # Log the contact (the call's interaction) with a reason, raising a fault request.
    panel = page.locator("#contact")
    panel.get_by_label("Reason").select_option("fault.report")
    panel.get_by_label("Raise a request from this contact").check()
    expect(panel.get_by_label("Type of request")).to_contain_text("Fault repair")
    panel.get_by_label("Outcome").select_option("requestRaised")
    panel.get_by_label("Notes").fill("No mobile data since this morning.")
    panel.get_by_role("button", name="Complete the contact").click()
    expect(panel.get_by_role("heading", name="Contact completed")).to_be_visible()
    assert (
        phone_system.post("/api/v1/calls", json={"event": "hangup", "callId": "pbx-1001"}).json()[
            "state"
        ]
        == "completed"
    )

    # Two agents work its tasks: Kai watches the queues while the agent claims.
    other = new_page()
    sign_in(other, demo, SECOND)
    other.goto(demo.url("/work"))
    _live(other)
    queued = other.locator("#work-lists")
    row = queued.locator("tr", has_text="Diagnose the fault")
    expect(row).to_contain_text("Open")
    look(other, "work-queues")

    page.goto(demo.url("/work"))
    _claim(page, "Diagnose the fault")
    expect(row).to_contain_text("by agent", timeout=2000)  # live, without reloading
    look(other, "work-claimed-elsewhere")
    _complete(page, "Diagnose the fault", "Cell reset; needs a site visit.")

    # Kai takes the repair as it appears; then the agent confirms with the customer.
    _claim(other, "Repair the fault")
    _complete(other, "Repair the fault", "Antenna replaced.")
    expect(page.locator("#work-lists")).to_contain_text("Confirm the repair", timeout=2000)
    _claim(page, "Confirm the repair with the customer")
    look(page, "work-mine")
    shoot_view(page, "docs-console-work")
    request_link = page.locator("#work-lists tr", has_text="Confirm the repair").get_by_role("link")
    request_href = request_link.get_attribute("href")
    _complete(page, "Confirm the repair with the customer", "Customer confirms it works.")

    page.goto(demo.url("/calls"))
    expect(page.locator("main table")).to_contain_text(demo.caller)
    look(page, "calls")
    page.goto(f"{demo.base_url}{request_href}")
    expect(page.locator(".request-header .badge").first).to_have_text("Closed")
    look(page, "request-closed-by-its-tasks")


def _claim(page, task: str) -> None:
    row = page.locator("#work-lists tr", has_text=task)
    row.get_by_role("button", name="Claim").click()
    expect(page.locator(".notice.done")).to_have_text("The task is yours.")


def _complete(page, task: str, note: str) -> None:
    row = page.locator("#work-lists tr", has_text=task)
    row.get_by_text("Complete", exact=True).click()
    row.get_by_label("Note").fill(note)
    row.get_by_role("button", name="Mark as done").click()
    expect(page.locator(".notice.done")).to_have_text("The task is done.")


def test_the_work_page_and_the_call_journal_in_german(new_page, demo):
    page = new_page(locale="de-DE")
    page.goto(demo.url("/sign-in"))
    page.get_by_label("Benutzername").fill("agent")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(demo.url("/work"))
    expect(page.get_by_role("heading", name="Meine Aufgaben")).to_be_visible()
    expect(page.get_by_role("heading", name="Meine Warteschlangen")).to_be_visible()
    look(page, "work-de")
    page.get_by_role("link", name="Anrufe", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anrufe")
    look(page, "calls-de")
