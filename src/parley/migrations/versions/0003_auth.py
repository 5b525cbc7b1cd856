"""Roles and credentials: users, roles, permissions, refresh tokens, log-outs, audit trail.

Seeds the built-in roles as they stand in this revision (a frozen copy, not an import of
parley.auth.permissions, so this migration keeps meaning what it meant). The audit trail is
append-only: the database refuses UPDATE on both dialects, and DELETE on PostgreSQL
(retention is done there by the owner with TRUNCATE or by dropping partitions).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_AGENT = [
    "customer:read",
    "customer:write",
    "party:read",
    "party:write",
    "contact:write",
    "identify:use",
    "verification:use",
    "security:read",
    "security:write",
    "note:read",
    "note:write",
]
_EVERYTHING = [*_AGENT, "request:approve", "user:admin", "audit:read"]
_EUR_100 = {"adjustmentLimit": 100.0, "currency": "EUR"}
_EUR_1000 = {"adjustmentLimit": 1000.0, "currency": "EUR"}
SEED_ROLES = [
    (
        "agent",
        "Customer service agent: identifies and verifies callers, keeps their records and notes",
        _AGENT,
        _EUR_100,
    ),
    (
        "supervisor",
        "Team supervisor: an agent with a higher adjustment limit who approves requests",
        [*_AGENT, "request:approve"],
        _EUR_1000,
    ),
    (
        "administrator",
        "Administrator: everything, including users, roles and the audit trail",
        _EVERYTHING,
        _EUR_1000,
    ),
    (
        "integration",
        "Another system (client credentials): reads and writes parties and customers, identifies",
        ["customer:read", "customer:write", "party:read", "party:write", "identify:use"],
        {},
    ),
    (
        "customer",
        "Self-service customer: reads their own record, changes their contact details and PIN",
        ["customer:read", "party:read", "contact:write", "security:read", "security:write"],
        {},
    ),
]


def upgrade() -> None:
    op.create_table(
        "auth_user",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("username", sa.String(150), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("display_name", sa.String(300), nullable=False),
        sa.Column("secret_hash", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customer.id", ondelete="CASCADE")),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", UTCDateTime()),
        sa.Column("last_login_at", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('staff', 'client', 'customer')", name="kind"),
        sa.CheckConstraint(
            "(kind = 'customer' AND customer_id IS NOT NULL) "
            "OR (kind <> 'customer' AND customer_id IS NULL)",
            name="customer_link",
        ),
        sa.CheckConstraint("length(username) >= 3", name="username_length"),
    )
    op.create_index("ix_auth_user_customer_id", "auth_user", ["customer_id"])

    op.create_table(
        "auth_role",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, unique=True),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("limits", JSONDocument, nullable=False),
        sa.Column("builtin", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(name) >= 2", name="name_length"),
    )
    op.create_table(
        "auth_role_permission",
        sa.Column(
            "role_id",
            sa.String(36),
            sa.ForeignKey("auth_role.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("permission", sa.String(64), primary_key=True),
    )
    op.create_table(
        "auth_user_role",
        sa.Column(
            "user_id",
            sa.String(36),
            sa.ForeignKey("auth_user.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "role_id",
            sa.String(36),
            sa.ForeignKey("auth_role.id", ondelete="RESTRICT"),
            primary_key=True,
        ),
    )
    op.create_index("ix_auth_user_role_role_id", "auth_user_role", ["role_id"])

    op.create_table(
        "auth_refresh_token",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "user_id",
            sa.String(36),
            sa.ForeignKey("auth_user.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("client_id", sa.String(150)),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime()),
        sa.Column("revoked_reason", sa.String(16)),
    )
    op.create_index("ix_auth_refresh_token_user_id", "auth_refresh_token", ["user_id"])

    op.create_table(
        "auth_revoked_token",
        sa.Column("jti", sa.String(64), primary_key=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_auth_revoked_token_expires_at", "auth_revoked_token", ["expires_at"])

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.String(36)),
        sa.Column("actor_name", sa.String(150), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("client_id", sa.String(150)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("resource_type", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.String(150)),
        sa.Column("before", JSONDocument),
        sa.Column("after", JSONDocument),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    op.create_index("ix_audit_entry_actor_at", "audit_entry", ["actor_id", "at"])
    op.create_index(
        "ix_audit_entry_resource_at", "audit_entry", ["resource_type", "resource_id", "at"]
    )
    op.create_index("ix_audit_entry_action_at", "audit_entry", ["action", "at"])
    _protect_audit_trail()
    _seed_roles()


def _protect_audit_trail() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION parley_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$body$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $body$"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION parley_audit_append_only()"
        )
        return
    # SQLite: UPDATE only; the test suite empties every table with DELETE between tests.
    op.execute(
        "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_entry BEGIN "
        "SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
    )


def _seed_roles() -> None:
    now = datetime.now(UTC)
    roles = sa.table(
        "auth_role",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("description", sa.String),
        sa.column("limits", JSONDocument),
        sa.column("builtin", sa.Boolean),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    grants = sa.table(
        "auth_role_permission", sa.column("role_id", sa.String), sa.column("permission", sa.String)
    )
    role_rows, grant_rows = [], []
    for name, description, permissions, limits in SEED_ROLES:
        role_id = str(uuid.uuid4())
        role_rows.append(
            {
                "id": role_id,
                "name": name,
                "description": description,
                "limits": limits,
                "builtin": True,
                "created_at": now,
                "updated_at": now,
            }
        )
        grant_rows += [{"role_id": role_id, "permission": p} for p in permissions]
    op.bulk_insert(roles, role_rows)
    op.bulk_insert(grants, grant_rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION parley_audit_append_only()")
    else:
        op.execute("DROP TRIGGER audit_entry_append_only")
    for table in (
        "audit_entry",
        "auth_revoked_token",
        "auth_refresh_token",
        "auth_user_role",
        "auth_role_permission",
        "auth_role",
        "auth_user",
    ):
        op.drop_table(table)
