"""The workflow engine through the HTTP API: a fault repair goes through its three tasks to
closure by itself; cancelling cancels open tasks; closing with open tasks is refused; the status
view shows the tasks and the next step; events from outside move the workflow."""

from sqlalchemy import select

from parley.changes.models import AuditEntry
from parley.outbox.models import OutboxMessage
from tests.factories import assert_tmf_error, create_customer
from tests.requests.helpers import REQUESTS, TICKETS, characteristic, patch, raise_request
from tests.requests.task_helpers import act, open_task, status_of, tasks_of, work

FAULT_STAGES = [
    ("diagnose", "Diagnose the fault", "technical"),
    ("repair", "Repair the fault", "field"),
    ("confirm", "Confirm the repair with the customer", "customer-care"),
]


def _fault(client, customer=None) -> dict:
    return raise_request(client, customer or create_customer(client), ticketType="fault.repair")


def test_a_fault_repair_goes_through_its_three_tasks_to_closure_by_itself(client, as_user):
    ticket = _fault(client)
    kim = as_user("agent.kim")
    assert ticket["status"] == "inProgress"

    for stage, name, queue in FAULT_STAGES:
        task = open_task(client, ticket)
        assert (task["stage"], task["name"], task["queue"]["code"]) == (stage, name, queue)
        assert status_of(client, ticket)["workflowStage"]["code"] == stage
        done = work(client, task, kim, note=f"{stage} done")
        assert (done["status"], done["assignee"]["name"], done["note"]) == (
            "done",
            "agent.kim",
            f"{stage} done",
        )

    view = status_of(client, ticket)
    assert (view["status"], view["outcome"], view["resolutionCode"]) == (
        "closed",
        "completed",
        "repaired",
    )
    assert [t["status"] for t in view["tasks"]] == ["done", "done", "done"]
    assert view["workflowStage"]["code"] == "done"
    history = view["statusChangeHistory"]
    assert [h["status"] for h in history] == ["acknowledged", "inProgress", "resolved", "closed"]
    assert history[-1]["changedBy"] == "agent.kim"


def test_tasks_are_worked_only_by_the_roles_of_their_queue_and_their_claimant(
    client, as_user, customer_login
):
    customer = create_customer(client)
    ticket = _fault(client, customer)
    task = open_task(client, ticket)
    kim, lee = as_user("agent.kim"), as_user("agent.lee")
    boss = as_user("boss.sue", "supervisor")

    assert act(client, task, "claim", kim).status_code == 200
    assert_tmf_error(act(client, task, "claim", lee), 409, "agent.kim")
    assert_tmf_error(act(client, task, "complete", lee, {"note": "mine"}), 409, "agent.kim")
    refused = act(client, task, "handBack", lee, {"reason": "not mine"})
    assert_tmf_error(refused, 409)
    assert_tmf_error(act(client, task, "assign", kim, {"assignee": "agent.lee"}), 403)
    assert_tmf_error(client.get("/api/v1/tasks", headers=customer_login(customer)), 403)

    handed = act(client, task, "handBack", boss, {"reason": "kim is off sick"})
    assert handed.status_code == 200, handed.text
    assert (handed.json()["status"], handed.json()["assignee"]) == ("open", None)
    assert handed.json()["reason"] == "kim is off sick"
    assigned = act(client, task, "assign", boss, {"assignee": "agent.lee"})
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["status"], assigned.json()["assignee"]["name"]) == (
        "claimed",
        "agent.lee",
    )
    mine = client.get("/api/v1/tasks", params={"assignee": "me"}, headers=lee).json()
    assert [t["id"] for t in mine] == [task["id"]]
    assert act(client, task, "complete", boss, {"note": "done for lee"}).status_code == 200
    assert open_task(client, ticket)["stage"] == "repair"


