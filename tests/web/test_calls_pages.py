"""The call journal and the screen pop through the TestClient: calls listed newest first,
missed ones needing a callback flagged and marked called back; a pop only for the agents the
call rings for, with the customer and a link to their 360 and the call's interaction."""

import pytest

from parley.auth.users import UserService
from parley.changes import UnitOfWork
from tests.web.conftest import ADMIN, CONSOLE, csrf_in, main_text, sign_in
from tests.web.helpers import make_customer

CALLS = "/api/v1/calls"


@pytest.fixture
def nora(client) -> dict:
    return make_customer(client)


@pytest.fixture
def kim(users, session, settings):
    made = users.make("agent", username="kim.agent")
    service = UserService(UnitOfWork(session, settings, ADMIN))
    service.update_user(made.user.id, extension="101")
    session.commit()
    return made.user


def _report(client, **body) -> dict:
    response = client.post(CALLS, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_pop_shows_the_caller_and_links_to_the_360_with_the_call(client, browser, nora, kim):
    _report(client, event="newCall", callId="p-1", **{"from": "+49 171 3334440", "to": "101"})
    call = _report(client, event="answer", callId="p-1", answeringNumber="101")
    assert sign_in(browser, "kim.agent").status_code == 303
    pop = browser.get(f"{CONSOLE}/calls/{call['id']}/pop", headers={"HX-Request": "true"})
    assert pop.status_code == 200
    assert "Nora Keller" in pop.text and "Answered" in pop.text
    link = f"/console/customers/{nora['id']}?contact={call['interactionId']}#contact"
    assert link in pop.text
    assert "<html" not in pop.text  # a fragment


def test_a_pop_is_only_for_the_agents_it_rings_for(client, new_browser, nora, kim, users):
    call = _report(
        client, event="newCall", callId="p-2", **{"from": "+49 171 3334440", "to": "101"}
    )
    users.make("agent", username="sam.agent")
    other = new_browser()
    assert sign_in(other, "sam.agent").status_code == 303
    assert other.get(f"{CONSOLE}/calls/{call['id']}/pop").status_code == 404


def test_the_journal_flags_missed_calls_and_a_callback_can_be_marked_made(
    client, browser, nora, kim
):
    _report(client, event="newCall", callId="j-1", **{"from": "+49 171 3334440", "to": "101"})
    _report(client, event="hangup", callId="j-1", cause="cancel")
    _report(client, event="newCall", callId="j-2", **{"from": "+49 30 5550000", "to": "101"})
    _report(client, event="answer", callId="j-2", user=["kim.agent"])
    _report(client, event="hangup", callId="j-2")
    assert sign_in(browser, "kim.agent").status_code == 303
    page = browser.get(f"{CONSOLE}/calls").text
    text = main_text(page)
    assert "Missed" in text and "Call back" in text and "Nora Keller" in text
    assert "Completed" in text and "Unknown" in text
    due = browser.get(f"{CONSOLE}/calls?callbacks=1").text
    call_id = client.get(CALLS, params={"callbacks": "true"}).json()[0]["id"]
    done = browser.post(f"{CONSOLE}/calls/{call_id}/called-back", data={"csrf_token": csrf_in(due)})
    assert done.status_code == 303
    after = browser.get(f"{CONSOLE}{done.headers['location'].removeprefix(CONSOLE)}").text
    assert "Marked as called back." in after
    assert "No missed call waits for a callback." in main_text(after)
    again = browser.post(
        f"{CONSOLE}/calls/{call_id}/called-back", data={"csrf_token": csrf_in(due)}
    )
    assert again.status_code == 422 and "needs no callback" in again.text


def test_a_missed_call_is_made_a_task_from_the_journal(client, browser, nora, kim):
    _report(client, event="newCall", callId="t-1", **{"from": "+49 171 3334440", "to": "101"})
    _report(client, event="hangup", callId="t-1")
    assert sign_in(browser, "kim.agent").status_code == 303
    page = browser.get(f"{CONSOLE}/calls?callbacks=1").text
    call_id = client.get(CALLS, params={"callbacks": "true"}).json()[0]["id"]
    made = browser.post(
        f"{CONSOLE}/calls/{call_id}/callback-task", data={"csrf_token": csrf_in(page)}
    )
    assert made.status_code == 303
    after = browser.get(f"{CONSOLE}/calls").text
    assert "Task in customer care" in after
    work = browser.get(f"{CONSOLE}/work").text
    assert "Call the customer back" in work and "Customer care" in work
