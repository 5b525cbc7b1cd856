"""The workflow engine of Manage Request: workflow definitions (data), task queues, the tasks of
each request, the request's workflow and stage; seeded queues and workflows; the workflow
types of the request catalogue name their workflow; permissions to work tasks.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

import copy
from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.migrations.grants import grant, revoke

# Data, imported rather than copied (as 0010 does for the request types): a fresh installation
# starts with today's defaults, an existing one keeps what its administrators made of them.
from parley.requests.defaults import DEFAULT_REQUEST_TYPES
from parley.requests.workflow.defaults import DEFAULT_QUEUES, DEFAULT_WORKFLOWS

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_WORK = ["task:read", "task:work"]
NEW_GRANTS = {
    "agent": _WORK,
    "supervisor": [*_WORK, "task:assign"],
    "administrator": [*_WORK, "task:assign", "workflow:write"],
}


def upgrade() -> None:
    with op.batch_alter_table("customer_request") as batch:
        batch.add_column(sa.Column("workflow_code", sa.String(64)))
        batch.add_column(sa.Column("workflow_stage", sa.String(64)))
    workflows = op.create_table(
        "workflow_definition",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'retired')", name="status"),
    )
    queues = op.create_table(
        "task_queue",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("roles", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "request_task",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "request_id",
            sa.String(36),
            sa.ForeignKey("customer_request.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "queue_id",
            sa.String(36),
            sa.ForeignKey("task_queue.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee_id", sa.String(36)),
        sa.Column("assignee", sa.String(150)),
        sa.Column("note", sa.String(2000)),
        sa.Column("reason", sa.String(500)),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime()),
        sa.Column("completed_at", UTCDateTime()),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'claimed', 'done', 'cancelled')", name="status"),
    )
    op.create_index("ix_request_task_request_id", "request_task", ["request_id"])
    op.create_index(
        "ix_request_task_queue_status", "request_task", ["queue_id", "status", "created_at"]
    )
    op.create_index("ix_request_task_assignee_status", "request_task", ["assignee_id", "status"])
    now = datetime.now(UTC)
    op.bulk_insert(
        queues,
        [
            {**copy.deepcopy(q), "id": str(uuid4()), "created_at": now, "updated_at": now}
            for q in DEFAULT_QUEUES
        ],
    )
    op.bulk_insert(
        workflows,
        [
            {
                "id": str(uuid4()),
                "code": w["code"],
                "name": w["name"],
                "status": w["status"],
                "version": 1,
                "document": copy.deepcopy(w),
                "created_at": now,
                "updated_at": now,
            }
            for w in DEFAULT_WORKFLOWS
        ],
    )
    _name_workflows(add=True)
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    _name_workflows(add=False)
    op.drop_table("request_task")
    op.drop_table("task_queue")
    op.drop_table("workflow_definition")
    with op.batch_alter_table("customer_request") as batch:
        batch.drop_column("workflow_stage")
        batch.drop_column("workflow_code")


def _name_workflows(add: bool) -> None:
    """The seeded workflow types name their workflow (types an administrator pointed
    elsewhere, or turned automatic, are left as they are)."""
    named = {t["code"]: t["workflow"] for t in DEFAULT_REQUEST_TYPES if t.get("workflow")}
    types = sa.table(
        "request_type",
        sa.column("id", sa.String),
        sa.column("code", sa.String),
        sa.column("fulfilment_mode", sa.String),
        sa.column("document", JSONDocument),
    )
    bind = op.get_bind()
    query = sa.select(types.c.id, types.c.code, types.c.fulfilment_mode, types.c.document)
    for type_id, code, mode, document in bind.execute(query).all():
        if code not in named:
            continue
        document = dict(document)
        if add and mode == "workflow" and "workflow" not in document:
            document["workflow"] = named[code]
        elif not add and document.get("workflow") == named[code]:
            document.pop("workflow")
        else:
            continue
        bind.execute(types.update().where(types.c.id == type_id).values(document=document))
