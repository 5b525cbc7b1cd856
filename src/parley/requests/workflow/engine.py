"""The workflow engine: moves a request through the stages of its workflow as events arrive.

A request of a ``workflow`` type whose type names a workflow enters the workflow's initial
stage when it is taken (``start``). Each event — a task completed or handed back, a status
change, ``sla.breach`` from the SLA clock, ``customer.replied`` from outside — fires the first
transition of the workflow whose ``from`` is the current stage (or ``*``), whose ``on`` is the
event and whose guards all hold: its actions run, then the request enters its ``to`` stage and
that stage's ``onEnter`` actions run. Entering a stage is itself the event ``stage.entered``.

Events raised while a step runs (a status the step sets is ``status.<status>``) are queued and
handled after it, in order; more than ``MAX_STEPS`` from one change is a workflow that loops:
409, and nothing of the change is kept. Requests that are cancelled, rejected or closed take
no events (reopening is ``request.reopened``, once the request is in progress again).

Invariants kept here and by the service: a request is never resolved or closed while a task is
open or claimed (409), and cancelling or rejecting it cancels its unfinished tasks.
"""

import structlog

from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.errors import Conflict, NotFound
from parley.outbox.service import OutboxService
from parley.requests import lifecycle as lc
from parley.requests.catalogue import sla_target
from parley.requests.presentation import present
from parley.requests.workflow.definitions import ANY_STAGE, stage_of
from parley.requests.workflow.models import OPEN, WorkflowDefinition
from parley.requests.workflow.repository import WorkflowRepository
from parley.requests.workflow.rules import ACTIONS, GUARDS, Step
from parley.requests.workflow.task_records import TaskRecords

log = structlog.get_logger(__name__)
MAX_STEPS = 50
START = "(start)"  # entering the initial stage; no event name can look like it
NO_TASKS_WHEN = frozenset({lc.RESOLVED, lc.CLOSED})
ENDS_TASKS = frozenset({lc.CANCELLED, lc.REJECTED})


