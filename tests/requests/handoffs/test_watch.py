"""No answer in time: a hand-off still waiting when its time limit (the request type's
``handoffTimeLimitMinutes``, else PARLEY_HANDOFF_TIME_LIMIT_MINUTES) has passed becomes a task
for an agent, once, in the queue of its kind; an answer that comes after all cancels the task,
and so does the request ending otherwise (an agent closing it), which also stops the wait."""

import pytest

from parley.changes import UnitOfWork
from parley.requests.handoffs.watch import SYSTEM, WatchResult, chase_overdue
from tests.factories import create_customer
from tests.requests.handoffs.helpers import (
    STATE_CHANGE,
    correlation_of,
    handoff_of,
    select_add_on,
    state_change,
    status_of,
    ticket,
)
from tests.requests.helpers import REQUESTS, TYPES, type_id


def watch(session, settings) -> WatchResult:
    """One batch of the watch, committed as the worker does."""
    result = chase_overdue(UnitOfWork(session, settings, SYSTEM))
    session.commit()
    return result


@pytest.fixture
def waiting(client) -> dict:
    return select_add_on(client, create_customer(client))


def test_no_answer_in_time_is_a_task_for_an_agent_once(client, session, settings, clock, waiting):
    clock.advance(minutes=settings.handoff_time_limit_minutes - 1)
    assert watch(session, settings).tasks == 0

    clock.advance(minutes=2)
    first, again = watch(session, settings), watch(session, settings)

    assert (first.due, first.tasks) == (1, 1)
    assert (again.due, again.tasks) == (0, 0)
    status = status_of(client, waiting)
    (task,) = status["tasks"]
    assert task["queue"]["code"] == "customer-care" and task["status"] == "open"
    assert "no answer from the ordering system within 240 minutes" in task["name"]
    assert correlation_of(waiting) in task["name"]
    assert status["status"] == "inProgress" and status["waitingFor"] == "order"
    assert status["handoffs"][0]["task"] == {"id": task["id"]}


def test_the_request_types_own_time_limit_counts(client, session, settings, clock):
    addon = type_id(client, "addon.selection")
    changed = client.patch(f"{TYPES}/{addon}", json={"handoffTimeLimitMinutes": 30})
    assert changed.status_code == 200, changed.text
    waiting = select_add_on(client, create_customer(client))

    clock.advance(minutes=31)

    assert watch(session, settings).tasks == 1
    assert len(status_of(client, waiting)["tasks"]) == 1


@pytest.mark.parametrize("minutes", [0, 43_201, 1.5, "60", True])
def test_a_time_limit_that_is_no_whole_minutes_is_refused(client, minutes):
    addon = type_id(client, "addon.selection")
    refused = client.patch(f"{TYPES}/{addon}", json={"handoffTimeLimitMinutes": minutes})
    assert refused.status_code == 400
    assert "handoffTimeLimitMinutes" in refused.json()["message"]


def test_an_answer_after_the_task_cancels_it(client, session, settings, clock, waiting):
    clock.advance(hours=5)
    watch(session, settings)

    event = state_change(correlation_of(waiting), "completed")
    assert client.post(STATE_CHANGE, json=event).status_code == 204

    status = status_of(client, waiting)
    assert status["status"] == "closed"
    (task,) = status["tasks"]
    assert task["status"] == "cancelled"


def test_an_agent_closing_the_request_stops_the_wait_and_its_task(
    client, session, settings, clock, waiting
):
    clock.advance(hours=5)
    watch(session, settings)

    closed = client.post(
        f"{REQUESTS}/{waiting['id']}/close",
        json={
            "outcome": "completed",
            "resolutionCode": "orderChecked",
            "reason": "Ordered by phone",
        },
    )

    assert closed.status_code == 200, closed.text
    handoff = handoff_of(session, waiting["id"])
    assert handoff.state == "ended" and "Ordered by phone" in handoff.reason
    status = status_of(client, waiting)
    assert status["tasks"][0]["status"] == "cancelled"
    assert "waitingFor" not in status
    # The ordering system's late word is kept, and the product recorded, the request left as is.
    late = client.post(STATE_CHANGE, json=state_change(correlation_of(waiting), "completed"))
    assert late.status_code == 204
    assert ticket(client, waiting)["statusChangeHistory"][-1]["status"] == "closed"
    customer = waiting["relatedParty"][0]["partyOrPartyRole"]["id"]
    assert len(client.get(f"/api/v1/customers/{customer}/products").json()) == 1


def test_a_settled_hand_off_is_not_chased(client, session, settings, clock, waiting):
    event = state_change(correlation_of(waiting), "rejected", reason="Not on this plan")
    assert client.post(STATE_CHANGE, json=event).status_code == 204

    clock.advance(hours=5)

    assert watch(session, settings).due == 0
    assert status_of(client, waiting)["tasks"] == []
