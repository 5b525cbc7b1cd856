"""Working tasks: agents claim tasks from the queues their roles work, complete them with a note
or hand them back with a reason; supervisors assign them. A completed or handed-back task is an
event for the request's workflow, which may move the request on by itself.

Rules: only holders of a role the queue names work its tasks (403); a task claimed by another
cannot be completed or handed back unless one supervises (``Worker.supervisor``: 409); tasks
of a request on hold are not worked until it resumes (409); ``version`` (the ETag) refuses a
change based on a stale read (412). The service never commits.
"""

from dataclasses import dataclass

from sqlalchemy import or_

from parley.changes import UnitOfWork
from parley.db.base import storable_id, utcnow
from parley.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from parley.requests import lifecycle as lc
from parley.requests.service import RequestService
from parley.requests.workflow.models import CLAIMED, DONE, OPEN, TASK_STATUSES, RequestTask
from parley.requests.workflow.repository import WorkflowRepository
from parley.requests.workflow.task_records import TaskRecords


@dataclass(frozen=True)
class Worker:
    """How the acting user (the unit of work's) works tasks: the roles they hold, and whether
    they supervise (may assign, and complete or hand back tasks claimed by others)."""

    roles: tuple[str, ...]
    supervisor: bool = False


class TaskService:
    def __init__(self, uow: UnitOfWork, worker: Worker | None = None):
        self.uow, self.worker = uow, worker
        self.repo = WorkflowRepository(uow.session)
        self.requests = RequestService(uow)
        self.records = TaskRecords(uow)

    # -- reading ---------------------------------------------------------------------------

    def get(self, task_id: str) -> RequestTask:
        task = self.repo.task(task_id) if storable_id(task_id, 36) else None
        if task is None:
            raise NotFound(f"No task with id {task_id}")
        return task

    def list_tasks(
        self, queue=None, status=None, assignee=None, request_id=None, offset=0, limit=50
    ):
        """Tasks oldest first; ``assignee`` is a user id."""
        conditions = []
        if queue is not None:
            found = self.repo.queue_by_code(queue) if storable_id(queue, 64) else None
            if found is None:
                raise InvalidInput(f"queue: no task queue {queue}", "queue")
            conditions.append(RequestTask.queue_id == found.id)
        if status is not None:
            if status not in TASK_STATUSES:
                raise InvalidInput(f"status: one of {', '.join(TASK_STATUSES)}", "status")
            conditions.append(RequestTask.status == status)
        if assignee is not None:
            conditions.append(RequestTask.assignee_id == assignee)
        if request_id is not None:
            conditions.append(RequestTask.request_id == request_id)
        return self.repo.list_tasks(conditions, offset, limit)

    def work_list(self, user_id: str, roles: tuple[str, ...], limit: int = 100):
        """What an agent works on: the tasks they hold (claimed), and the unfinished tasks of
        the queues their roles work (open ones to claim, and who holds the claimed ones);
        each as a row of the task, its queue, its request's reference, priority, customer,
        type name and SLA clock, the soonest due first."""
        mine = self.repo.work_list(
            [RequestTask.status == CLAIMED, RequestTask.assignee_id == user_id], limit
        )
        queues = [q.id for q in self.repo.queues() if set(q.roles) & set(roles)]
        queued = []
        if queues:
            queued = self.repo.work_list(
                [
                    RequestTask.queue_id.in_(queues),
                    RequestTask.status.in_((OPEN, CLAIMED)),
                    or_(RequestTask.assignee_id.is_(None), RequestTask.assignee_id != user_id),
                ],
                limit,
            )
        return mine, queued

    def view(self, task: RequestTask) -> dict:
        return self.records.view(task)

    # -- working ---------------------------------------------------------------------------

    def claim(self, task_id: str, expected_version=None) -> RequestTask:
        request, task = self._locked(task_id, expected_version)
        self._may_work(task)
        self._not_on_hold(request)
        actor = self.uow.writer()
        if task.status == CLAIMED and task.assignee_id == actor.user_id:
            return task
        if task.status != OPEN:
            raise Conflict(f"task: it is {task.status}{_by(task)}; only an open task is claimed")
        return self.records.change(
            task,
            "claim",
            status=CLAIMED,
            assignee_id=actor.user_id,
            assignee=actor.name,
            claimed_at=utcnow(),
        )

    def complete(self, task_id: str, note: str | None, expected_version=None) -> RequestTask:
        request, task = self._locked(task_id, expected_version)
        self._may_work(task)
        self._not_on_hold(request)
        self._unfinished_and_mine(task, "completed")
        actor = self.uow.writer()
        claim = (
            {}
            if task.status == CLAIMED
            else {"assignee_id": actor.user_id, "assignee": actor.name, "claimed_at": utcnow()}
        )
        self.records.change(
            task, "complete", status=DONE, note=note, completed_at=utcnow(), **claim
        )
        self.requests.workflow.handle(request, "task.completed", self._worker().roles)
        return task

    def hand_back(self, task_id: str, reason: str, expected_version=None) -> RequestTask:
        request, task = self._locked(task_id, expected_version)
        self._may_work(task)
        if task.status != CLAIMED:
            raise Conflict(f"task: it is {task.status}; only a claimed task is handed back")
        self._unfinished_and_mine(task, "handed back")
        self.records.change(
            task,
            "handBack",
            status=OPEN,
            assignee_id=None,
            assignee=None,
            claimed_at=None,
            reason=reason[:500],
        )
        self.requests.workflow.handle(request, "task.handedBack", self._worker().roles)
        return task

    def assign(self, task_id: str, username: str, expected_version=None) -> RequestTask:
        if not self._worker().supervisor:
            raise Forbidden("assigning tasks is for supervisors (task:assign)")
        request, task = self._locked(task_id, expected_version)
        if task.status not in (OPEN, CLAIMED):
            raise Conflict(f"task: it is {task.status}; only an open or claimed task is assigned")
        try:
            user, roles = self.records.staff_user(username)
        except NotFound as problem:
            raise InvalidInput(f"assignee: {problem.message}", "assignee") from None
        queue = self.records.queue(task.queue_id)
        if not set(roles) & set(queue.roles):
            raise InvalidInput(
                f"assignee: {user.username} holds no role that works the queue {queue.code} "
                f"({', '.join(queue.roles)})",
                "assignee",
            )
        self.records.assign(task, user)
        self.requests.workflow.handle(request, "task.assigned", self._worker().roles)
        return task

    # -- rules -----------------------------------------------------------------------------

    def _locked(self, task_id: str, expected_version):
        """The task's request and the task, both locked (request first: the engine may change
        it, and every writer takes the two in this order)."""
        task = self.get(task_id)
        request = self.requests.get(task.request_id, for_update=True)
        task = self.repo.task(task.id, for_update=True)
        if expected_version is not None and task.version != expected_version:
            raise PreconditionFailed(
                f"the task was changed since you read it (now version {task.version}); "
                "read it again and repeat"
            )
        return request, task

    def _may_work(self, task: RequestTask) -> None:
        queue = self.records.queue(task.queue_id)
        if not set(self._worker().roles) & set(queue.roles):
            raise Forbidden(
                f"the queue {queue.code} is worked by {', '.join(queue.roles)}; "
                f"{self.uow.writer().name} holds none of those roles"
            )

    def _unfinished_and_mine(self, task: RequestTask, what: str) -> None:
        if task.status not in (OPEN, CLAIMED):
            raise Conflict(f"task: it is {task.status} already")
        worker = self._worker()
        theirs = task.status == CLAIMED and task.assignee_id != self.uow.writer().user_id
        if theirs and not worker.supervisor:
            raise Conflict(
                f"task: claimed by {task.assignee}; only they or a supervisor may have it {what}"
            )

    def _not_on_hold(self, request) -> None:
        if request.status == lc.HELD:
            raise Conflict("task: the request is on hold; its tasks wait until it resumes")

    def _worker(self) -> Worker:
        if self.worker is None:
            raise RuntimeError("working tasks needs a worker to record in the audit trail")
        return self.worker


def _by(task: RequestTask) -> str:
    return f" by {task.assignee}" if task.status == CLAIMED and task.assignee else ""
