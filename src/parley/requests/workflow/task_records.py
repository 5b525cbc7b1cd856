"""Writing request tasks: every change is audited and emitted as a domain event
(``requestTask``), whoever makes it — an agent through the tasks API or the workflow engine.
Also how a task is shown, to staff and (without staff names) to the customer."""

import copy

from parley.auth.users import UserService
from parley.changes import CREATE, UPDATE, UnitOfWork
from parley.db.base import iso, new_id, utcnow
from parley.errors import Conflict, NotFound
from parley.live.messages import LiveMessage
from parley.requests.workflow.models import CANCELLED, CLAIMED, OPEN, RequestTask, TaskQueue
from parley.requests.workflow.repository import WorkflowRepository

RESOURCE = "requestTask"


class TaskRecords:
    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.repo = WorkflowRepository(uow.session)
        self._queues: dict[str, TaskQueue] = {}

    def queue(self, queue_id: str) -> TaskQueue:
        if queue_id not in self._queues:
            self._queues[queue_id] = self.repo.queue(queue_id)
        return self._queues[queue_id]

    def queue_by_code(self, code: str) -> TaskQueue:
        queue = self.repo.queue_by_code(code)
        if queue is None:  # the workflow named it when saved; it was removed since
            raise Conflict(f"task queue {code} no longer exists; the workflow needs changing")
        self._queues[queue.id] = queue
        return queue

    def create(self, request, queue: TaskQueue, stage: str, name: str) -> RequestTask:
        now = utcnow()
        task = RequestTask(
            id=new_id(),
            request_id=request.id,
            queue_id=queue.id,
            stage=stage,
            name=name,
            status=OPEN,
            created_at=now,
            updated_at=now,
        )
        self.repo.add(task)
        shown = self.view(task)
        self.uow.record(RESOURCE, CREATE, task.id, after=shown, event=shown)
        return task

    def change(self, task: RequestTask, action: str = UPDATE, **values) -> RequestTask:
        """Set ``values`` on the task, audited (``action``, a verb other than create/delete)
        and told as an update event."""
        before = self.view(task)
        for key, value in values.items():
            setattr(task, key, value)
        task.updated_at = utcnow()
        self.repo.add(task)
        after = self.view(task)
        self.uow.record(RESOURCE, action, task.id, before=before, after=after, event=after)
        return task

    def staff_user(self, username: str):
        """The enabled staff user named ``username`` and their roles (NotFound otherwise)."""
        users = UserService(self.uow)
        user = users.get_by_username(username)
        if user.kind != "staff" or user.disabled:
            raise NotFound(f"No staff user named {username} who may work tasks")
        return user, tuple(users.roles_of([user]).get(user.id, []))

    def assign(self, task: RequestTask, user, action: str = "assign") -> RequestTask:
        return self.change(
            task,
            action,
            status=CLAIMED,
            assignee_id=user.id,
            assignee=user.username,
            claimed_at=utcnow(),
        )

    def cancel_unfinished(self, request, reason: str | None) -> None:
        for task in self.repo.unfinished(request.id):
            self.change(
                task,
                "cancel",
                status=CANCELLED,
                reason=(reason or "the request ended")[:500],
                completed_at=utcnow(),
            )

    def view(self, task: RequestTask, for_customer: bool = False) -> dict:
        queue = self.queue(task.queue_id)
        return task_view(task, queue, for_customer)


def task_view(task: RequestTask, queue: TaskQueue, for_customer=False) -> dict:
    """A task as served; its href and its request's are made by the edge (``linked_task``)."""
    body = {
        "id": task.id,
        "name": task.name,
        "status": task.status,
        "stage": task.stage,
        "queue": {"code": queue.code, "name": queue.name},
        "creationDate": iso(task.created_at),
        "completionDate": iso(task.completed_at) if task.completed_at else None,
    }
    if for_customer:  # the customer sees the work, not who on the staff does it
        return body
    body.update(
        {
            "request": {"id": task.request_id},
            "assignee": {"id": task.assignee_id, "name": task.assignee} if task.assignee else None,
            "note": task.note,
            "reason": task.reason,
            "claimDate": iso(task.claimed_at) if task.claimed_at else None,
            "lastUpdate": iso(task.updated_at),
            "version": task.version,
        }
    )
    return copy.deepcopy(body)


def live_message_of(event: dict) -> LiveMessage:
    """The live message of a task's event: for everyone who reads tasks (the lists re-read
    what they show, as their reader may see it)."""
    document = event["document"]
    data = {
        "status": document.get("status"),
        "queue": (document.get("queue") or {}).get("code"),
        "assignee": (document.get("assignee") or {}).get("name"),
        "request": (document.get("request") or {}).get("id"),
    }
    return LiveMessage("task", event["resourceId"], data)
