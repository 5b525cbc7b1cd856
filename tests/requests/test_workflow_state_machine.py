"""The workflow engine under random sequences of task work (claim, complete, hand back,
assign), request moves (hold, pending, resolve, close, cancel, reopen) and events (a customer's
reply, SLA warnings and breaches, unknown ones), each one unit of work committed or refused as
an edge would. Whatever the sequence: the status is always a TMF621 one reached by an allowed
move, the history chains, no request is resolved or closed with unfinished tasks, and a
cancelled request has none."""

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.errors import DomainError
from parley.requests import lifecycle as lc
from parley.requests.models import CustomerRequest, RequestStatusChange
from parley.requests.service import RequestService
from parley.requests.tasks import TaskService, Worker
from parley.requests.workflow.definitions import stage_of
from parley.requests.workflow.models import CLAIMED, DONE, OPEN, UNFINISHED, RequestTask
from parley.requests.workflow.repository import WorkflowRepository
from tests.auth.helpers import make_user
from tests.factories import create_customer
from tests.requests.helpers import ticket_payload

EVENTS = ("customer.replied", "sla.warning", "sla.breach", "partner.noticed")
BOUNDED = hypothesis_settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


class RequestWorkflowMachine(RuleBasedStateMachine):
    def __init__(self, session, config, customer: dict, workers: list[tuple[Actor, Worker]]):
        super().__init__()
        self.session, self.config, self.customer = session, config, customer
        self.workers, self.request_id = workers, None
        self.outcomes: list[str] = []

    # -- set-up and actions ----------------------------------------------------------------

    @initialize(kind=st.sampled_from(["fault.repair", "bill.dispute"]))
    def take_a_request(self, kind):
        extra = {"troubleTicketCharacteristic": [{"name": "billNumber", "value": "B-1"}]}
        document = ticket_payload(self.customer, ticketType=kind, **extra)
        row = self._requests().create(document)
        self.request_id = row.id
        self.session.commit()

    @rule(who=st.integers(0, 2), index=st.integers(0, 5))
    def claim(self, who, index):
        self._attempt(lambda: self._tasks(who).claim(self._task_id(index)))

    @rule(who=st.integers(0, 2), index=st.integers(0, 5))
    def complete(self, who, index):
        self._attempt(lambda: self._tasks(who).complete(self._task_id(index), "done"))

    @rule(who=st.integers(0, 2), index=st.integers(0, 5))
    def hand_back(self, who, index):
        self._attempt(lambda: self._tasks(who).hand_back(self._task_id(index), "busy"))

    @rule(index=st.integers(0, 5), to=st.sampled_from(["kim", "lee"]))
    def assign(self, index, to):
        self._attempt(lambda: self._tasks(2).assign(self._task_id(index), to))

    @rule(status=st.sampled_from(["held", "pending", "inProgress", "resolved"]))
    def move(self, status):
        def patch():
            row = self._requests().get(self.request_id)
            document = {**row.document, "status": status, "statusChangeReason": "random"}
            self._requests().replace(self.request_id, document)

        self._attempt(patch)

    @rule(outcome=st.sampled_from(lc.OUTCOMES))
    def close(self, outcome):
        self._attempt(lambda: self._requests().close(self.request_id, outcome, "random"))

    @rule()
    def cancel(self):
        self._attempt(lambda: self._requests().cancel(self.request_id, "changed my mind"))

    @rule()
    def reopen(self):
        self._attempt(lambda: self._requests().reopen(self.request_id, "it is back"))

    @rule(event=st.sampled_from(EVENTS))
    def event(self, event):
        def handle():
            service = self._requests()
            row = service.get(self.request_id, for_update=True)
            service.workflow.handle(row, event)

        self._attempt(handle)

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def the_request_is_consistent(self):
        if self.request_id is None:
            return
        row = self.session.get(CustomerRequest, self.request_id, populate_existing=True)
        history = self.session.scalars(
            select(RequestStatusChange)
            .where(RequestStatusChange.request_id == row.id)
            .order_by(RequestStatusChange.id)
        ).all()
        tasks = self.session.scalars(
            select(RequestTask).where(RequestTask.request_id == row.id)
        ).all()
        self.session.rollback()

        assert row.status in lc.STATUSES
        assert (history[0].from_status, history[0].status) == (None, lc.ACKNOWLEDGED)
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_status == before.status, (before.status, after.from_status)
            assert after.status in lc.TRANSITIONS[before.status], (before.status, after.status)
        assert history[-1].status == row.status
        unfinished = [t for t in tasks if t.status in UNFINISHED]
        if row.status in (lc.RESOLVED, lc.CLOSED, lc.CANCELLED, lc.REJECTED):
            assert not unfinished, (row.status, [(t.name, t.status) for t in unfinished])
        if row.status == lc.CLOSED:
            assert row.outcome in lc.OUTCOMES and row.resolution_code
        for task in tasks:
            if task.status in (CLAIMED, DONE):
                assert task.assignee_id is not None, task.status
            if task.status == OPEN:
                assert task.assignee_id is None and task.completed_at is None
        workflow = WorkflowRepository(self.session).workflow_by_code(row.workflow_code)
        assert stage_of(workflow.document, row.workflow_stage) is not None
        self.session.rollback()

    # -- helpers ---------------------------------------------------------------------------

    def _attempt(self, change) -> None:
        """One unit of work: committed, or refused with a domain error and rolled back."""
        try:
            change()
        except DomainError as refused:
            self.session.rollback()
            self.outcomes.append(type(refused).__name__)
            return
        self.session.commit()
        self.outcomes.append("done")

    def _requests(self) -> RequestService:
        return RequestService(self._work(0))

    def _tasks(self, who: int) -> TaskService:
        return TaskService(self._work(who), self.workers[who][1])

    def _work(self, who: int) -> UnitOfWork:
        return UnitOfWork(self.session, self.config, self.workers[who][0])

    def _task_id(self, index: int) -> str:
        work = UnitOfWork(self.session, self.config)
        tasks, _ = TaskService(work).list_tasks(request_id=self.request_id)
        return tasks[index % len(tasks)].id if tasks else "no-task"


def test_random_work_never_breaks_the_request_s_invariants(client, session, settings):
    customer = create_customer(client)
    workers = []
    for name, role in (("kim", "agent"), ("lee", "agent"), ("sue", "supervisor")):
        user = make_user(session, settings, role, username=name).user
        actor = Actor(name, "test", user_id=user.id)
        workers.append((actor, Worker((role,), supervisor=role == "supervisor")))
    outcomes: list[str] = []

    def machine():
        made = RequestWorkflowMachine(session, settings, customer, workers)
        made.outcomes = outcomes
        return made

    run_state_machine_as_test(machine, settings=BOUNDED)

    # The sequences did real work, and were refused too: the machine explored both sides.
    refusals = set(outcomes) - {"done"}
    assert outcomes.count("done") > 20 and refusals, set(outcomes)
