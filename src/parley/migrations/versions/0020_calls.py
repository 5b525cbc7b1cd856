"""The call journal (``phone_call``: calls the phone system reports through ``POST
/api/v1/calls``), staff users' telephone extension (``auth_user.extension``), and the
permissions ``call:read`` (agents and supervisors: the journal and screen pops) and
``call:write`` (integration clients: reporting calls).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime, UUIDString
from parley.migrations.grants import grant, revoke

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

NEW_GRANTS = {
    "agent": ["call:read"],
    "supervisor": ["call:read"],
    "administrator": ["call:read", "call:write"],
    "integration": ["call:write"],
}


def upgrade() -> None:
    op.create_table(
        "phone_call",
        sa.Column("id", UUIDString, primary_key=True),
        sa.Column("call_ref", sa.String(150), nullable=False, unique=True),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("caller", sa.String(64), nullable=False),
        sa.Column("callee", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("ring_to", JSONDocument, nullable=False),
        sa.Column("answered_by_id", UUIDString),
        sa.Column("answered_by", sa.String(150)),
        sa.Column("customer_id", UUIDString, sa.ForeignKey("customer.id", ondelete="SET NULL")),
        sa.Column("candidates", JSONDocument, nullable=False),
        sa.Column("interaction_id", UUIDString),
        sa.Column("cause", sa.String(64)),
        sa.Column("events", JSONDocument, nullable=False),
        sa.Column("callback", sa.String(16)),
        sa.Column("duration_seconds", sa.Integer),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("answered_at", UTCDateTime),
        sa.Column("ended_at", UTCDateTime),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.CheckConstraint("state IN ('ringing', 'answered', 'completed', 'missed')", name="state"),
        sa.CheckConstraint("direction IN ('inbound', 'outbound')", name="direction"),
    )
    op.create_index("ix_phone_call_started", "phone_call", ["started_at"])
    op.create_index("ix_phone_call_callback", "phone_call", ["callback", "started_at"])
    op.create_index("ix_phone_call_customer_id", "phone_call", ["customer_id"])
    # In place on SQLite too: users are referred to, and a rebuilt table could not be dropped.
    op.add_column("auth_user", sa.Column("extension", sa.String(32)))
    op.create_index("ix_auth_user_extension", "auth_user", ["extension"])
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_index("ix_auth_user_extension", "auth_user")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE auth_user DROP COLUMN extension")
    else:
        op.drop_column("auth_user", "extension")
    op.drop_table("phone_call")
