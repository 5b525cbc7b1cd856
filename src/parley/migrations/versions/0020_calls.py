"""The call journal (``phone_call``: calls the phone system reports through ``POST
/api/v1/calls``), staff users' telephone extension (``auth_user.extension``), and the
permissions ``call:read`` (agents and supervisors: the journal and screen pops) and
``call:write`` (integration clients: reporting calls). The request type ``callback`` and its
workflow (one task in customer care), which a missed call in the journal is made into, are
added where missing (a fresh installation has them from 0010 and 0011, which seed the
defaults as they are now).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

import copy
from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime, UUIDString
from parley.migrations.grants import grant, revoke
from parley.requests.defaults import DEFAULT_REQUEST_TYPES
from parley.requests.workflow.defaults import DEFAULT_WORKFLOWS

CALLBACK = "callback"

revision = "0020"
down_revision = "0024b"
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
        sa.Column("callback_request_id", UUIDString),
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
    _add_callback_type()


def _add_callback_type() -> None:
    bind, now = op.get_bind(), datetime.now(UTC)
    workflows = sa.table(
        "workflow_definition",
        *(sa.column(name) for name in ("id", "code", "name", "status", "version")),
        sa.column("document", JSONDocument),
        sa.column("created_at", UTCDateTime),
        sa.column("updated_at", UTCDateTime),
    )
    types = sa.table(
        "request_type",
        *(sa.column(n) for n in ("id", "code", "name", "category", "fulfilment_mode")),
        sa.column("lifecycle_status"),
        sa.column("document", JSONDocument),
        sa.column("created_at", UTCDateTime),
        sa.column("updated_at", UTCDateTime),
    )
    if bind.scalar(sa.select(workflows.c.id).where(workflows.c.code == CALLBACK)) is None:
        flow = next(w for w in DEFAULT_WORKFLOWS if w["code"] == CALLBACK)
        bind.execute(
            workflows.insert().values(
                id=str(uuid4()),
                code=CALLBACK,
                name=flow["name"],
                status=flow["status"],
                version=1,
                document=copy.deepcopy(flow),
                created_at=now,
                updated_at=now,
            )
        )
    if bind.scalar(sa.select(types.c.id).where(types.c.code == CALLBACK)) is None:
        kind = next(t for t in DEFAULT_REQUEST_TYPES if t["code"] == CALLBACK)
        bind.execute(
            types.insert().values(
                id=str(uuid4()),
                code=CALLBACK,
                name=kind["name"],
                category=kind["category"],
                fulfilment_mode=kind["fulfilmentMode"],
                lifecycle_status=kind["lifecycleStatus"],
                document=copy.deepcopy(kind),
                created_at=now,
                updated_at=now,
            )
        )


def downgrade() -> None:
    # The callback type and workflow stay: requests may refer to them.
    revoke(NEW_GRANTS)
    op.drop_index("ix_auth_user_extension", "auth_user")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE auth_user DROP COLUMN extension")
    else:
        op.drop_column("auth_user", "extension")
    op.drop_table("phone_call")
