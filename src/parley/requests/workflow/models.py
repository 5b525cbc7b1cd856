"""Tables of the workflow engine: workflow definitions (data), the task queues agents work, and
the tasks of each request.

A workflow's stages, transitions, guards and actions live in its ``document``; a request names
its workflow and current stage in ``customer_request.workflow_code``/``workflow_stage``.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

WORKFLOW_STATUSES = ("active", "retired")
OPEN, CLAIMED, DONE, CANCELLED = "open", "claimed", "done", "cancelled"
TASK_STATUSES = (OPEN, CLAIMED, DONE, CANCELLED)
UNFINISHED = (OPEN, CLAIMED)  # a task still to be worked


class WorkflowDefinition(Base):
    """A workflow as data; ``version`` counts its changes (the ETag)."""

    __tablename__ = "workflow_definition"
    __table_args__ = (CheckConstraint("status IN ('active', 'retired')", name="status"),)

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class TaskQueue(Base):
    """Where tasks wait; ``roles`` are the role names whose holders may work them."""

    __tablename__ = "task_queue"

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestTask(Base):
    """One piece of work on a request, in a queue: open, claimed by an agent, done, cancelled.
    ``version`` is its ETag."""

    __tablename__ = "request_task"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'claimed', 'done', 'cancelled')", name="status"),
        Index("ix_request_task_queue_status", "queue_id", "status", "created_at"),
        Index("ix_request_task_assignee_status", "assignee_id", "status"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("customer_request.id", ondelete="CASCADE"), index=True
    )
    queue_id: Mapped[str] = mapped_column(ForeignKey("task_queue.id", ondelete="RESTRICT"))
    stage: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    assignee_id: Mapped[str | None] = mapped_column(UUIDString)
    assignee: Mapped[str | None] = mapped_column(String(150))
    note: Mapped[str | None] = mapped_column(String(2000))
    reason: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}
