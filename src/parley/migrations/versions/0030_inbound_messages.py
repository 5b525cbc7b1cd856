"""Mediation: the inbound message store (``inbound_message``: every message received from
outside, raw, with its state, attempts, the commands it became and its history), partner
message profiles (``message_profile``: one per partner, transaction type and version), and
the permissions ``inbound:read`` and ``inbound:replay`` (administrators), ``inbound:receive``
(integration clients) and ``messageprofile:write`` (administrators).

Revision ID: 0030
Revises: 0031
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime, UUIDString
from parley.migrations.grants import grant, revoke

revision = "0030"
down_revision = "0031"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {
    "administrator": [
        "inbound:read",
        "inbound:replay",
        "inbound:receive",
        "messageprofile:write",
    ],
    "integration": ["inbound:receive"],
}
PENDING = "state IN ('received', 'parsed')"


def upgrade() -> None:
    op.create_table(
        "inbound_message",
        sa.Column("id", UUIDString, primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("partner", sa.String(64)),
        sa.Column("transaction_type", sa.String(64)),
        sa.Column("content_type", sa.String(200), nullable=False),
        sa.Column("headers", JSONDocument, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("profile_id", UUIDString),
        sa.Column("command", JSONDocument),
        sa.Column("outcome", JSONDocument),
        sa.Column("history", JSONDocument, nullable=False),
        sa.Column("received_by", sa.String(150), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("applied_at", UTCDateTime()),
        sa.CheckConstraint(
            "state IN ('received', 'parsed', 'applied', 'rejected', 'dead')", name="state"
        ),
        sa.CheckConstraint("source IN ('email', 'partner', 'import', 'callback')", name="source"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.UniqueConstraint("source", "idempotency_key", name="uq_inbound_message_source_key"),
    )
    op.create_index(
        "ix_inbound_message_due",
        "inbound_message",
        ["next_attempt_at"],
        postgresql_where=sa.text(PENDING),
        sqlite_where=sa.text(PENDING),
    )
    op.create_index("ix_inbound_message_state", "inbound_message", ["state", "received_at"])
    op.create_index("ix_inbound_message_source", "inbound_message", ["source", "received_at"])
    op.create_index("ix_inbound_message_partner", "inbound_message", ["partner", "received_at"])
    op.create_table(
        "message_profile",
        sa.Column("id", UUIDString, primary_key=True),
        sa.Column("partner", sa.String(64), nullable=False),
        sa.Column("transaction_type", sa.String(64), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("command", sa.String(64), nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "partner", "transaction_type", "version", name="uq_message_profile_identity"
        ),
    )
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_table("message_profile")
    op.drop_index("ix_inbound_message_partner", table_name="inbound_message")
    op.drop_index("ix_inbound_message_source", table_name="inbound_message")
    op.drop_index("ix_inbound_message_state", table_name="inbound_message")
    op.drop_index("ix_inbound_message_due", table_name="inbound_message")
    op.drop_table("inbound_message")
