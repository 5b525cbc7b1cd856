"""The transactional outbox, and the permissions to read and retry its messages.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.migrations.grants import grant, revoke

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {"administrator": ["outbox:read", "outbox:retry"]}
CLAIMABLE = sa.text("status IN ('pending', 'inProgress')")


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("destination", JSONDocument, nullable=False),
        sa.Column("payload", JSONDocument, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("claimed_by", sa.String(200)),
        sa.Column("claimed_until", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime()),
        sa.Column("subject_type", sa.String(64)),
        sa.Column("subject_id", sa.String(36)),
        sa.CheckConstraint(
            "status IN ('pending', 'inProgress', 'delivered', 'dead')", name="status"
        ),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index(
        "ix_outbox_message_due",
        "outbox_message",
        ["next_attempt_at"],
        postgresql_where=CLAIMABLE,
        sqlite_where=CLAIMABLE,
    )
    op.create_index("ix_outbox_message_status", "outbox_message", ["status", "created_at"])
    op.create_index("ix_outbox_message_subject", "outbox_message", ["subject_type", "subject_id"])
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_table("outbox_message")
