"""Workflows and task queues: seeded as the defaults say, read by staff, managed by
administrators; a document is checked when saved (unknown stage, action, guard, queue: 400) and
a change that would strand requests or tasks is refused."""

import copy

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import downgrade, upgrade
from parley.requests.defaults import DEFAULT_REQUEST_TYPES
from parley.requests.models import RequestType
from parley.requests.workflow.admin import WorkflowAdmin
from parley.requests.workflow.defaults import DEFAULT_QUEUES, DEFAULT_WORKFLOWS
from parley.requests.workflow.definitions import checked_workflow
from parley.requests.workflow.models import TaskQueue, WorkflowDefinition
from tests.factories import assert_tmf_error, create_customer
from tests.requests.helpers import TYPES, raise_request
from tests.requests.task_helpers import QUEUES, WORKFLOWS, open_task, work

SWAP = {
    "code": "sim.swap",
    "name": "SIM swap",
    "stages": [
        {
            "code": "swap",
            "name": "Swap",
            "onEnter": [
                {"action": "setStatus", "status": "inProgress", "reason": "swap started"},
                {"action": "createTask", "queue": "technical", "name": "Send a new SIM"},
            ],
        },
        {
            "code": "done",
            "name": "Done",
            "final": True,
            "onEnter": [{"action": "setStatus", "status": "resolved", "reason": "SIM sent"}],
        },
    ],
    "transitions": [
        {
            "from": "swap",
            "on": "task.completed",
            "when": [{"guard": "stageTasksDone"}],
            "to": "done",
        }
    ],
}


def _swap_type() -> dict:
    document = copy.deepcopy(DEFAULT_REQUEST_TYPES[3])  # fault.repair
    document.update(code="sim.swap", name="SIM swap", category="account", workflow="sim.swap")
    document["classification"] = {"reasonCode": [], "channel": [], "keyword": ["sim swap"]}
    return document


def test_the_migration_seeds_the_default_queues_and_workflows(scratch_database_url):
    engine = build_engine(scratch_database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            workflows = {w.code: w.document for w in session.scalars(select(WorkflowDefinition))}
            queues = {q.code: (q.name, q.roles) for q in session.scalars(select(TaskQueue))}
            named = {
                code: document.get("workflow")
                for code, document in session.execute(
                    select(RequestType.code, RequestType.document)
                )
            }
    finally:
        engine.dispose()

    assert workflows == {w["code"]: w for w in DEFAULT_WORKFLOWS}
    assert queues == {q["code"]: (q["name"], q["roles"]) for q in DEFAULT_QUEUES}
    assert named == {t["code"]: t.get("workflow") for t in DEFAULT_REQUEST_TYPES}
    assert named["adjustment"] is None and named["fault.repair"] == "fault.repair"


def test_staff_read_workflows_and_queues_and_only_administrators_change_them(client, as_user):
    kim = as_user("agent.kim")

    listed = client.get(WORKFLOWS, headers=kim)
    assert listed.status_code == 200, listed.text
    assert [w["code"] for w in listed.json()] == sorted(w["code"] for w in DEFAULT_WORKFLOWS)
    fault = client.get(f"{WORKFLOWS}/fault.repair", headers=kim)
    assert fault.json()["stages"][0]["code"] == "diagnose"
    assert (
        client.get(f"{WORKFLOWS}/{fault.json()['id']}", headers=kim).json()["code"]
        == "fault.repair"
    )
    assert {q["code"] for q in client.get(QUEUES, headers=kim).json()} >= {"technical", "field"}
    assert_tmf_error(client.post(WORKFLOWS, json=SWAP, headers=kim), 403)
    assert_tmf_error(
        client.post(QUEUES, json={"code": "x1", "name": "X", "roles": ["agent"]}, headers=kim), 403
    )
    assert_tmf_error(client.get(f"{WORKFLOWS}/no.such"), 404)


def test_a_new_workflow_named_by_a_new_type_takes_its_requests(client, as_user):
    created = client.post(WORKFLOWS, json=SWAP)
    assert created.status_code == 201, created.text
    assert created.json()["initialStage"] == "swap"
    assert client.post(TYPES, json=_swap_type()).status_code == 201

    ticket = raise_request(client, create_customer(client), description="Need a sim swap")
    work(client, open_task(client, ticket), as_user("agent.kim"))

    assert client.get(f"/api/v1/requests/{ticket['id']}/status").json()["status"] == "resolved"
    assert_tmf_error(client.delete(f"{WORKFLOWS}/sim.swap"), 409, "sim.swap")


def _broken(path: list, value) -> dict:
    document = copy.deepcopy(SWAP)
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("document", "named"),
    [
        (_broken(["transitions", 0, "to"], "nowhere"), "transitions[0].to"),
        (_broken(["transitions", 0, "from"], "nowhere"), "transitions[0].from"),
        (_broken(["stages", 0, "onEnter", 0, "action"], "teleport"), "unknown action"),
        (_broken(["transitions", 0, "when", 0], {"guard": "moonIsFull"}), "unknown guard"),
        (_broken(["stages", 0, "onEnter", 1, "queue"], "nowhere"), "no task queue"),
        (_broken(["transitions", 0, "on"], "completed"), "event name"),
        (_broken(["stages", 1, "code"], "swap"), "once"),
        (_broken(["stages"], []), "at least one stage"),
        (_broken(["initialStage"], "done2"), "initialStage"),
        (
            _broken(["stages", 1, "onEnter", 0], {"action": "setStatus", "status": "closed"}),
            "outcome",
        ),
        (
            _broken(["stages", 1, "onEnter", 0], {"action": "notify", "template": "nope"}),
            "template",
        ),
        (_broken(["stages", 1, "onEnter", 0], {"action": "callout", "url": "ftp://x"}), "url"),
        # Call-outs pass the outbound destination policy (issue 18).
        *[
            (_broken(["stages", 1, "onEnter", 0], {"action": "callout", "url": url}), "url")
            for url in (
                "http://169.254.169.254/latest/meta-data/",
                "http://localhost:8000/oauth/token",
                "http://2130706433:18777/",
                "http://[::ffff:127.0.0.1]/",
                "http://user:pw@partner.example.net/hook",
            )
        ],
        (_broken(["stages", 1, "onEnter", 0], {"action": "escalate"}), "escalate"),
        (_broken(["stages", 0, "onEnter", 1, "colour"], "red"), "unknown parameter colour"),
        (_broken(["transitions", 0, "when", 0], {"guard": "priority", "in": ["urgent"]}), "urgent"),
        (_broken(["code"], "Not A Code"), "code"),
    ],
)
def test_bad_workflow_documents_are_refused(client, document, named):
    response = client.post(WORKFLOWS, json=document)

    assert_tmf_error(response, 400, named)
    assert client.get(f"{WORKFLOWS}/sim.swap").status_code == 404


