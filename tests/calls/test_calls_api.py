"""POST /api/v1/calls: the phone system's reports in Parley's JSON and in the generic CTI
format (form or JSON), the caller identified, the interaction opened on answer and completed
on hang-up, missed calls, retries taken once, and who may report calls."""

import pytest

from parley.actor import Actor
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from tests.web.helpers import make_customer

CALLS = "/api/v1/calls"
NUMBER = "+49 171 3334440"  # make_customer's


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


def test_answer_opens_an_interaction_and_hangup_completes_it_with_its_duration(client, nora, kim):
    report(client, event="newCall", callId="c-2", user=["kim"], **{"from": NUMBER, "to": "800"})
    answered = report(client, event="answer", callId="c-2", answeringNumber="101")
    assert answered["state"] == "answered" and answered["answeredBy"] == "kim"
    interaction = client.get(
        f"/tmf-api/partyInteractionManagement/v5/partyInteraction/{answered['interactionId']}"
    ).json()
    assert interaction["status"] == "inProgress"
    assert interaction["relatedChannel"][0]["channel"]["id"] == "phone"
    ended = report(client, event="hangup", callId="c-2", cause="normalClearing")
    assert ended["state"] == "completed" and ended["duration"] >= 0
    assert ended["cause"] == "normalClearing"
    done = client.get(
        f"/tmf-api/partyInteractionManagement/v5/partyInteraction/{answered['interactionId']}"
    ).json()
    assert done["status"] == "completed"
    assert done["interactionDate"]["endDateTime"]


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
