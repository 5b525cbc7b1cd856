"""The supervisors' view of the task queues: how much waits in each (open, claimed), since
when, and how much of it belongs to requests whose SLA is breached or at risk; and a queue's
waiting tasks, the soonest due first, with the staff who may be given them. Reading only:
assigning is ``TaskService.assign``, with its rules."""

from dataclasses import dataclass
from datetime import datetime

from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.db.base import storable_id, utcnow
from parley.errors import NotFound
from parley.requests.sla.models import RequestSla
from parley.requests.workflow.models import RequestTask, TaskQueue
from parley.requests.workflow.repository import WorkflowRepository

MOST_STAFF = 1000  # staff listed as possible assignees (a contact centre, not a city)


@dataclass(frozen=True)
class QueueLoad:
    queue: TaskQueue
    open: int
    claimed: int
    oldest_at: datetime | None
    breached: int
    at_risk: int

    @property
    def waiting(self) -> int:
        return self.open + self.claimed


@dataclass(frozen=True)
class Assignee:
    username: str
    name: str


class QueueBoard:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = WorkflowRepository(uow.session)

    def loads(self, now: datetime | None = None) -> list[QueueLoad]:
        """Every queue, the worst first: breaches, then risks, then how much waits."""
        rows = self.repo.board(now or utcnow())
        loads = [QueueLoad(q, int(o), int(c), old, int(b), int(r)) for q, o, c, old, b, r in rows]
        return sorted(loads, key=lambda x: (-x.breached, -x.at_risk, -x.waiting, x.queue.code))

    def queue(self, code: str) -> TaskQueue:
        found = self.repo.queue_by_code(code) if storable_id(code, 64) else None
        if found is None:
            raise NotFound(f"No task queue {code}")
        return found

    def queue_of(self, task: RequestTask) -> TaskQueue:
        return self.repo.queue(task.queue_id)

    def waiting(
        self, queue: TaskQueue, limit: int = 200
    ) -> list[tuple[RequestTask, RequestSla | None, str]]:
        """(task, its request's SLA clock, the customer's name), the soonest due first."""
        return self.repo.waiting_in(queue.id, limit)

    def assignees(self, queue: TaskQueue) -> list[Assignee]:
        """Active staff holding a role that works the queue: whom ``assign`` accepts."""
        users = UserService(self.uow)
        staff, _ = users.list_users(0, MOST_STAFF, "staff")
        staff = [u for u in staff if not u.disabled]
        roles = users.roles_of(staff)
        works = set(queue.roles)
        return [
            Assignee(u.username, u.display_name or u.username)
            for u in staff
            if works & set(roles.get(u.id, []))
        ]