def test_types_name_only_active_workflows_and_only_workflow_types_name_one(client):
    assert_tmf_error(
        client.post(TYPES, json={**_swap_type(), "workflow": "no.such"}), 400, "workflow"
    )
    client.post(WORKFLOWS, json=SWAP)
    automatic = {**_swap_type(), "fulfilmentMode": "automatic"}
    assert_tmf_error(client.post(TYPES, json=automatic), 400, "workflow")


def test_a_workflow_keeps_its_code_and_the_stages_where_requests_stand(client):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    read = client.get(f"{WORKFLOWS}/fault.repair")
    document = read.json()
    without_diagnosis = copy.deepcopy(document)
    without_diagnosis["stages"] = [s for s in document["stages"] if s["code"] != "diagnose"]
    without_diagnosis["transitions"] = [
        t for t in document["transitions"] if "diagnose" not in (t["from"], t.get("to"))
    ]
    without_diagnosis["initialStage"] = "repair"

    assert_tmf_error(
        client.put(f"{WORKFLOWS}/fault.repair", json=without_diagnosis), 409, "diagnose"
    )
    assert_tmf_error(client.put(f"{WORKFLOWS}/fault.repair", json={**document, "code": "x.y"}), 400)
    assert_tmf_error(
        client.put(f"{WORKFLOWS}/fault.repair", json={**document, "status": "retired"}), 409
    )
    renamed = client.put(
        f"{WORKFLOWS}/fault.repair",
        json={**document, "name": "Repair"},
        headers={"If-Match": read.headers["ETag"]},
    )
    assert renamed.status_code == 200, renamed.text
    stale = client.put(
        f"{WORKFLOWS}/fault.repair",
        json={**document, "name": "Again"},
        headers={"If-Match": read.headers["ETag"]},
    )
    assert_tmf_error(stale, 412)
    assert client.get(f"{WORKFLOWS}/fault.repair").json()["name"] == "Repair"
    assert ticket["status"] == "inProgress"


