"""The work page through the TestClient: my tasks and my queues' tasks, the soonest due first
with their SLA state; claim, complete with a note, hand back with a reason, as the API does;
a stale form refused beside its task, nothing changed; what a role may not do not offered."""

import re

import pytest

from parley.actor import Actor
from parley.auth.roles import RoleService
from parley.changes import UnitOfWork
from tests.requests.helpers import raise_request
from tests.requests.task_helpers import open_task
from tests.web.conftest import CONSOLE, csrf_in, main_text, sign_in
from tests.web.helpers import make_customer


@pytest.fixture
def fault(client) -> dict:
    """A fault repair: its workflow opens a diagnosis task in the technical queue."""
    return raise_request(client, make_customer(client))


def _work(browser) -> str:
    response = browser.get(f"{CONSOLE}/work")
    assert response.status_code == 200, response.text[:1000]
    return response.text


def _act(browser, task: dict, action: str, version=None, **fields):
    page = _work(browser)
    if version is None:
        found = re.search(
            rf'/work/tasks/{task["id"]}/{action}".*?name="version" value="(\d+)"', page, re.S
        )
        assert found, f"no {action} form for the task"
        version = found.group(1)
    form = {"csrf_token": csrf_in(page), "version": str(version), **fields}
    return browser.post(f"{CONSOLE}/work/tasks/{task['id']}/{action}", data=form)


def _section(html: str, title_id: str) -> str:
    start = html.find(f'id="{title_id}"')
    end = html.find("</section>", start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:end])).strip()


def test_the_queue_shows_the_task_with_its_sla_and_claiming_makes_it_mine(client, signed_in, fault):
    task = open_task(client, fault)
    page = _work(signed_in)
    queued = _section(page, "queued-title")
    assert "Diagnose the fault" in queued and "Fault repair" in queued
    assert "On track" in queued  # the request's SLA state
    assert "sla-row-onTrack" in page
    claimed = _act(signed_in, task, "claim")
    assert claimed.status_code == 303
    page = signed_in.get(claimed.headers["location"]).text
    assert "The task is yours." in page
    assert "Diagnose the fault" in _section(page, "mine-title")
    assert "Diagnose the fault" not in _section(page, "queued-title")
    assert client.get(f"/api/v1/tasks/{task['id']}").json()["assignee"]["name"] == "kim.agent"


def test_completing_with_a_note_moves_the_request_on(client, signed_in, fault):
    task = open_task(client, fault)
    _act(signed_in, task, "claim")
    done = _act(signed_in, task, "complete", note="Line reset at the exchange")
    assert done.status_code == 303
    stored = client.get(f"/api/v1/tasks/{task['id']}").json()
    assert stored["status"] == "done" and stored["note"] == "Line reset at the exchange"
    assert open_task(client, fault)["name"] == "Repair the fault"  # the next stage's


def test_handing_back_needs_a_reason(client, signed_in, fault):
    task = open_task(client, fault)
    _act(signed_in, task, "claim")
    refused = _act(signed_in, task, "handBack", reason="  ")
    assert refused.status_code == 422
    assert "Say why you hand it back." in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert client.get(f"/api/v1/tasks/{task['id']}").json()["status"] == "claimed"
    back = _act(signed_in, task, "handBack", reason="Needs a field engineer")
    assert back.status_code == 303
    stored = client.get(f"/api/v1/tasks/{task['id']}").json()
    assert stored["status"] == "open" and stored["reason"] == "Needs a field engineer"


def test_a_stale_form_is_refused_beside_its_task_and_changes_nothing(
    client, signed_in, fault, as_user
):
    task = open_task(client, fault)
    read_at = task["version"]
    other = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=as_user("sam"))
    assert other.status_code == 200
    stale = _act(signed_in, task, "claim", version=read_at)
    assert stale.status_code == 422
    assert "Someone else changed this since you opened it" in main_text(stale.text)
    assert client.get(f"/api/v1/tasks/{task['id']}").json()["assignee"]["name"] == "sam"
    assert "by sam" in _section(stale.text, "queued-title")  # as it is now


def test_a_reader_without_task_work_has_nothing_to_claim_and_cannot(
    client, fault, browser, users, session, settings
):
    roles = RoleService(UnitOfWork(session, settings, Actor("test-admin", "test")))
    roles.create_role("watcher", ["task:read", "request:read"])
    users.commit()
    assert sign_in(browser, users.make("watcher").user.username).status_code == 303
    page = _work(browser)
    # No queue names the role: nothing to work, and no button to work it with.
    assert "Nothing waits in the queues your roles work." in main_text(page)
    assert "/claim" not in page
    task = open_task(client, fault)
    refused = browser.post(
        f"{CONSOLE}/work/tasks/{task['id']}/claim",
        data={"csrf_token": csrf_in(page), "version": str(task["version"])},
    )
    assert refused.status_code == 403
    assert client.get(f"/api/v1/tasks/{task['id']}").json()["status"] == "open"


def test_a_live_update_re_reads_the_lists_alone(client, signed_in, fault):
    open_task(client, fault)
    part = signed_in.get(f"{CONSOLE}/work?part=lists", headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<div id="work-lists"') and "<html" not in part.text
    assert "Diagnose the fault" in part.text and 'name="csrf_token"' in part.text
