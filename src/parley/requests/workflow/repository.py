"""The only place that queries the workflow tables (definitions, queues, tasks)."""

from sqlalchemy import ColumnElement, case, func, select

from parley.db.repository import Repository
from parley.parties.models import Customer
from parley.requests.models import CustomerRequest, RequestType
from parley.requests.sla.models import RUNNING, RequestSla
from parley.requests.workflow.models import (
    CLAIMED,
    OPEN,
    UNFINISHED,
    RequestTask,
    TaskQueue,
    WorkflowDefinition,
)


class WorkflowRepository(Repository):
    # -- definitions -------------------------------------------------------------------------

    def workflow(self, workflow_id: str) -> WorkflowDefinition | None:
        return self.session.get(WorkflowDefinition, workflow_id)

    def workflow_by_code(self, code: str) -> WorkflowDefinition | None:
        query = select(WorkflowDefinition).where(WorkflowDefinition.code == code)
        return self.session.scalar(query)

    def workflows(self) -> list[WorkflowDefinition]:
        query = select(WorkflowDefinition).order_by(WorkflowDefinition.code)
        return list(self.session.scalars(query))

    def types_naming(self, workflow_code: str) -> list[str]:
        """Codes of the request types whose document names the workflow."""
        rows = self.session.execute(select(RequestType.code, RequestType.document)).all()
        return sorted(code for code, document in rows if document.get("workflow") == workflow_code)

    def stages_in_use(self, workflow_code: str) -> set[str]:
        """Stages where requests of the workflow stand now."""
        query = (
            select(CustomerRequest.workflow_stage)
            .where(CustomerRequest.workflow_code == workflow_code)
            .distinct()
        )
        return {stage for stage in self.session.scalars(query) if stage}

    # -- queues ------------------------------------------------------------------------------

    def queue(self, queue_id: str) -> TaskQueue | None:
        return self.session.get(TaskQueue, queue_id)

    def queue_by_code(self, code: str) -> TaskQueue | None:
        return self.session.scalar(select(TaskQueue).where(TaskQueue.code == code))

    def queues(self) -> list[TaskQueue]:
        return list(self.session.scalars(select(TaskQueue).order_by(TaskQueue.code)))

    def queue_has_tasks(self, queue_id: str) -> bool:
        query = select(RequestTask.id).where(RequestTask.queue_id == queue_id).limit(1)
        return self.session.scalar(query) is not None

    # -- tasks -------------------------------------------------------------------------------

    def task(self, task_id: str, for_update: bool = False) -> RequestTask | None:
        query = select(RequestTask).where(RequestTask.id == task_id)
        if for_update:  # and read afresh: a lock is taken to act on the current row
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(query)

    def tasks_of(self, request_id: str) -> list[RequestTask]:
        query = select(RequestTask).where(RequestTask.request_id == request_id)
        return list(self.session.scalars(query.order_by(RequestTask.created_at, RequestTask.id)))

    def unfinished(self, request_id: str, stage: str | None = None) -> list[RequestTask]:
        query = select(RequestTask).where(
            RequestTask.request_id == request_id, RequestTask.status.in_(UNFINISHED)
        )
        if stage is not None:
            query = query.where(RequestTask.stage == stage)
        return list(self.session.scalars(query.order_by(RequestTask.created_at, RequestTask.id)))

    def list_tasks(
        self, conditions: list[ColumnElement], offset: int, limit: int
    ) -> tuple[list[RequestTask], int]:
        total = self.session.scalar(
            select(func.count()).select_from(RequestTask).where(*conditions)
        )
        rows = self.session.scalars(
            select(RequestTask)
            .where(*conditions)
            .order_by(RequestTask.created_at, RequestTask.id)
            .offset(offset)
            .limit(limit)
        )
        return list(rows), total or 0

    # -- the supervisors' board --------------------------------------------------------------

    def board(self, now) -> list:
        """Per queue: unfinished tasks (open, claimed), the oldest's creation, and how many
        belong to requests whose SLA clock runs and is breached or at risk at ``now``."""
        running = RequestSla.state == RUNNING
        breached = running & (RequestSla.breached_at.is_not(None) | (RequestSla.due_at <= now))
        at_risk = (
            running & ~breached & (RequestSla.warned_at.is_not(None) | (RequestSla.warn_at <= now))
        )
        unfinished = RequestTask.status.in_(UNFINISHED)

        def counting(condition) -> ColumnElement:
            return func.coalesce(func.sum(case((unfinished & condition, 1), else_=0)), 0)

        query = (
            select(
                TaskQueue,
                counting(RequestTask.status == OPEN),
                counting(RequestTask.status == CLAIMED),
                func.min(case((unfinished, RequestTask.created_at))),
                counting(breached),
                counting(at_risk),
            )
            .outerjoin(RequestTask, RequestTask.queue_id == TaskQueue.id)
            .outerjoin(RequestSla, RequestSla.request_id == RequestTask.request_id)
            .group_by(TaskQueue.id)
            .order_by(TaskQueue.code)
        )
        return list(self.session.execute(query).all())

    def waiting_in(self, queue_id: str, limit: int) -> list[tuple]:
        """A queue's unfinished tasks with their request's SLA clock and customer's name (None:
        a ticket for no customer): the soonest due first (tasks of requests without a clock
        last, oldest first)."""
        query = (
            select(RequestTask, RequestSla, Customer.name)
            .join(CustomerRequest, CustomerRequest.id == RequestTask.request_id)
            .outerjoin(Customer, Customer.id == CustomerRequest.customer_id)
            .outerjoin(RequestSla, RequestSla.request_id == RequestTask.request_id)
            .where(RequestTask.queue_id == queue_id, RequestTask.status.in_(UNFINISHED))
            .order_by(RequestSla.due_at.is_(None), RequestSla.due_at, RequestTask.created_at)
            .limit(limit)
        )
        return [tuple(row) for row in self.session.execute(query).all()]

    def work_list(self, conditions: list[ColumnElement], limit: int) -> list:
        """Tasks with their queue, request, request type and SLA clock, the soonest due first
        (tasks of requests without a clock last, oldest first)."""
        query = (
            select(
                RequestTask,
                TaskQueue,
                CustomerRequest.reference,
                CustomerRequest.priority,
                CustomerRequest.customer_id,
                RequestType.name.label("type_name"),
                RequestSla,
            )
            .join(TaskQueue, TaskQueue.id == RequestTask.queue_id)
            .join(CustomerRequest, CustomerRequest.id == RequestTask.request_id)
            .join(RequestType, RequestType.id == CustomerRequest.type_id)
            .outerjoin(RequestSla, RequestSla.request_id == RequestTask.request_id)
            .where(*conditions)
            .order_by(
                RequestSla.due_at.is_(None),
                RequestSla.due_at,
                RequestTask.created_at,
                RequestTask.id,
            )
            .limit(limit)
        )
        return list(self.session.execute(query).all())
