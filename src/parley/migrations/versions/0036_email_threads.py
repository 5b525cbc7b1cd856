"""The email channel: the Message-IDs of mail Parley sent and of mail it took into a request's
thread (``email_thread_message``), so that a customer's answer finds its request.

Revision ID: 0036
Revises: 0032
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import UTCDateTime, UUIDString

revision = "0036"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_thread_message",
        sa.Column("id", UUIDString, primary_key=True),
        sa.Column("message_id", sa.String(250), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("request_id", UUIDString),
        sa.Column("customer_id", UUIDString),
        sa.Column("address", sa.String(254)),
        sa.Column("inbound_message_id", UUIDString),
        sa.Column("outbox_message_id", UUIDString),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("direction IN ('in', 'out')", name="direction"),
        sa.UniqueConstraint("direction", "message_id", name="uq_email_thread_message_id"),
    )
    op.create_index(
        "ix_email_thread_message_request", "email_thread_message", ["request_id", "recorded_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_email_thread_message_request", table_name="email_thread_message")
    op.drop_table("email_thread_message")
