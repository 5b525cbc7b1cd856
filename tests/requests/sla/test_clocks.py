"""The SLA clock of a request: started when it is taken with its type's target for its
priority, paused while pending (the due date moves by the pause), re-targeted when the
priority changes, stopped when resolved or ended, restarted when reopened."""

from datetime import timedelta

import pytest

from parley.changes import UnitOfWork
from parley.requests.service import RequestService
from parley.requests.sla.clocks import SlaClocks
from parley.requests.sla.models import RequestSla
from tests.factories import create_customer
from tests.requests.helpers import REQUESTS, TICKETS, patch, raise_request
from tests.requests.sla.helpers import moment, sla_of

CLOSE = {"outcome": "completed", "resolutionCode": "fixed"}

# Moved by hand here: the workflows would move these requests themselves.
pytestmark = pytest.mark.usefixtures("without_workflows")


def _near(a, b, slack=timedelta(seconds=5)) -> bool:
    return abs(a - b) <= slack


@pytest.mark.parametrize(
    ("priority", "hours"), [("critical", 4), ("high", 8), ("medium", 24), ("low", 72)]
)
def test_the_clock_starts_with_the_target_of_the_type_for_the_priority(client, priority, hours):
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority=priority
    )

    sla = sla_of(client, ticket)
    start = moment(ticket["creationDate"])
    assert sla["state"] == "running" and sla["run"] == 1 and sla["priority"] == priority
    assert sla["targetHours"] == hours and sla["warningPercent"] == 75
    assert moment(sla["startDate"]) == start
    assert moment(sla["dueDate"]) == start + timedelta(hours=hours)
    assert moment(sla["warningDate"]) == start + timedelta(hours=hours * 0.75)
    assert ticket["expectedResolutionDate"] == sla["dueDate"]
    assert not sla["paused"] and not sla["warned"] and not sla["breached"]


def test_a_type_may_set_its_own_warning_share(client):
    spec = client.get(f"{TICKETS}Specification", params={"code": "fault.repair"}).json()[0]
    changed = client.patch(f"{TICKETS}Specification/{spec['id']}", json={"slaWarningPercent": 50})
    assert changed.status_code == 200, changed.text

    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="high"
    )

    sla = sla_of(client, ticket)
    assert sla["warningPercent"] == 50
    assert moment(sla["warningDate"]) == moment(ticket["creationDate"]) + timedelta(hours=4)


def test_pending_pauses_the_clock_and_the_due_date_moves_by_the_pause(client, clock):
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="high"
    )
    due = moment(sla_of(client, ticket)["dueDate"])

    assert patch(client, ticket, {"status": "pending"}).status_code == 200
    paused = sla_of(client, ticket)
    assert paused["state"] == "paused" and paused["paused"] and paused["pauseReason"] == "pending"
    clock.advance(hours=3)
    assert patch(client, ticket, {"status": "inProgress"}).status_code == 200

    resumed = sla_of(client, ticket)
    assert resumed["state"] == "running" and not resumed["paused"]
    assert _near(moment(resumed["dueDate"]), due + timedelta(hours=3))
    assert _near(moment(resumed["warningDate"]), due - timedelta(hours=2) + timedelta(hours=3))
    assert resumed["pausedHours"] == pytest.approx(3, abs=0.01)
    served = client.get(f"{TICKETS}/{ticket['id']}").json()
    assert served["expectedResolutionDate"] == resumed["dueDate"]


def test_a_priority_change_retargets_from_the_same_start(client):
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="high"
    )

    assert patch(client, ticket, {"priority": "low"}).status_code == 200

    sla = sla_of(client, ticket)
    assert sla["priority"] == "low" and sla["targetHours"] == 72
    assert moment(sla["dueDate"]) == moment(ticket["creationDate"]) + timedelta(hours=72)
    served = client.get(f"{TICKETS}/{ticket['id']}").json()
    assert served["expectedResolutionDate"] == sla["dueDate"]


@pytest.mark.parametrize(
    ("path", "body"),
    [("cancel", {"reason": "not needed"}), ("close", CLOSE)],
)
def test_closing_or_cancelling_stops_the_clock(client, session, path, body):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    patch(client, ticket, {"status": "inProgress"})

    assert client.post(f"{REQUESTS}/{ticket['id']}/{path}", json=body).status_code == 200

    sla = sla_of(client, ticket)
    assert sla["state"] == "stopped" and sla["stopDate"] is not None
    assert session.get(RequestSla, ticket["id"]).next_check_at is None


def test_reopening_starts_a_new_run_from_now(client, clock):
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="high"
    )
    patch(client, ticket, {"status": "inProgress"})
    client.post(f"{REQUESTS}/{ticket['id']}/close", json=CLOSE)
    reopened_at = clock.advance(hours=20)

    answer = client.post(f"{REQUESTS}/{ticket['id']}/reopen", json={"reason": "fault is back"})

    assert answer.status_code == 200, answer.text
    sla = answer.json()["sla"]
    assert sla["state"] == "running" and sla["run"] == 2
    assert _near(moment(sla["startDate"]), reopened_at)
    assert _near(moment(sla["dueDate"]), reopened_at + timedelta(hours=8))
    assert answer.json()["expectedResolutionDate"] == sla["dueDate"]


def test_a_resolution_not_accepted_counts_on_without_the_resolved_time(client, clock):
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="high"
    )
    patch(client, ticket, {"status": "inProgress"})
    due = moment(sla_of(client, ticket)["dueDate"])
    patch(client, ticket, {"status": "resolved"})
    assert sla_of(client, ticket)["state"] == "stopped"
    clock.advance(hours=1)

    patch(client, ticket, {"status": "inProgress", "statusChangeReason": "still broken"})

    sla = sla_of(client, ticket)
    assert sla["state"] == "running" and sla["run"] == 1
    assert _near(moment(sla["dueDate"]), due + timedelta(hours=1))


def test_the_workflow_pauses_and_resumes_through_the_clocks(client, session, settings, clock):
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="high"
    )
    uow = UnitOfWork(session, settings)  # no actor: the clocks record as the system
    row = RequestService(uow).get(ticket["id"], for_update=True)
    clocks = SlaClocks(uow)
    due = clocks.of(row.id).due_at

    assert clocks.pause(row, "waiting for a technician slot") is True
    assert clocks.pause(row, "again") is False
    clock.advance(minutes=30)
    assert clocks.resume(row, "slot booked") is True
    assert clocks.resume(row, "again") is False
    session.commit()

    assert _near(clocks.of(row.id).due_at, due + timedelta(minutes=30))
    assert _near(row.expected_resolution_at, due + timedelta(minutes=30))


def test_an_automatically_fulfilled_request_has_a_stopped_clock(client):
    ticket = raise_request(client, create_customer(client), ticketType="request.status")

    assert ticket["status"] == "closed"
    assert sla_of(client, ticket)["state"] == "stopped"