def test_bad_task_operations_are_refused_and_change_nothing(client, as_user):
    ticket = _fault(client)
    task = open_task(client, ticket)
    kim, boss = as_user("agent.kim"), as_user("boss.sue", "supervisor")

    assert_tmf_error(act(client, task, "handBack", kim, {"reason": "open"}), 409, "claimed")
    assert_tmf_error(act(client, task, "assign", boss, {"assignee": "nobody.here"}), 400)
    as_user("admin.ann", "administrator")  # works no queue of the fault workflow
    assert_tmf_error(act(client, task, "assign", boss, {"assignee": "admin.ann"}), 400, "role")
    assert_tmf_error(act(client, {"id": "no-such-task"}, "claim", kim), 404)
    assert_tmf_error(act(client, task, "claim", kim, None, **{"If-Match": '"99"'}), 412)
    assert_tmf_error(act(client, task, "claim", kim, None, **{"If-Match": "bogus"}), 412)
    assert_tmf_error(client.get("/api/v1/tasks", params={"status": "lost"}), 400, "status")
    assert_tmf_error(client.get("/api/v1/tasks", params={"queue": "nowhere"}), 400, "queue")
    assert open_task(client, ticket)["status"] == "open"

    read = client.get(f"/api/v1/tasks/{task['id']}")
    assert read.headers["ETag"] == f'"{read.json()["version"]}"'
    claimed = act(client, task, "claim", kim, None, **{"If-Match": read.headers["ETag"]})
    assert claimed.status_code == 200, claimed.text
    assert claimed.headers["ETag"] != read.headers["ETag"]
    assert_tmf_error(
        act(client, task, "complete", kim, {}, **{"If-Match": read.headers["ETag"]}), 412
    )
    assert act(client, task, "complete", kim, {}).status_code == 200
    assert_tmf_error(act(client, task, "complete", kim, {}), 409, "done")


def test_cancelling_a_request_cancels_its_open_tasks_with_the_reason(client, as_user):
    ticket = _fault(client)
    task = open_task(client, ticket)
    kim = as_user("agent.kim")
    assert act(client, task, "claim", kim).status_code == 200

    cancelled = client.post(f"{REQUESTS}/{ticket['id']}/cancel", json={"reason": "moved away"})

    assert cancelled.status_code == 200, cancelled.text
    (only,) = tasks_of(client, ticket)
    assert (only["status"], only["reason"]) == ("cancelled", "moved away")
    assert_tmf_error(act(client, only, "complete", kim, {}), 409, "cancelled")


def test_a_request_with_unfinished_tasks_is_neither_resolved_nor_closed(client):
    ticket = _fault(client)
    closing = {"outcome": "completed", "resolutionCode": "fixed"}

    assert_tmf_error(client.post(f"{REQUESTS}/{ticket['id']}/close", json=closing), 409, "tasks")
    by_patch = {
        "status": "closed",
        "troubleTicketCharacteristic": [
            characteristic("outcome", "completed"),
            characteristic("resolutionCode", "fixed"),
        ],
    }
    assert_tmf_error(patch(client, ticket, by_patch), 409, "Diagnose the fault")
    assert_tmf_error(patch(client, ticket, {"status": "resolved"}), 409, "unfinished")
    assert client.get(f"{TICKETS}/{ticket['id']}").json()["status"] == "inProgress"


