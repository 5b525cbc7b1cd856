"""POST /api/v1/calls: the phone system's reports in Parley's JSON and in the generic CTI
format (form or JSON), the caller identified, the interaction opened on answer and completed
after the hang-up's wrap-up time (or by the agent's wrap-up), missed calls, retries taken once,
and who may report calls."""

from datetime import datetime, timedelta

import pytest

from parley.actor import Actor
from parley.auth.users import UserService
from parley.calls.service import CallEvent, CallService
from parley.changes import UnitOfWork
from parley.interactions.service import InteractionService
from tests.web.helpers import make_customer

CALLS = "/api/v1/calls"
NUMBER = "+49 171 3334440"  # make_customer's
INTERACTIONS = "/tmf-api/partyInteractionManagement/v5/partyInteraction"


@pytest.fixture
def nora(client) -> dict:
    return make_customer(client)


@pytest.fixture
def kim(as_user, session, settings):
    """An agent with extension 101."""
    as_user("kim")
    uow = UnitOfWork(session, settings, Actor("test-admin", "test"))
    users = UserService(uow)
    users.update_user(users.get_by_username("kim").id, extension="101")
    session.commit()
    return users.get_by_username("kim")


def report(client, **body):
    response = client.post(CALLS, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_call_from_a_known_number_is_identified_and_rings_for_the_extension(client, nora, kim):
    call = report(client, event="newCall", callId="c-1", **{"from": "0171 3334440", "to": "101"})
    assert call["state"] == "ringing"
    assert call["customerId"] == nora["id"]
    assert call["ringTo"] == [kim.id]
    assert call["direction"] == "inbound"


def _interaction(client, interaction_id: str) -> dict:
    return client.get(f"{INTERACTIONS}/{interaction_id}").json()


def _system(session, settings, **changed) -> CallService:
    settings = settings.model_copy(update=changed) if changed else settings
    return CallService(UnitOfWork(session, settings, Actor("parley-worker", "system")))


def test_answer_opens_an_interaction_and_the_wrap_up_time_after_hangup_completes_it(
    client, session, settings, nora, kim
):
    report(client, event="newCall", callId="c-2", user=["kim"], **{"from": NUMBER, "to": "800"})
    answered = report(client, event="answer", callId="c-2", answeringNumber="101")
    assert answered["state"] == "answered" and answered["answeredBy"] == "kim"
    interaction = _interaction(client, answered["interactionId"])
    assert interaction["status"] == "inProgress"
    assert interaction["relatedChannel"][0]["channel"]["id"] == "phone"

    ended = report(client, event="hangup", callId="c-2", cause="normalClearing")

    assert ended["state"] == "completed" and ended["duration"] >= 0
    assert ended["cause"] == "normalClearing"
    # After-call work: the contact waits for the agent's wrap-up until wrapUpDue.
    due = datetime.fromisoformat(ended["wrapUpDue"])
    assert due - datetime.fromisoformat(ended["endDate"]) == timedelta(seconds=300)
    assert _interaction(client, answered["interactionId"])["status"] == "inProgress"
    assert _system(session, settings).complete_wrap_ups(now=due - timedelta(seconds=1)) == 0

    assert _system(session, settings).complete_wrap_ups(now=due) == 1
    session.commit()

    done = _interaction(client, answered["interactionId"])
    assert done["status"] == "completed"
    assert done["interactionDate"]["endDateTime"] == ended["endDate"]  # the call's end
    journal = client.get(CALLS).json()
    assert next(c for c in journal if c["id"] == ended["id"])["wrapUpDue"] is None
    assert _system(session, settings).complete_wrap_ups(now=due + timedelta(hours=1)) == 0


def test_a_contact_wrapped_up_after_the_hangup_keeps_what_the_agent_said(
    client, session, settings, nora, kim
):
    report(client, event="newCall", callId="c-5", user=["kim"], **{"from": NUMBER, "to": "800"})
    answered = report(client, event="answer", callId="c-5", answeringNumber="101")
    ended = report(client, event="hangup", callId="c-5")
    wrapped = client.patch(
        f"{INTERACTIONS}/{answered['interactionId']}",
        json={"status": "completed", "reason": "billing.question"},
    )
    assert wrapped.status_code == 200, wrapped.text

    due = datetime.fromisoformat(ended["wrapUpDue"])
    assert _system(session, settings).complete_wrap_ups(now=due) == 1
    session.commit()

    done = _interaction(client, answered["interactionId"])
    assert done["status"] == "completed" and done["reason"] == "billing.question"
    agents_end = wrapped.json()["interactionDate"]["endDateTime"]
    assert done["interactionDate"]["endDateTime"] == agents_end


def test_without_a_wrap_up_time_the_hangup_completes_the_contact(session, settings, nora, kim):
    calls = _system(session, settings, call_wrap_up_seconds=0)
    calls.report(CallEvent("newCall", "c-6", caller=NUMBER, callee="800", users=["kim"]))
    answered = calls.report(CallEvent("answer", "c-6", answering_number="101"))
    ended = calls.report(CallEvent("hangup", "c-6"))
    session.flush()

    interaction = InteractionService(calls.uow).get(answered.interaction_id)
    assert interaction.status == "completed" and ended.wrap_up_due is None


def test_the_generic_cti_form_is_understood(client, nora, kim):
    form = "event=newCall&from=4917133344400&to=4930123&direction=in&callId=z-9&user%5B%5D=kim"
    response = client.post(
        CALLS, content=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 200, response.text
    call = response.json()
    assert call["callId"] == "z-9" and call["ringTo"] == [kim.id]
    assert call["from"] == "4917133344400"


def test_a_call_hung_up_unanswered_is_missed_and_needs_a_callback(client, nora, kim):
    report(client, event="newCall", callId="c-3", **{"from": NUMBER, "to": "101"})
    missed = report(client, event="hangup", callId="c-3", cause="cancel")
    assert missed["state"] == "missed" and missed["callback"] == "needed"
    assert missed["interactionId"] is None
    due = client.get(CALLS, params={"callbacks": "true"}).json()
    assert [c["callId"] for c in due] == ["c-3"]


def test_retried_reports_are_taken_once(client, nora, kim):
    first = report(client, event="newCall", callId="c-4", **{"from": NUMBER, "to": "101"})
    again = report(client, event="newCall", callId="c-4", **{"from": NUMBER, "to": "101"})
    assert again["id"] == first["id"]
    answered = report(client, event="answer", callId="c-4", user=["kim"])
    assert report(client, event="answer", callId="c-4", user=["kim"]) == answered
    ended = report(client, event="hangup", callId="c-4")
    assert report(client, event="hangup", callId="c-4") == ended


def test_an_unknown_number_has_no_customer(client, kim):
    call = report(client, event="newCall", callId="c-5", **{"from": "+49 30 9999999", "to": "101"})
    assert call["customerId"] is None and call["candidates"] == []
    answered = report(client, event="answer", callId="c-5", user=["kim"])
    assert answered["interactionId"] is None  # nobody to log it for; the agent searches


@pytest.mark.parametrize(
    "body, field",
    [
        ({"event": "ring", "callId": "x"}, "event"),
        ({"event": "newCall"}, "callId"),
        ({"event": "newCall", "callId": "x", "direction": "sideways"}, "direction"),
        ({"event": "newCall", "callId": "x", "user": {"a": 1}}, "user"),
        ({"event": "newCall", "callId": "x", "from": "1" * 65}, "from"),
    ],
)
def test_bad_reports_are_400s_that_store_nothing(client, body, field):
    response = client.post(CALLS, json=body)
    assert response.status_code == 400, response.text
    assert field in response.json()["message"]
    assert client.get(CALLS).json() == []


def test_only_telephony_integrations_report_calls(client, as_user, session, settings):
    from tests.conftest import staff_headers

    agent = as_user("kim")
    assert (
        client.post(CALLS, json={"event": "newCall", "callId": "a"}, headers=agent).status_code
        == 403
    )
    integration = staff_headers(session, settings, "integration")
    response = client.post(CALLS, json={"event": "newCall", "callId": "a"}, headers=integration)
    assert response.status_code == 200, response.text
    assert client.get(CALLS, headers=agent).status_code == 200  # agents read the journal


def test_a_missed_calls_callback_becomes_a_task_in_customer_care(client, nora, kim):
    report(client, event="newCall", callId="cb-1", **{"from": NUMBER, "to": "101"})
    missed = report(client, event="hangup", callId="cb-1")
    made = client.post(f"{CALLS}/{missed['id']}/callbackTask")
    assert made.status_code == 200, made.text
    call = made.json()
    assert call["callback"] == "task" and call["callbackRequestId"]
    tasks = client.get("/api/v1/tasks", params={"requestId": call["callbackRequestId"]}).json()
    assert [(t["name"], t["queue"]["code"], t["status"]) for t in tasks] == [
        ("Call the customer back", "customer-care", "open")
    ]
    again = client.post(f"{CALLS}/{missed['id']}/callbackTask")
    assert again.status_code == 409  # one task per missed call


def test_an_unknown_callers_callback_cannot_be_a_task(client, kim):
    report(client, event="newCall", callId="cb-2", **{"from": "+49 30 9999999", "to": "101"})
    missed = report(client, event="hangup", callId="cb-2")
    refused = client.post(f"{CALLS}/{missed['id']}/callbackTask")
    assert refused.status_code == 409 and "no known customer" in refused.json()["message"]
