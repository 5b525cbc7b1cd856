"""Network self-service (docs/channels.md): menus as data (``channel_menu``, seeded with the
self-care menu) and the sessions callers are in (``channel_session``); the callback request
type and its workflow for installations made before they were among the defaults.

Revision ID: 0026
Revises: 0019
Create Date: 2026-12-07
"""

import copy
from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

from parley.channels.defaults import DEFAULT_MENUS
from parley.db.base import JSONDocument, UTCDateTime
from parley.migrations.grants import grant, revoke
from parley.requests.defaults import DEFAULT_REQUEST_TYPES
from parley.requests.workflow.defaults import DEFAULT_WORKFLOWS

revision = "0026"
down_revision = "0023"
branch_labels = None
depends_on = None

CALLBACK = "callback"
NEW_GRANTS = {"administrator": ["menu:write"]}


def upgrade() -> None:
    menus = op.create_table(
        "channel_menu",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "channel_session",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("gateway", sa.String(32), nullable=False),
        sa.Column("session_key", sa.String(200), nullable=False),
        sa.Column("msisdn", sa.String(32), nullable=False),
        sa.Column("menu_code", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("customer_id", sa.String(36)),
        sa.Column("interaction_id", sa.String(36)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("state", JSONDocument, nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'ended', 'abandoned')", name="status"),
    )
    op.create_index(
        "ix_channel_session_key", "channel_session", ["channel", "session_key", "status"]
    )
    op.create_index("ix_channel_session_expiry", "channel_session", ["status", "expires_at"])
    active = sa.text("status = 'active'")
    op.create_index(
        "uq_channel_session_active",
        "channel_session",
        ["channel", "session_key"],
        unique=True,
        postgresql_where=active,
        sqlite_where=active,
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        menus,
        [
            {
                "id": str(uuid4()),
                "code": m["code"],
                "name": m["name"],
                "version": 1,
                "document": copy.deepcopy(m),
                "created_at": now,
                "updated_at": now,
            }
            for m in DEFAULT_MENUS
        ],
    )
    _add_callback(now)
    # A caller asks for their own callback: a self-service type (0023's flag).
    op.get_bind().execute(
        sa.text("UPDATE request_type SET self_service = :yes WHERE code = :code"),
        {"yes": True, "code": CALLBACK},
    )
    grant(NEW_GRANTS)


def _add_callback(now) -> None:
    """The callback type and workflow, unless the defaults seeded them already (0010, 0011)."""
    bind = op.get_bind()
    exists = "SELECT count(*) FROM {table} WHERE code = :code"
    workflow = next(w for w in DEFAULT_WORKFLOWS if w["code"] == CALLBACK)
    if not bind.scalar(sa.text(exists.format(table="workflow_definition")), {"code": CALLBACK}):
        table = sa.table(
            "workflow_definition",
            *(sa.column(c) for c in ("id", "code", "name", "status", "version")),
            sa.column("document", JSONDocument),
            sa.column("created_at", UTCDateTime()),
            sa.column("updated_at", UTCDateTime()),
        )
        op.bulk_insert(
            table,
            [
                {
                    "id": str(uuid4()),
                    "code": CALLBACK,
                    "name": workflow["name"],
                    "status": workflow["status"],
                    "version": 1,
                    "document": copy.deepcopy(workflow),
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
    document = next(t for t in DEFAULT_REQUEST_TYPES if t["code"] == CALLBACK)
    if not bind.scalar(sa.text(exists.format(table="request_type")), {"code": CALLBACK}):
        columns = ("id", "code", "name", "category", "fulfilment_mode", "lifecycle_status")
        table = sa.table(
            "request_type",
            *(sa.column(c) for c in columns),
            sa.column("document", JSONDocument),
            sa.column("created_at", UTCDateTime()),
            sa.column("updated_at", UTCDateTime()),
        )
        op.bulk_insert(
            table,
            [
                {
                    "id": str(uuid4()),
                    "code": CALLBACK,
                    "name": document["name"],
                    "category": document["category"],
                    "fulfilment_mode": document["fulfilmentMode"],
                    "lifecycle_status": document["lifecycleStatus"],
                    "document": copy.deepcopy(document),
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_index("uq_channel_session_active", "channel_session")
    op.drop_index("ix_channel_session_expiry", "channel_session")
    op.drop_index("ix_channel_session_key", "channel_session")
    op.drop_table("channel_session")
    op.drop_table("channel_menu")