def test_the_status_view_shows_tasks_stage_and_next_step_and_customers_see_no_staff_names(
    client, as_user, customer_login
):
    customer, other = create_customer(client), create_customer(client)
    ticket = _fault(client, customer)
    theirs = _fault(client, other)
    work(client, open_task(client, ticket), as_user("agent.kim"))
    assert act(client, open_task(client, ticket), "claim", as_user("agent.kim")).is_success

    staff = status_of(client, ticket)
    own = status_of(client, ticket, customer_login(customer))

    assert staff["nextExpectedStep"] == "An engineer repairs the fault."
    assert [(t["name"], t["status"]) for t in staff["tasks"]] == [
        ("Diagnose the fault", "done"),
        ("Repair the fault", "claimed"),
    ]
    assert staff["tasks"][1]["assignee"]["name"] == "agent.kim"
    assert [(t["name"], t["status"], t["queue"]["name"]) for t in own["tasks"]] == [
        ("Diagnose the fault", "done", "Technical support"),
        ("Repair the fault", "claimed", "Field engineering"),
    ]
    assert all("assignee" not in t and "note" not in t for t in own["tasks"])
    assert own["nextExpectedStep"] == staff["nextExpectedStep"]
    assert own["expectedResolutionDate"] == staff["expectedResolutionDate"]
    hidden = client.get(f"{REQUESTS}/{theirs['id']}/status", headers=customer_login(customer))
    assert_tmf_error(hidden, 404)
    cancelled = client.post(
        f"{REQUESTS}/{ticket['id']}/cancel",
        json={"reason": "fixed itself"},
        headers=customer_login(customer),
    )
    assert cancelled.status_code == 200, cancelled.text
    assert [(t["status"], "assignee" in t) for t in cancelled.json()["tasks"]] == [
        ("done", False),
        ("cancelled", False),
    ]


def test_a_held_request_s_tasks_wait_and_a_customer_reply_resumes_a_pending_one(client, as_user):
    ticket = _fault(client)
    task = open_task(client, ticket)
    kim = as_user("agent.kim")
    assert patch(client, ticket, {"status": "held", "statusChangeReason": "storm"}).is_success

    assert_tmf_error(act(client, task, "claim", kim), 409, "hold")
    assert patch(client, ticket, {"status": "pending"}).is_success
    replied = client.post(f"{REQUESTS}/{ticket['id']}/events", json={"event": "customer.replied"})

    assert replied.status_code == 200, replied.text
    assert replied.json()["status"] == "inProgress"
    assert replied.json()["statusChangeHistory"][-1]["statusChangeReason"] == "the customer replied"
    assert act(client, task, "claim", kim).status_code == 200


def test_events_from_outside_are_checked(client):
    ticket = _fault(client)
    manual = raise_request(client, create_customer(client), ticketType="contact.change")
    url = f"{REQUESTS}/{ticket['id']}/events"

    assert_tmf_error(client.post(url, json={"event": "task.completed"}), 400, "Parley")
    assert_tmf_error(client.post(url, json={"event": "no dots"}), 400, "event")
    unknown = client.post(url, json={"event": "partner.noticed"})
    assert unknown.status_code == 200 and unknown.json()["status"] == "inProgress"
    nothing = client.post(f"{REQUESTS}/{manual['id']}/events", json={"event": "customer.replied"})
    assert_tmf_error(nothing, 409, "no workflow")


def test_a_reopened_repair_starts_again_at_diagnosis(client, as_user):
    ticket = _fault(client)
    kim = as_user("agent.kim")
    for _ in FAULT_STAGES:
        work(client, open_task(client, ticket), kim)

    reopened = client.post(f"{REQUESTS}/{ticket['id']}/reopen", json={"reason": "again"})

    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["workflowStage"]["code"] == "diagnose"
    assert open_task(client, ticket)["name"] == "Diagnose the fault"


def test_every_task_change_is_audited_and_told_as_an_event(client, session, as_user):
    ticket = _fault(client)
    task = open_task(client, ticket)
    work(client, task, as_user("agent.kim"))

    audited = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.resource_id == task["id"])
        .order_by(AuditEntry.at)
    ).all()
    events = [
        m.payload
        for m in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "event")
            .order_by(OutboxMessage.created_at)
        )
        if m.payload["resourceType"] == "requestTask" and m.payload["resourceId"] == task["id"]
    ]
    session.rollback()
    assert audited == ["create", "claim", "complete"]
    assert [e["kind"] for e in events] == ["create", "update", "update"]
    assert events[-1]["document"]["status"] == "done"
