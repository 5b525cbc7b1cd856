"""Analytics, the rest of it: what analysis keeps of each customer (the person behind the
account, the area), scheduled delivery of defined reports (schedules and deliveries, and the
files an email carries in the outbox), a staff user's email address, proactive notices of a
problem (and their templates), and the indexes the CSAT and abandoned-session KPIs read by.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-08
"""

from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.notifications.defaults import TEMPLATES_0035

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_customer",
        sa.Column("customer_id", sa.String(36), primary_key=True),
        sa.Column("party_id", sa.String(36)),
        sa.Column("status", sa.String(16)),
        sa.Column("segment", sa.String(64)),
        sa.Column("area", sa.String(32)),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_analytics_customer_area", "analytics_customer", ["area", "status"])
    op.create_index("ix_analytics_customer_party_id", "analytics_customer", ["party_id"])
    _schedules()
    _problem_notices()
    op.create_table(
        "outbox_attachment",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "message_id",
            sa.String(36),
            sa.ForeignKey("outbox_message.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_outbox_attachment_message_id", "outbox_attachment", ["message_id"])
    op.add_column("auth_user", sa.Column("email", sa.String(320)))
    op.create_index(
        "ix_channel_session_started", "channel_session", ["created_at", "channel", "status"]
    )
    op.create_index("ix_satisfaction_survey_created", "satisfaction_survey", ["created_at"])
    op.create_index("ix_satisfaction_survey_answered", "satisfaction_survey", ["answered_at"])
    _seed_templates()


def _schedules() -> None:
    op.create_table(
        "analytics_report_schedule",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "report_id",
            sa.String(36),
            sa.ForeignKey("analytics_report.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("frequency", sa.String(8), nullable=False),
        sa.Column("at_time", sa.String(5), nullable=False),
        sa.Column("weekday", sa.Integer()),
        sa.Column("month_day", sa.Integer()),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("recipients", JSONDocument, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", UTCDateTime(), nullable=False),
        sa.Column("last_run_at", UTCDateTime()),
        sa.Column("created_by", sa.String(150), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("frequency IN ('daily', 'weekly', 'monthly')", name="frequency"),
        sa.CheckConstraint("format IN ('csv', 'xlsx', 'pdf')", name="format"),
    )
    op.create_index(
        "ix_analytics_report_schedule_due", "analytics_report_schedule", ["active", "next_run_at"]
    )
    op.create_index(
        "ix_analytics_report_schedule_report_id", "analytics_report_schedule", ["report_id"]
    )
    op.create_table(
        "analytics_report_delivery",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "schedule_id",
            sa.String(36),
            sa.ForeignKey("analytics_report_schedule.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("user_id", sa.String(36)),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("attached", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.String(500)),
        sa.Column("message_id", sa.String(36)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'delivered', 'failed', 'skipped')", name="status"),
    )
    op.create_index(
        "ix_analytics_report_delivery_report",
        "analytics_report_delivery",
        ["report_id", "due_at"],
    )
    op.create_index(
        "ix_analytics_report_delivery_schedule_id", "analytics_report_delivery", ["schedule_id"]
    )


def _problem_notices() -> None:
    op.create_table(
        "analytics_problem_notice",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "problem_id",
            sa.String(36),
            sa.ForeignKey("analytics_problem.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("message", sa.String(1000)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("audience_size", sa.Integer(), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("unreachable", sa.Integer(), nullable=False),
        sa.Column("sent_by", sa.String(150), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.CheckConstraint("kind IN ('notice', 'resolved')", name="kind"),
        sa.CheckConstraint("audience IN ('contacted', 'area', 'told')", name="audience"),
        sa.CheckConstraint("status IN ('sending', 'sent')", name="status"),
    )
    op.create_index(
        "ix_analytics_problem_notice_sending",
        "analytics_problem_notice",
        ["status", "created_at"],
    )
    op.create_index(
        "ix_analytics_problem_notice_problem_id", "analytics_problem_notice", ["problem_id"]
    )
    op.create_table(
        "analytics_problem_notified",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "problem_id",
            sa.String(36),
            sa.ForeignKey("analytics_problem.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "notice_id",
            sa.String(36),
            sa.ForeignKey("analytics_problem_notice.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("message_id", sa.String(36)),
        sa.Column("unreachable", sa.String(300)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "problem_id", "kind", "customer_id", name="uq_analytics_problem_notified_once"
        ),
    )
    op.create_index(
        "ix_analytics_problem_notified_notice_id", "analytics_problem_notified", ["notice_id"]
    )


def _seed_templates() -> None:
    templates = sa.table(
        "message_template",
        *(sa.column(name) for name in ("id", "kind", "channel", "language", "category")),
        *(sa.column(name) for name in ("subject", "body", "active")),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    now = datetime.now(UTC)
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
            for kind, channel, language, subject, body in TEMPLATES_0035
        ],
    )


def downgrade() -> None:
    kinds = sorted({kind for kind, *_ in TEMPLATES_0035})
    op.execute(
        sa.text("DELETE FROM message_template WHERE kind IN :kinds").bindparams(
            sa.bindparam("kinds", kinds, expanding=True)
        )
    )
    op.drop_index("ix_satisfaction_survey_answered", table_name="satisfaction_survey")
    op.drop_index("ix_satisfaction_survey_created", table_name="satisfaction_survey")
    op.drop_index("ix_channel_session_started", table_name="channel_session")
    op.drop_column("auth_user", "email")  # SQLite >= 3.35 drops it in place
    op.drop_table("outbox_attachment")
    op.drop_table("analytics_problem_notified")
    op.drop_table("analytics_problem_notice")
    op.drop_table("analytics_report_delivery")
    op.drop_table("analytics_report_schedule")
    op.drop_table("analytics_customer")
