"""Supervisors in a real browser: the board of queues (a breach and a risk among the demo's
faults), assigning a task to an agent, and the approval inbox: an agent's adjustment above
their limit, which the agent cannot approve (not offered, refused if forced), approved by a
supervisor. Each page checked with axe-core and photographed; German; the keyboard."""

import re

import pytest
from sqlalchemy.orm import sessionmaker

from parley.demo.users import DEMO_PASSWORD
from tests.web.browser import work
from tests.web.browser.conftest import look, shoot_view, sign_in

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture(scope="module")
def seeded(demo):
    with sessionmaker(bind=demo.engine, expire_on_commit=False)() as session:
        customers = work.active_customers(session, 4)
        faults = work.faults(session, demo.settings, customers[:3], [30, 21, 1])
        adjustment = work.adjustment(session, demo.settings, customers[3])
    return {"faults": faults, "adjustment": adjustment}


def test_the_board_and_assigning_a_task(page, demo, seeded):
    sign_in(page, demo, "supervisor")
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Queues").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Queues")
    row = page.get_by_role("row", name=re.compile("Technical support"))
    expect(row).to_contain_text("3")
    expect(row.locator(".badge.sla-breached")).to_have_text("1")
    expect(row.locator(".badge.sla-atRisk")).to_have_text("1")
    look(page, "supervisor-board")

    row.get_by_role("link", name="Technical support").click()
    expect(page.get_by_role("heading", name="Waiting in Technical support")).to_be_visible()
    first = page.locator(".queue-tasks tbody tr").first
    expect(first.locator(".badge")).to_contain_text(["Breached"])
    look(page, "supervisor-queue")
    shoot_view(page, "supervisor-queue-view")

    # Assign the breached one to the agent, by keyboard.
    picker = first.get_by_label(re.compile("Agent for"))
    picker.focus()
    picker.select_option("agent")
    page.keyboard.press("Tab")
    expect(first.get_by_role("button", name="Assign")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".notice.done")).to_have_text("Assigned to agent.")
    expect(page.locator(".queue-tasks tbody tr").first).to_contain_text("Claimed agent")


def test_a_supervisor_approves_what_the_agent_cannot(new_page, demo, seeded):
    agent = new_page()
    sign_in(agent, demo, "agent")
    nav = agent.get_by_role("navigation", name="Console")
    expect(nav.get_by_role("link", name="Approvals")).to_have_count(0)
    expect(nav.get_by_role("link", name="Queues")).to_have_count(0)
    refused = agent.goto(demo.url("/supervisor/approvals"))
    assert refused.status == 403
    expect(agent.get_by_role("heading", level=1)).to_have_text("Not allowed")
    agent.goto(demo.url(f"/requests/{seeded['adjustment']}"))
    expect(agent.locator(".request-header")).to_contain_text("Pending")
    expect(agent.get_by_role("button", name="Approve")).to_have_count(0)

    boss = new_page()
    sign_in(boss, demo, "supervisor")
    boss.get_by_role("navigation", name="Console").get_by_role("link", name="Approvals").click()
    card = boss.locator("li.approval").filter(has_text="€250.00")
    expect(card.locator("dd").first).to_have_text("Kim Weber (agent)")
    expect(card.locator("dd").nth(1)).to_have_text("€100.00")
    look(boss, "supervisor-approvals")

    # Rejecting needs a reason, said beside the field; then it is approved.
    card.get_by_role("button", name="Reject").click()
    card = boss.locator("li.approval").filter(has_text="€250.00")
    expect(card.locator(".field-error")).to_have_text(
        "Say why it is rejected: the request keeps it."
    )
    expect(card.get_by_label("Why it is rejected")).to_be_focused()
    look(boss, "supervisor-approvals-refused")
    card.get_by_label("Note (optional)").fill("Storm outage confirmed by the network team")
    card.get_by_role("button", name="Approve").click()
    expect(boss.locator(".notice.done")).to_have_text("Approved: the adjustment goes to billing.")
    expect(boss.locator("section[aria-labelledby=decided-title]")).to_contain_text(
        "Storm outage confirmed"
    )
    look(boss, "supervisor-approvals-decided")

    agent.reload()  # approved: handed to billing, the request waits for billing's answer
    expect(agent.locator(".request-header")).to_contain_text("In progress")
    expect(
        agent.get_by_text("Waiting for the billing system to confirm the adjustment.")
    ).to_be_visible()


def test_the_board_in_german(new_page, demo, seeded):
    page = new_page(locale="de-DE")
    page.goto(demo.url("/sign-in"))
    page.get_by_label("Benutzername").fill("supervisor")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(demo.url("/supervisor?queue=technical"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Warteschlangen")
    expect(page.get_by_role("columnheader", name="SLA überschritten")).to_be_visible()
    look(page, "supervisor-board-de")
    page.goto(demo.url("/supervisor/approvals"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Freigaben")
    look(page, "supervisor-approvals-de")
