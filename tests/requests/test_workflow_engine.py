"""What a workflow's data can say: guards on the request's characteristics and the actor's
role, tasks assigned on creation, notices from a template, call-outs through the outbox,
escalation on an SLA breach; a workflow that loops is refused."""

import copy

import pytest
from sqlalchemy import select

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.notifications.models import CommunicationMessage
from parley.outbox.models import OutboxMessage
from parley.requests.defaults import DEFAULT_REQUEST_TYPES
from parley.requests.service import RequestService
from tests.factories import assert_tmf_error, create_customer
from tests.requests.helpers import TICKETS, TYPES, characteristic, raise_request
from tests.requests.task_helpers import WORKFLOWS, act, open_task, status_of, work

# The partner's call-out URL resolves to a public address, as on the Internet.
pytestmark = pytest.mark.usefixtures("public_dns")

HOOK = "https://partner.example.net/hook"
LINE_CHECK = {
    "code": "line.check",
    "name": "Line check",
    "stages": [
        {
            "code": "triage",
            "name": "Triage",
            "nextStep": "We look at your line.",
            "onEnter": [
                {"action": "setStatus", "status": "inProgress", "reason": "triage"},
                {"action": "createTask", "queue": "technical", "name": "Triage", "assignTo": "kim"},
                {"action": "notify", "template": "request.progress", "message": "started"},
                {"action": "callout", "url": HOOK, "eventType": "lineCheckStarted"},
            ],
        },
        {
            "code": "vip",
            "name": "VIP care",
            "onEnter": [{"action": "createTask", "queue": "escalations", "name": "VIP care"}],
        },
        {
            "code": "done",
            "name": "Done",
            "final": True,
            "onEnter": [{"action": "setStatus", "status": "resolved", "reason": "checked"}],
        },
    ],
    "transitions": [
        {
            "from": "triage",
            "on": "task.completed",
            "when": [
                {"guard": "stageTasksDone"},
                {"guard": "characteristic", "name": "segment", "in": ["vip"]},
            ],
            "to": "vip",
        },
        {
            "from": "triage",
            "on": "task.completed",
            "when": [{"guard": "noOpenTasks"}],
            "to": "done",
        },
        {
            "from": "vip",
            "on": "task.completed",
            "when": [{"guard": "actorRole", "roles": ["supervisor"]}],
            "to": "done",
        },
    ],
}


def _type_following(client, workflow: str) -> None:
    document = copy.deepcopy(DEFAULT_REQUEST_TYPES[3])  # fault.repair
    document.update(code=workflow, name=workflow, workflow=workflow)
    document["classification"] = {"reasonCode": [], "channel": [], "keyword": []}
    response = client.post(TYPES, json=document)
    assert response.status_code == 201, response.text


def _line_check(client, segment: str) -> dict:
    assert client.post(WORKFLOWS, json=LINE_CHECK).status_code == 201
    _type_following(client, "line.check")
    extra = {"troubleTicketCharacteristic": [characteristic("segment", segment)]}
    return raise_request(client, create_customer(client), ticketType="line.check", **extra)


def test_a_standard_line_check_is_assigned_told_called_out_and_resolved(client, session, as_user):
    kim = as_user("kim")
    ticket = _line_check(client, "standard")

    task = open_task(client, ticket)
    assert (task["status"], task["assignee"]["name"]) == ("claimed", "kim")
    assert _told(session, ticket) == ["received", "inProgress", "request.progress"]
    callouts = [
        (c.destination["url"], c.payload["eventType"], c.payload["request"]["id"])
        for c in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook"))
    ]
    session.rollback()
    assert callouts == [(HOOK, "lineCheckStarted", ticket["id"])]
    assert act(client, task, "complete", kim, {"note": "fine"}).status_code == 200
    assert status_of(client, ticket)["status"] == "resolved"


def test_a_vip_line_check_waits_for_a_supervisor(client, as_user):
    kim, sue = as_user("kim"), as_user("sue", "supervisor")
    ticket = _line_check(client, "vip")
    assert act(client, open_task(client, ticket), "complete", kim, {}).status_code == 200

    care = open_task(client, ticket)
    assert (care["name"], care["queue"]["code"]) == ("VIP care", "escalations")
    assert_tmf_error(act(client, care, "claim", kim), 403, "escalations")
    work(client, care, sue)
    assert status_of(client, ticket)["status"] == "resolved"


def _told(session, ticket: dict) -> list[str]:
    """What the customer was told about the request (the milestone or template of each)."""
    told = [
        m.document["description"].split(": ", 1)[1]
        for m in session.scalars(
            select(CommunicationMessage).order_by(CommunicationMessage.created_at)
        )
        if ticket["id"] in (m.document.get("description") or "")
    ]
    session.rollback()
    return told


def _service(session, settings) -> RequestService:
    return RequestService(UnitOfWork(session, settings, Actor("sla-clock", "system")))


