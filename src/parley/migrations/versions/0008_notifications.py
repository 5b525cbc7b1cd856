"""Outbound communications: message templates (seeded with Parley's own kinds), customers'
contact preferences, TMF681 communication messages, and the permissions to use them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.migrations.grants import grant, revoke

# The wording is data, imported rather than copied: a fresh installation starts with today's
# defaults, an existing one keeps what its administrators made of them.
from parley.notifications.defaults import TEMPLATES_0008

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_STAFF = ["template:read", "preference:read", "preference:write"]
_MESSAGES = ["communication:read", "communication:write"]
NEW_GRANTS = {
    "agent": _STAFF + _MESSAGES,
    "supervisor": _STAFF + _MESSAGES,
    "administrator": [*_STAFF, "template:write", *_MESSAGES],
    "integration": _MESSAGES,
    "customer": ["preference:read", "preference:write"],
}


def upgrade() -> None:
    templates = op.create_table(
        "message_template",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(500)),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("kind", "channel", "language", name="kind_channel_language"),
        sa.CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        sa.CheckConstraint("category IN ('service', 'marketing')", name="category"),
        sa.CheckConstraint("length(kind) > 0", name="kind_not_empty"),
        sa.CheckConstraint("length(body) > 0", name="body_not_empty"),
    )
    op.create_table(
        "contact_preference",
        sa.Column(
            "customer_id",
            sa.String(36),
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("preferred_channel", sa.String(16)),
        sa.Column("language", sa.String(16)),
        sa.Column("marketing_opt_out", sa.Boolean(), nullable=False),
        sa.Column("quiet_start", sa.String(5)),
        sa.Column("quiet_end", sa.String(5)),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "preferred_channel IS NULL OR preferred_channel IN ('email', 'sms')",
            name="preferred_channel",
        ),
        sa.CheckConstraint("(quiet_start IS NULL) = (quiet_end IS NULL)", name="quiet_hours"),
    )
    op.create_table(
        "communication_message",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customer.id", ondelete="SET NULL")),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("failure_reason", sa.Text()),
        sa.Column("try_times", sa.Integer(), nullable=False),
        sa.Column("send_time", UTCDateTime()),
        sa.Column("send_time_complete", UTCDateTime()),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('initial', 'inProgress', 'completed', 'failed', 'cancelled')",
            name="state",
        ),
        sa.CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        sa.CheckConstraint("category IN ('service', 'marketing')", name="category"),
    )
    op.create_index(
        "ix_communication_message_customer_id", "communication_message", ["customer_id"]
    )
    op.create_index("ix_communication_message_state", "communication_message", ["state"])
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
            for kind, channel, language, subject, body in TEMPLATES_0008
        ],
    )
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_table("communication_message")
    op.drop_table("contact_preference")
    op.drop_table("message_template")
