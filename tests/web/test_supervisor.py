"""The supervisors' pages through the TestClient: the board of queues (counts, oldest, SLA
breaches and risks), assigning a task within the API's rules (a stale form refused), and the
approval inbox (within the limit, four eyes); agents neither see nor reach them."""

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from parley.actor import Actor
from parley.auth.roles import RoleService
from parley.changes import UnitOfWork
from parley.changes.models import AuditEntry
from parley.requests.approvals.models import Approval
from parley.requests.models import CustomerRequest
from parley.requests.workflow.models import RequestTask
from tests.auth.helpers import bearer, login
from tests.requests.adjustment_helpers import (
    approval_of,
    customer_with_account,
    raise_adjustment,
    staff,
)
from tests.requests.helpers import TICKETS, raise_request
from tests.web.conftest import CONSOLE, csrf_in, main_text, sign_in
from tests.web.helpers import error_beside, make_customer


@pytest.fixture
def boss(users):
    return users.make("supervisor", username="sam.supervisor")


@pytest.fixture
def supervising(new_browser, boss):
    browser = new_browser()
    assert sign_in(browser, boss.user.username).status_code == 303
    return browser


@pytest.fixture
def fault(client) -> dict:
    """A fault repair: its workflow opens a diagnosis task in Technical support."""
    return raise_request(client, make_customer(client))


def _task(session, request: dict) -> SimpleNamespace:
    """The request's task as stored now, read in a transaction of its own (a row read past
    the rollback would open another, which would not see the pages' later changes)."""
    session.rollback()
    task = session.scalars(select(RequestTask).where(RequestTask.request_id == request["id"])).one()
    columns = ("id", "status", "version", "assignee_id", "assignee")
    found = SimpleNamespace(**{name: getattr(task, name) for name in columns})
    session.rollback()
    return found


def _assign(browser, task: SimpleNamespace, assignee: str, version: int | None = None):
    page = browser.get(f"{CONSOLE}/supervisor?queue=technical").text
    data = {"csrf_token": csrf_in(page), "assignee": assignee}
    data["version"] = str(task.version if version is None else version)
    return browser.post(f"{CONSOLE}/supervisor/tasks/{task.id}/assign", data=data)


def test_agents_neither_see_nor_reach_the_supervisors_pages(signed_in, fault, session):
    home = signed_in.get(f"{CONSOLE}/").text
    assert "/console/supervisor" not in home
    for path in ("/supervisor", "/supervisor?queue=technical", "/supervisor/approvals"):
        assert signed_in.get(f"{CONSOLE}{path}").status_code == 403
    token = csrf_in(home)
    task = _task(session, fault)
    posted = signed_in.post(
        f"{CONSOLE}/supervisor/tasks/{task.id}/assign",
        data={"csrf_token": token, "assignee": "kim.agent", "version": str(task.version)},
    )
    assert posted.status_code == 403
    assert _task(session, fault).assignee is None


def test_the_board_counts_each_queues_tasks_and_their_sla(supervising, boss, fault, clock):
    words = main_text(supervising.get(f"{CONSOLE}/supervisor").text)
    assert re.search(r"SLA at risk Technical support 1 0 \w[^–]* 0 0 Billing 0 0 – 0 0", words)

    clock.advance(hours=21)  # past the warning share of the 24 hours
    sign_in(supervising, boss.user.username)  # the session has ended meanwhile
    risky = main_text(supervising.get(f"{CONSOLE}/supervisor").text)
    assert re.search(r"Technical support 1 0 [^–]*? 0 1 ", risky)
    clock.advance(hours=4)
    sign_in(supervising, boss.user.username)
    late = main_text(supervising.get(f"{CONSOLE}/supervisor?queue=technical").text)
    assert re.search(r"Technical support 1 0 [^–]*? 1 0 ", late)
    assert (
        "Waiting in Technical support" in late and "Diagnose the fault Nora Keller Breached" in late
    )


def test_a_supervisor_assigns_a_task_to_an_agent(supervising, agent, fault, session):
    username, user_id, name = agent.user.username, agent.user.id, agent.user.display_name
    page = supervising.get(f"{CONSOLE}/supervisor?queue=technical").text
    assert f'<option value="{username}">' in page

    done = _assign(supervising, _task(session, fault), username)

    assert done.status_code == 303, done.text[:2000]
    task = _task(session, fault)
    assert (task.status, task.assignee_id) == ("claimed", user_id)
    shown = main_text(supervising.get(done.headers["location"]).text)
    assert f"Assigned to {username}." in shown and name
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.resource_id == task.id, AuditEntry.action == "assign")
    ).one()
    assert (entry.actor_name, entry.channel) == ("sam.supervisor", "console")
    session.rollback()


def test_assigning_outside_the_rules_is_said_beside_the_field(supervising, users, fault, session):
    outsider = users.make("integration", username="robot.staff")
    task = _task(session, fault)

    nobody = _assign(supervising, task, "")
    wrong = _assign(supervising, task, outsider.user.username)
    unknown = _assign(supervising, task, "no.such.user")

    field = f"assign-{task.id[:8]}-assignee"
    assert nobody.status_code == wrong.status_code == unknown.status_code == 422
    assert error_beside(nobody.text, field) == "Choose whom to give it to."
    assert "holds no role that works the queue technical" in error_beside(wrong.text, field)
    assert "no.such.user" in error_beside(unknown.text, field)
    assert _task(session, fault).assignee is None


