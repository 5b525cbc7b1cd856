"""SLA clocks of requests (request_sla), with a clock for every request taken before, and the
`request.delayed` notice templates.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

from parley.db.base import UTCDateTime
from parley.notifications.defaults import TEMPLATES_0012

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# What PARLEY_SLA_WARNING_PERCENT defaults to; clocks of earlier requests start with it.
WARNING_PERCENT = 75
STOPPED_STATUSES = ("resolved", "closed", "cancelled", "rejected")


def upgrade() -> None:
    clocks = op.create_table(
        "request_sla",
        sa.Column(
            "request_id",
            sa.String(36),
            sa.ForeignKey("customer_request.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("target_seconds", sa.Integer(), nullable=False),
        sa.Column("warning_percent", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("warn_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("paused_seconds", sa.Float(), nullable=False),
        sa.Column("paused_at", UTCDateTime()),
        sa.Column("pause_reason", sa.String(200)),
        sa.Column("warned_at", UTCDateTime()),
        sa.Column("breached_at", UTCDateTime()),
        sa.Column("stopped_at", UTCDateTime()),
        sa.Column("next_check_at", UTCDateTime()),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("state IN ('running', 'paused', 'stopped')", name="state"),
        sa.CheckConstraint("warning_percent BETWEEN 1 AND 99", name="warning_percent"),
        sa.CheckConstraint("target_seconds > 0", name="target_seconds"),
    )
    op.create_index(
        "ix_request_sla_next_check",
        "request_sla",
        ["next_check_at"],
        postgresql_where=sa.text("next_check_at IS NOT NULL"),
        sqlite_where=sa.text("next_check_at IS NOT NULL"),
    )
    now = datetime.now(UTC)
    earlier = _clocks_of_earlier_requests(now)
    if earlier:
        op.bulk_insert(clocks, earlier)
    templates = sa.table(
        "message_template",
        *(sa.column(name) for name in ("id", "kind", "channel", "language", "category")),
        *(sa.column(name) for name in ("subject", "body", "active")),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    op.bulk_insert(
        templates,
        [
            {
                "id": str(uuid4()),
                "kind": kind,
                "channel": channel,
                "language": language,
                "category": "service",
                "subject": subject,
                "body": body,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for kind, channel, language, subject, body in TEMPLATES_0012
        ],
    )


def _clocks_of_earlier_requests(now: datetime) -> list[dict]:
    """A clock per request there is: from its creation to its expected resolution date,
    paused if pending, stopped if it is resolved or ended (a reopening restarts it)."""
    requests = sa.table(
        "customer_request",
        sa.column("id"),
        sa.column("status"),
        sa.column("priority"),
        sa.column("created_at", UTCDateTime()),
        sa.column("status_changed_at", UTCDateTime()),
        sa.column("expected_resolution_at", UTCDateTime()),
    )
    made = []
    for row in op.get_bind().execute(sa.select(requests)):
        due = row.expected_resolution_at or row.created_at + timedelta(hours=24)
        target = max(round((due - row.created_at).total_seconds()), 1)
        warn = row.created_at + timedelta(seconds=target * WARNING_PERCENT / 100)
        state = (
            "stopped"
            if row.status in STOPPED_STATUSES
            else "paused"
            if row.status == "pending"
            else "running"
        )
        made.append(
            {
                "request_id": row.id,
                "run": 1,
                "state": state,
                "priority": row.priority,
                "target_seconds": target,
                "warning_percent": WARNING_PERCENT,
                "started_at": row.created_at,
                "warn_at": warn,
                "due_at": due,
                "paused_seconds": 0.0,
                "paused_at": row.status_changed_at if state == "paused" else None,
                "pause_reason": "pending" if state == "paused" else None,
                "stopped_at": row.status_changed_at if state == "stopped" else None,
                # Already late ones are raised by the first watch after the upgrade.
                "next_check_at": warn if state == "running" else None,
                "updated_at": now,
            }
        )
    return made


def downgrade() -> None:
    kinds = sorted({kind for kind, *_ in TEMPLATES_0012})
    op.execute(
        sa.text("DELETE FROM message_template WHERE kind IN :kinds").bindparams(
            sa.bindparam("kinds", kinds, expanding=True)
        )
    )
    op.drop_index("ix_request_sla_next_check", table_name="request_sla")
    op.drop_table("request_sla")
