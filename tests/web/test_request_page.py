"""A request's page through the TestClient: status, SLA clock, next step, history, tasks,
notes and interactions; cancel, close, reopen, hold and resume with the API's checks, a stale
form refused with nothing overwritten, and what a role may not do neither shown nor done."""

import re
from types import SimpleNamespace

import pytest

from parley.actor import Actor
from parley.auth.roles import RoleService
from parley.changes import UnitOfWork
from parley.requests.models import CustomerRequest
from tests.requests.helpers import TICKETS, raise_request
from tests.web.conftest import CONSOLE, csrf_in, main_text, sign_in
from tests.web.helpers import error_beside, make_customer


@pytest.fixture
def nora(client) -> dict:
    return make_customer(client)


@pytest.fixture
def fault(client, nora) -> dict:
    """A fault repair: its workflow opens a diagnosis task."""
    return raise_request(client, nora)


@pytest.fixture
def plain(client, nora) -> dict:
    """A contact change without details: no workflow, it waits for an agent."""
    return raise_request(client, nora, ticketType="contact.change")


def _page(browser, request: dict) -> str:
    response = browser.get(f"{CONSOLE}/requests/{request['id']}")
    assert response.status_code == 200, response.text[:1000]
    return response.text


def _act(browser, request: dict, action: str, data: dict, version: str | None = None):
    page = _page(browser, request)
    if version is None:
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return browser.post(
        f"{CONSOLE}/requests/{request['id']}/{action}",
        data={"csrf_token": csrf_in(page), "version": version, **data},
    )


def _row(session, request: dict) -> SimpleNamespace:
    """The request as stored now, read in a transaction of its own. (A row read past the
    rollback would start another, whose later rollback would undo the pages' changes.)"""
    session.expire_all()
    row = session.get(CustomerRequest, request["id"])
    columns = ("status", "outcome", "resolution_code", "version", "document")
    found = SimpleNamespace(**{name: getattr(row, name) for name in columns})
    session.rollback()
    return found


def test_the_page_shows_where_the_request_stands_and_how_it_got_there(signed_in, nora, fault):
    words = main_text(_page(signed_in, fault))

    assert "Nora Keller" in words
    assert "Fault repair In progress SLA: On track" in words
    assert "Priority Medium" in words and "Workflow stage Diagnosis" in words
    assert "Next: A technician diagnoses the fault." in words
    assert "SLA clock State On track Due" in words and "Target 24 hours" in words
    assert "Diagnose the fault Technical support Open" in words
    assert "History" in words and "Acknowledged" in words
    assert "Interactions" in words and "Fault report" in words
    assert "Cancel the request" in words and "Put on hold" in words


def test_hold_and_resume_are_kept_in_the_history(signed_in, session, plain):
    held = _act(signed_in, plain, "hold", {"reason": "Waiting for the documents"})

    assert held.status_code == 303
    assert held.headers["location"] == f"{CONSOLE}/requests/{plain['id']}?done=hold"
    assert _row(session, plain).status == "held"
    page = main_text(signed_in.get(held.headers["location"]).text)
    assert "The request is on hold." in page and "Waiting for the documents" in page
    resumed = _act(signed_in, plain, "resume", {})
    assert resumed.status_code == 303 and _row(session, plain).status == "inProgress"


def test_start_close_then_reopen_within_the_window(signed_in, session, plain):
    assert "Close the request" not in main_text(_page(signed_in, plain))  # acknowledged
    assert _act(signed_in, plain, "start", {}).status_code == 303
    assert _row(session, plain).status == "inProgress"
    missing = _act(signed_in, plain, "close", {"outcome": "", "resolution_code": ""})
    assert missing.status_code == 422
    assert error_beside(missing.text, "close-outcome") == "Choose the outcome."
    assert error_beside(missing.text, "close-resolution_code").startswith("Give the resolution")

    closed = _act(
        signed_in, plain, "close", {"outcome": "completed", "resolution_code": "done.by.phone"}
    )

    assert closed.status_code == 303
    row = _row(session, plain)
    assert (row.status, row.outcome, row.resolution_code) == (
        "closed",
        "completed",
        "done.by.phone",
    )
    assert "Reopen the request" in main_text(_page(signed_in, plain))
    reopened = _act(signed_in, plain, "reopen", {"reason": "The customer called back"})
    assert reopened.status_code == 303 and _row(session, plain).status == "inProgress"


def test_cancelling_needs_a_reason(signed_in, session, plain):
    refused = _act(signed_in, plain, "cancel", {"reason": " "})

    assert refused.status_code == 422
    assert error_beside(refused.text, "cancel-reason") == "Say why."
    assert _row(session, plain).status == "acknowledged"
    assert _act(signed_in, plain, "cancel", {"reason": "Not needed"}).status_code == 303
    assert _row(session, plain).status == "cancelled"