def test_a_stale_assignment_overwrites_nothing(supervising, client, agent, users, fault, session):
    task = _task(session, fault)
    other = users.make("agent", username="lea.agent")
    elsewhere = client.post(
        f"/api/v1/tasks/{task.id}/assign", json={"assignee": other.user.username}
    )
    assert elsewhere.status_code == 200, elsewhere.text

    stale = _assign(supervising, task, agent.user.username, version=task.version)

    assert stale.status_code == 422
    assert "Someone else changed this since you opened it" in main_text(stale.text)
    assert _task(session, fault).assignee_id == other.user.id


@pytest.fixture
def waiting(client, session, settings):
    """An agent's 250 EUR adjustment (above their 100) waiting for approval."""
    customer, account = customer_with_account(client)
    raiser = staff(client, session, settings, "agent")
    ticket = raise_adjustment(client, raiser.headers, customer, account, "250")
    return ticket, approval_of(client, raiser.headers, ticket)


def _decide(browser, approval: dict, decision: str, note: str = "", version=None):
    page = browser.get(f"{CONSOLE}/supervisor/approvals").text
    data = {"csrf_token": csrf_in(page), "note": note}
    shown = re.search(
        rf'/approvals/{approval["id"]}/{decision}".*?name="version" value="(\d+)"', page, re.S
    )
    data["version"] = str(version) if version is not None else shown.group(1) if shown else "1"
    return browser.post(f"{CONSOLE}/supervisor/approvals/{approval['id']}/{decision}", data=data)


def _approval(session, approval: dict) -> tuple[str, str]:
    session.expire_all()
    row = session.get(Approval, approval["id"])
    request = session.get(CustomerRequest, row.request_id)
    found = (row.status, request.status)
    session.rollback()
    return found


def test_a_supervisor_approves_an_adjustment_above_the_agents_limit(supervising, waiting, session):
    ticket, approval = waiting
    inbox = main_text(supervising.get(f"{CONSOLE}/supervisor/approvals").text)
    assert "You decide adjustments up to €1,000.00, except your own." in inbox
    assert "€250.00" in inbox and "Their limit €100.00" in inbox

    done = _decide(supervising, approval, "approve", "Loyal customer")

    assert done.status_code == 303, done.text[:2000]
    # The request waits for billing's acknowledgement (tests/requests/handoffs).
    assert _approval(session, approval) == ("approved", "inProgress")
    after = main_text(supervising.get(done.headers["location"]).text)
    assert "Approved: the adjustment goes to billing." in after
    assert "No adjustment is waiting for approval." in after
    assert "Decided lately" in after and "Loyal customer" in after


def test_the_agent_cannot_approve_it(signed_in, waiting, session):
    _, approval = waiting
    token = csrf_in(signed_in.get(f"{CONSOLE}/").text)
    refused = signed_in.post(
        f"{CONSOLE}/supervisor/approvals/{approval['id']}/approve",
        data={"csrf_token": token, "version": "1"},
    )
    assert refused.status_code == 403
    assert _approval(session, approval) == ("pending", "pending")


def test_rejecting_needs_a_note_and_a_stale_decision_is_refused(supervising, waiting, session):
    ticket, approval = waiting
    field = f"approval-{approval['id'][:8]}-reject-note"

    silent = _decide(supervising, approval, "reject", "  ")
    stale = _decide(supervising, approval, "approve", version=99)
    versionless = _decide(supervising, approval, "approve", version="")

    assert silent.status_code == stale.status_code == versionless.status_code == 422
    assert error_beside(silent.text, field) == "Say why it is rejected: the request keeps it."
    assert "Someone else changed this" in main_text(stale.text)
    assert "does not say which version" in main_text(versionless.text)
    assert _approval(session, approval)[0] == "pending"
    rejected = _decide(supervising, approval, "reject", "Already credited")
    assert rejected.status_code == 303
    assert _approval(session, approval) == ("rejected", "closed")


def test_four_eyes_a_supervisors_own_adjustment_waits_for_another(
    client, session, settings, users, supervising, boss
):
    heads = RoleService(UnitOfWork(session, settings, Actor("test-setup", "test")))
    limits = {"adjustmentLimit": 5000, "currency": "EUR"}
    heads.create_role("head", ["request:approve", "approval:read"], limits)
    session.commit()
    customer, account = customer_with_account(client)
    headers = bearer(login(client, boss.user.username)["access_token"])
    own = approval_of(client, headers, raise_adjustment(client, headers, customer, account, "1500"))
    raiser = staff(client, session, settings, "agent")
    big = raise_adjustment(client, raiser.headers, customer, account, "3000")
    above = approval_of(client, headers, big)

    inbox = main_text(supervising.get(f"{CONSOLE}/supervisor/approvals").text)
    assert "Above your limit: a supervisor with a higher limit decides it." in inbox
    forged = _decide(supervising, above, "approve")
    assert forged.status_code == 422 and "does not cover 3000.00" in main_text(forged.text)
    # Now their limit covers their own adjustment: still another must decide it.
    users.service().update_user(boss.user.id, roles=["supervisor", "head"])
    users.commit()

    inbox = main_text(supervising.get(f"{CONSOLE}/supervisor/approvals").text)

    assert "You raised this adjustment: another supervisor decides it." in inbox
    forged = _decide(supervising, own, "approve")
    assert forged.status_code == 422
    assert "you raised this adjustment: another supervisor" in main_text(forged.text)
    assert _approval(session, own)[0] == _approval(session, above)[0] == "pending"


def test_the_board_shows_the_tasks_of_tickets_for_no_customer(supervising, client):
    internal = {"description": "Cell 4711 is down", "severity": "High", "ticketType": "alarm"}
    assert client.post(TICKETS, json=internal).status_code == 201

    words = main_text(supervising.get(f"{CONSOLE}/supervisor?queue=technical").text)

    assert re.search(r"Technical support 1 0 ", words)
    assert "Triage and handle the ticket no customer" in words