def test_a_breach_escalates_and_a_warning_changes_nothing_by_default(
    client, session, settings, as_user
):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    kim, sue = as_user("kim"), as_user("sue", "supervisor")
    task = open_task(client, ticket)
    assert act(client, task, "claim", kim).status_code == 200
    promised = status_of(client, ticket)["expectedResolutionDate"]

    service = _service(session, settings)
    service.workflow.handle(service.get(ticket["id"], for_update=True), "sla.warning")
    session.commit()
    assert open_task(client, ticket)["queue"]["code"] == "technical"
    assert status_of(client, ticket)["priority"] == "medium"
    service.workflow.handle(service.get(ticket["id"], for_update=True), "sla.breach")
    session.commit()

    moved = open_task(client, ticket)
    assert (moved["queue"]["code"], moved["status"], moved["assignee"]) == (
        "escalations",
        "open",
        None,
    )
    assert moved["reason"] == "escalated: resolution target missed"
    now = client.get(f"{TICKETS}/{ticket['id']}").json()
    assert now["priority"] == "high" and now["expectedResolutionDate"] < promised
    clock = status_of(client, ticket)["sla"]
    assert clock["priority"] == "high" and clock["dueDate"] == now["expectedResolutionDate"]
    assert "delayed" not in _told(session, ticket)  # the watch tells of a missed target
    assert_tmf_error(act(client, moved, "claim", kim), 403)
    assert act(client, moved, "claim", sue).status_code == 200


def test_a_workflow_that_loops_is_refused_and_nothing_is_kept(client):
    looping = {
        "code": "loop",
        "name": "Loop",
        "stages": [{"code": "again", "name": "Again"}],
        "transitions": [{"from": "again", "on": "stage.entered", "to": "again"}],
    }
    assert client.post(WORKFLOWS, json=looping).status_code == 201
    _type_following(client, "loop")
    customer = create_customer(client)

    refused = client.post(
        TICKETS,
        json={
            "description": "x",
            "severity": "minor",
            "ticketType": "loop",
            "relatedParty": [
                {
                    "role": "customer",
                    "partyOrPartyRole": {"id": customer["id"], "@referredType": "Customer"},
                }
            ],
        },
    )

    assert_tmf_error(refused, 409, "loops")
    assert client.get(TICKETS, params={"ticketType": "loop"}).json() == []


def test_a_workflow_is_retired_once_no_type_names_it_and_the_type_then_waits_for_agents(
    client,
):
    assert client.post(WORKFLOWS, json=LINE_CHECK).status_code == 201
    _type_following(client, "line.check")
    type_id = client.get(TYPES, params={"code": "line.check"}).json()[0]["id"]
    retire = {**client.get(f"{WORKFLOWS}/line.check").json(), "status": "retired"}

    assert_tmf_error(client.put(f"{WORKFLOWS}/line.check", json=retire), 409, "line.check")
    unnamed = client.patch(f"{TYPES}/{type_id}", json={"workflow": None})
    assert unnamed.status_code == 200, unnamed.text
    assert "workflow" not in unnamed.json()
    assert client.put(f"{WORKFLOWS}/line.check", json=retire).status_code == 200
    renamed = client.patch(f"{TYPES}/{type_id}", json={"workflow": "line.check"})
    assert_tmf_error(renamed, 400, "no active workflow")

    ticket = raise_request(client, create_customer(client), ticketType="line.check")
    view = status_of(client, ticket)
    assert (view["status"], view["tasks"]) == ("acknowledged", [])


PARTNER_WAIT = {
    "code": "partner.wait",
    "name": "Wait for a partner",
    "stages": [{"code": "work", "name": "Work"}],
    "transitions": [
        {
            "from": "work",
            "on": "partner.took",
            "do": [{"action": "slaPause", "reason": "with the partner"}],
        },
        {"from": "work", "on": "partner.returned", "do": [{"action": "slaResume"}]},
    ],
}


def test_a_workflow_pauses_and_resumes_the_sla_clock(client, clock):
    assert client.post(WORKFLOWS, json=PARTNER_WAIT).status_code == 201
    _type_following(client, "partner.wait")
    ticket = raise_request(client, create_customer(client), ticketType="partner.wait")
    events = f"/api/v1/requests/{ticket['id']}/events"
    due = status_of(client, ticket)["sla"]["dueDate"]

    assert client.post(events, json={"event": "partner.took"}).status_code == 200
    paused = status_of(client, ticket)["sla"]
    assert paused["paused"] and paused["pauseReason"] == "with the partner"
    clock.advance(minutes=5)
    assert client.post(events, json={"event": "partner.returned"}).status_code == 200

    resumed = status_of(client, ticket)["sla"]
    assert not resumed["paused"] and resumed["dueDate"] > due


def test_an_sla_action_with_an_unknown_parameter_is_refused(client):
    wrong = copy.deepcopy(PARTNER_WAIT)
    wrong["transitions"][0]["do"][0]["minutes"] = 5

    assert_tmf_error(client.post(WORKFLOWS, json=wrong), 400, "minutes")