def test_a_stale_form_says_someone_else_changed_it_and_overwrites_nothing(
    signed_in, client, session, plain
):
    page = _page(signed_in, plain)
    read_at = re.search(r'name="version" value="(\d+)"', page).group(1)
    elsewhere = client.post(f"/api/v1/requests/{plain['id']}/cancel", json={"reason": "By phone"})
    assert elsewhere.status_code == 200, elsewhere.text

    stale = _act(signed_in, plain, "hold", {"reason": "Waiting"}, version=read_at)

    assert stale.status_code == 422
    assert "Someone else changed this since you opened it" in main_text(stale.text)
    assert "Cancelled" in main_text(stale.text)  # the page shows how it is now
    row = _row(session, plain)
    assert row.status == "cancelled"
    assert "Put on hold" not in main_text(_page(signed_in, plain))


def test_what_the_lifecycle_refuses_is_said_not_a_server_error(signed_in, session, fault):
    closing = _act(signed_in, fault, "close", {"outcome": "completed", "resolution_code": "fixed"})

    assert closing.status_code == 422
    assert "unfinished tasks" in main_text(closing.text)
    assert _row(session, fault).status == "inProgress"


def test_a_note_is_added_to_the_request(signed_in, session, plain):
    blank = _act(signed_in, plain, "note", {"text": ""})
    assert blank.status_code == 422
    assert error_beside(blank.text, "note-text") == "Write the note first."

    added = _act(signed_in, plain, "note", {"text": "Customer will send the new address."})

    assert added.status_code == 303
    notes = _row(session, plain).document["note"]
    assert (notes[-1]["author"], notes[-1]["text"]) == (
        "kim.agent",
        "Customer will send the new address.",
    )
    assert "Customer will send the new address. kim.agent" in main_text(_page(signed_in, plain))


def test_a_role_that_may_only_read_requests_gets_no_forms_and_no_changes(
    browser, users, session, settings, plain
):
    roles = RoleService(UnitOfWork(session, settings, Actor("test-admin", "test")))
    roles.create_role("watcher", ["customer:read", "request:read"])
    users.commit()
    sign_in(browser, users.make("watcher").user.username)

    page = _page(browser, plain)
    assert "Change it" not in main_text(page) and 'name="version"' not in page
    forged = browser.post(
        f"{CONSOLE}/requests/{plain['id']}/cancel",
        data={"csrf_token": csrf_in(page), "version": "1", "reason": "x"},
    )

    assert forged.status_code == 403
    assert _row(session, plain).status == "acknowledged"


@pytest.mark.parametrize("version", ["", "abc", "99999999999999999999", "²"])
def test_a_form_with_no_usable_version_is_refused(signed_in, session, plain, version):
    refused = _act(signed_in, plain, "hold", {"reason": "Waiting"}, version=version)

    assert refused.status_code == 422
    assert "does not say which version" in main_text(refused.text)
    assert _row(session, plain).status == "acknowledged"


def test_unknown_requests_and_actions(signed_in, plain):
    assert signed_in.get(f"{CONSOLE}/requests/nope").status_code == 404
    page = _page(signed_in, plain)

    odd = signed_in.post(
        f"{CONSOLE}/requests/{plain['id']}/explode", data={"csrf_token": csrf_in(page)}
    )

    assert odd.status_code == 303
    assert odd.headers["location"] == f"{CONSOLE}/requests/{plain['id']}"


def test_a_ticket_for_no_customer_is_shown_and_worked_as_any_other(signed_in, client, session):
    ticket = client.post(
        TICKETS, json={"description": "Cell 4711 is down", "severity": "High", "ticketType": "x"}
    ).json()

    words = main_text(_page(signed_in, ticket))
    held = _act(signed_in, ticket, "hold", {"reason": "Waiting for a spare part"})

    assert "For no customer: an internal or network ticket" in words
    assert "Internal or network ticket" in words and "Triage and handle the ticket" in words
    assert held.status_code == 303, held.text[:1000]
    assert _row(session, ticket).status == "held"


def test_a_ticket_for_another_systems_customer_names_it_as_sent(signed_in, client):
    ref = {"id": "C-500", "name": "Erika Mustermann", "@referredType": "Customer"}
    ticket = client.post(
        TICKETS,
        json={
            "description": "Router reboots every night",
            "severity": "Minor",
            "ticketType": "device",
            "relatedParty": [{"role": "customer", "partyOrPartyRole": ref}],
        },
    ).json()

    words = main_text(_page(signed_in, ticket))

    assert "For Erika Mustermann, a customer of another system" in words