class WorkflowEngine:
    def __init__(self, uow: UnitOfWork, requests):
        """``requests``: the RequestService whose transitions the engine uses."""
        self.uow, self.session = uow, uow.session
        self.requests = requests
        self.repo = WorkflowRepository(uow.session)
        self._definitions: dict[str, WorkflowDefinition | None] = {}
        self._pending: list[tuple[object, str, tuple[str, ...] | None]] = []
        self._running = False
        self._records: TaskRecords | None = None

    @property
    def records(self) -> TaskRecords:
        if self._records is None:
            self._records = TaskRecords(self.uow)
        return self._records

    # -- entry points ----------------------------------------------------------------------

    def start(self, row, request_type) -> None:
        """A request just taken enters its type's workflow, if the type names an active one."""
        code = request_type.document.get("workflow")
        if request_type.fulfilment_mode != "workflow" or not code:
            return
        definition = self.definition(code)
        if definition is None or definition.status != "active":
            log.warning("request takes no workflow", request=row.id, workflow=code)
            return
        row.workflow_code = code
        self.handle(row, START)  # queued: what entering does runs as any other step

    def handle(self, row, event: str, roles: tuple[str, ...] | None = None) -> None:
        """Tell the request's workflow that ``event`` happened (the caller locked the row)."""
        self._pending.append((row, event, roles))
        self.drain()

    def signal(self, request_id: str, event: str, expected_version=None):
        """An event from outside (``customer.replied``, ...) for one request."""
        row = self.requests._locked(request_id, expected_version)
        if row.workflow_code is None:
            raise Conflict(f"request {request_id} follows no workflow")
        if row.status in lc.FINAL:
            raise Conflict(f"request {request_id} is {row.status}: it takes no more events")
        self.handle(row, event)
        return row

    def drain(self) -> None:
        """Handle the queued events, and those they raise, in order."""
        if self._running:
            return
        self._running, steps = True, 0
        try:
            while self._pending:
                steps += 1
                if steps > MAX_STEPS:
                    raise Conflict(
                        f"workflow: more than {MAX_STEPS} steps from one change; the workflow "
                        "loops (check its transitions)"
                    )
                row, event, roles = self._pending.pop(0)
                self._fire(row, event, roles)
        finally:
            self._running = False
            self._pending.clear()

    # -- what the RequestService tells the engine ------------------------------------------

    def before_move(self, row, wanted: str) -> None:
        # Only the engine makes tasks, so a request that follows no workflow has none.
        if wanted in NO_TASKS_WHEN and row.workflow_code is not None:
            open_ones = self.unfinished(row)
            if open_ones:
                names = ", ".join(f"{t.name} ({t.status})" for t in open_ones)
                raise Conflict(f"status: the request has unfinished tasks: {names}")

    def after_move(self, row, old: str, wanted: str, reason) -> None:
        if wanted in ENDS_TASKS:
            self.records.cancel_unfinished(row, reason)
        if row.workflow_code is None:
            return
        event = "request.reopened" if (old, wanted) in lc.REOPENING else f"status.{wanted}"
        self._pending.append((row, event, None))  # handled once the change is complete

    def status_extras(self, row, for_customer: bool) -> dict:
        """What Provide Request Status adds: the tasks, the stage, the next step it promises."""
        tasks = self.repo.tasks_of(row.id)
        extras = {"tasks": [self.records.view(t, for_customer) for t in tasks]}
        definition = self.definition(row.workflow_code) if row.workflow_code else None
        stage = stage_of(definition.document, row.workflow_stage) if definition else None
        if stage is not None:
            extras["workflowStage"] = {"code": stage["code"], "name": stage["name"]}
            if row.status in (lc.ACKNOWLEDGED, lc.IN_PROGRESS) and stage.get("nextStep"):
                extras["nextExpectedStep"] = stage["nextStep"]
        return extras

    # -- what guards and actions use -------------------------------------------------------

    def unfinished(self, row, stage: str | None = None):
        return self.repo.unfinished(row.id, stage)

    def roles_of_actor(self) -> tuple[str, ...]:
        actor = self.uow.actor
        if actor is None or actor.user_id is None:
            return ()
        users = UserService(self.uow)
        try:
            user = users.get_user(actor.user_id)
        except NotFound:
            return ()
        return tuple(users.roles_of([user]).get(user.id, []))

    def create_task(self, row, queue_code: str, name: str, assign_to: str | None) -> None:
        if row.status in NO_TASKS_WHEN or row.status in lc.FINAL:
            raise Conflict(f"workflow: a {row.status} request takes no new task ({name})")
        queue = self.records.queue_by_code(queue_code)
        task = self.records.create(row, queue, row.workflow_stage, name)
        if assign_to:
            self._assign(task, assign_to)

    def assign(self, row, task_name: str | None, username: str) -> None:
        for task in self.unfinished(row, row.workflow_stage):
            if task_name is None or task.name == task_name:
                self._assign(task, username)

    def notify(self, row, request_type, milestone, template, message) -> None:
        notifier = self.requests.notifier
        if milestone:
            notifier.milestone(row, request_type, milestone, message or "")
        else:
            notifier.send(row, request_type, template, template, message or "")

    def set_status(self, row, status: str, reason, outcome=None, resolution_code=None) -> None:
        if row.status != status:
            self.requests._transition(row, status, reason, outcome, resolution_code)

    def escalate(self, row, request_type, raise_priority: bool, queue_code, reason) -> None:
        reason = reason or "escalated"
        index = lc.PRIORITIES.index(row.priority)
        if raise_priority and index > 0:
            before = present(row, self.requests.history(row.id))
            row.priority = lc.PRIORITIES[index - 1]
            row.expected_resolution_at = row.created_at + sla_target(request_type, row.priority)
            self.requests.sla.retarget(row, request_type)  # paused time still counts
            row.document = {**row.document, "priority": row.priority}
            self.repo.add(row)
            after = present(row, self.requests.history(row.id))
            self.uow.record(
                "troubleTicket", "escalate", row.id, before=before, after=after, event=after
            )
        if queue_code:
            queue = self.records.queue_by_code(queue_code)
            for task in self.unfinished(row):
                self.records.change(
                    task,
                    "escalate",
                    queue_id=queue.id,
                    status=OPEN,
                    assignee_id=None,
                    assignee=None,
                    claimed_at=None,
                    reason=f"escalated: {reason}"[:500],
                )

    def callout(self, row, params: dict, event: str) -> None:
        destination = {k: params[k] for k in ("url", "secret") if k in params}
        payload = {
            "eventType": params.get("eventType") or f"workflow.{event}",
            "request": {
                "id": row.id,
                "@referredType": "TroubleTicket",  # its href is made when sent (parley.links)
                "ticketType": row.document.get("ticketType"),
                "status": row.status,
                "priority": row.priority,
                "workflow": row.workflow_code,
                "stage": row.workflow_stage,
            },
        }
        OutboxService(self.uow).enqueue("webhook", destination, payload)

    # -- the steps -------------------------------------------------------------------------

    def definition(self, code: str) -> WorkflowDefinition | None:
        if code not in self._definitions:
            self._definitions[code] = self.repo.workflow_by_code(code)
        return self._definitions[code]

    def _fire(self, row, event: str, roles) -> None:
        if row.status in lc.FINAL or row.workflow_code is None:
            return
        definition = self.definition(row.workflow_code)
        if definition is None:
            return
        if event == START:
            self._enter(row, definition, definition.document["initialStage"])
            return
        request_type = self.requests.catalogue.get(row.type_id)
        step = Step(self, row, request_type, event, roles)
        for transition in definition.document["transitions"]:
            if transition["on"] != event or transition["from"] not in (
                ANY_STAGE,
                row.workflow_stage,
            ):
                continue
            guards = transition.get("when") or []
            if not all(GUARDS[g["guard"]].holds(g, step) for g in guards):
                continue
            self._run(transition.get("do") or [], step)
            if transition.get("to"):
                self._enter(row, definition, transition["to"], step)
            return

    def _enter(self, row, definition, stage_code: str, step: Step | None = None) -> None:
        old = row.workflow_stage
        row.workflow_stage = stage_code
        self.repo.add(row)
        self.uow.record(
            "troubleTicket",
            "stage",
            row.id,
            before={"workflowStage": old},
            after={"workflowStage": stage_code},
        )
        if step is None:
            request_type = self.requests.catalogue.get(row.type_id)
            step = Step(self, row, request_type, "stage.entered")
        stage = stage_of(definition.document, stage_code)
        self._run(stage.get("onEnter") or [], step)
        self._pending.append((row, "stage.entered", step.roles))

    def _run(self, actions: list[dict], step: Step) -> None:
        for action in actions:
            ACTIONS[action["action"]].run(action, step)

    def _assign(self, task, username: str) -> None:
        try:
            user, roles = self.records.staff_user(username)
        except NotFound:
            log.warning("workflow assignment skipped: no such staff user", user=username)
            return
        if not set(roles) & set(self.records.queue(task.queue_id).roles):
            log.warning("workflow assignment skipped: user may not work the queue", user=username)
            return
        self.records.assign(task, user)