def test_queues_are_checked_and_kept_while_in_use(client):
    assert_tmf_error(
        client.post(QUEUES, json={"code": "vip", "name": "VIP", "roles": ["wizard"]}), 400, "wizard"
    )
    assert_tmf_error(
        client.post(QUEUES, json={"code": "vip", "name": "VIP", "roles": []}), 400, "roles"
    )
    made = client.post(QUEUES, json={"code": "vip", "name": "VIP", "roles": ["supervisor"]})
    assert made.status_code == 201, made.text
    assert_tmf_error(
        client.post(QUEUES, json={"code": "vip", "name": "VIP", "roles": ["agent"]}), 409
    )
    changed = client.put(f"{QUEUES}/vip", json={"name": "Very important", "roles": ["agent"]})
    assert changed.json() == {**made.json(), "name": "Very important", "roles": ["agent"]}

    assert_tmf_error(client.delete(f"{QUEUES}/technical"), 409, "fault.repair")
    assert client.delete(f"{QUEUES}/vip").status_code == 204
    assert client.get(f"{QUEUES}/vip").status_code == 404


def test_an_older_installation_s_workflow_types_are_given_their_workflow(scratch_database_url):
    engine = build_engine(scratch_database_url)
    try:
        upgrade(engine, "0010")
        with engine.begin() as connection:  # as 0010 seeded them before workflows existed
            for type_id, document in connection.execute(
                select(RequestType.id, RequestType.document)
            ).all():
                document.pop("workflow", None)
                connection.execute(
                    RequestType.__table__.update()
                    .where(RequestType.id == type_id)
                    .values(document=document)
                )
        upgrade(engine)
        with Session(engine) as session:
            named = {
                code: document.get("workflow")
                for code, document in session.execute(
                    select(RequestType.code, RequestType.document)
                )
            }
        downgrade(engine, "0010")
        with Session(engine) as session:
            after = {  # the columns of revision 0010 only
                code: document.get("workflow")
                for code, document in session.execute(
                    select(RequestType.code, RequestType.document)
                )
            }
    finally:
        engine.dispose()

    assert named["fault.repair"] == "fault.repair" and named["bill.dispute"] == "bill.dispute"
    assert named["adjustment"] is None
    assert set(after.values()) == {None}


def test_the_default_workflows_pass_their_own_checks(uow):
    known = WorkflowAdmin(uow).known()

    for document in DEFAULT_WORKFLOWS:
        assert checked_workflow(document, known)["stages"] == document["stages"]


def _a_concurrent_write_after_the_read(monkeypatch, read: str, write) -> None:
    """The API's next read of a workflow or queue (``WorkflowAdmin.<read>``) is followed, before
    the API writes, by ``write``: another administrator's change, committed meanwhile."""
    original = getattr(WorkflowAdmin, read)
    done: list[bool] = []

    def read_then_lose_the_race(admin, id_or_code):
        row = original(admin, id_or_code)
        if not done:
            done.append(True)
            write(id_or_code)
        return row

    monkeypatch.setattr(WorkflowAdmin, read, read_then_lose_the_race)


def _other_administrator(sessions, settings, change) -> None:
    with sessions() as other:
        change(WorkflowAdmin(UnitOfWork(other, settings, Actor("admin.two", "test"))))
        other.flush()
        other.commit()


# In these tests the other administrator's session shares the test's connection (rolled
# back), so refusing ours undoes theirs too; on a real database theirs stays.


@pytest.mark.parametrize("ours", ["put", "delete"])
def test_a_workflow_write_that_lost_the_race_is_412_and_stores_nothing(
    client, monkeypatch, sessions, settings, ours
):
    created = client.post(WORKFLOWS, json=SWAP)
    assert created.status_code == 201, created.text
    document = created.json()
    _a_concurrent_write_after_the_read(
        monkeypatch,
        "workflow",
        lambda code: _other_administrator(
            sessions,
            settings,
            lambda admin: admin.replace_workflow(code, {**document, "name": "Theirs"}),
        ),
    )

    if ours == "put":
        answer = client.put(f"{WORKFLOWS}/sim.swap", json={**document, "name": "Ours"})
    else:
        answer = client.delete(f"{WORKFLOWS}/sim.swap")

    body = assert_tmf_error(answer, 412, "workflow")
    assert body["code"] == "PRECONDITION_FAILED"
    assert client.get(f"{WORKFLOWS}/sim.swap").json() == document


def test_a_queue_put_that_lost_the_race_to_its_deletion_is_412_and_stores_nothing(
    client, monkeypatch, sessions, settings
):
    made = client.post(QUEUES, json={"code": "vip", "name": "VIP", "roles": ["supervisor"]})
    assert made.status_code == 201, made.text
    _a_concurrent_write_after_the_read(
        monkeypatch,
        "queue",
        lambda code: _other_administrator(
            sessions, settings, lambda admin: admin.delete_queue(code)
        ),
    )

    ours = client.put(f"{QUEUES}/vip", json={"name": "Ours", "roles": ["agent"]})

    assert_tmf_error(ours, 412, "task queue")
    assert client.get(f"{QUEUES}/vip").json() == made.json()
