"""Customer self-service: the one-time codes that prove who registers or resets a password
(``one_time_code``: only a hash of the code, an expiry and a failure count), the
``self_service`` flag of request types (which a customer may raise on their own), set for
the seeded types a customer can raise in the portal, and the permission to raise them,
granted to the built-in ``customer`` role, which may now also read the messages sent to it
(TMF681).

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.migrations.grants import grant, revoke

revision = "0023"
down_revision = "0019"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {
    "administrator": ["request:raise"],
    "customer": ["request:raise", "communication:read"],
}
SELF_SERVICE_TYPES = ("contact.change", "fault.repair", "bill.dispute")
_TYPES = sa.table(
    "request_type",
    sa.column("id", sa.String(36)),
    sa.column("code", sa.String(64)),
    sa.column("self_service", sa.Boolean),
    sa.column("document", JSONDocument),
)


def upgrade() -> None:
    op.create_table(
        "one_time_code",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        # None when the details given matched no customer: the row exists all the same, so
        # the answer (and what a stranger can time) is the same for known and unknown ones.
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customer.id", ondelete="CASCADE")),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime()),
        sa.CheckConstraint("purpose IN ('register', 'reset')", name="purpose"),
        sa.CheckConstraint("channel IN ('sms', 'email')", name="channel"),
    )
    op.create_index("ix_one_time_code_customer_id", "one_time_code", ["customer_id"])
    op.create_index("ix_one_time_code_expires_at", "one_time_code", ["expires_at"])
    if op.get_bind().dialect.name == "sqlite":
        # In place: requests refer to their types, and a rebuilt table could not be dropped.
        op.execute("ALTER TABLE request_type ADD COLUMN self_service BOOLEAN DEFAULT 0 NOT NULL")
    else:
        op.add_column(
            "request_type",
            sa.Column("self_service", sa.Boolean(), nullable=False, server_default=sa.false()),
        )
    _mark_self_service(True)
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke({"customer": ["request:raise"]})
    op.execute(
        "DELETE FROM auth_role_permission WHERE permission = 'communication:read' AND role_id "
        "IN (SELECT id FROM auth_role WHERE name = 'customer' AND builtin)"
    )
    _mark_self_service(False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE request_type DROP COLUMN self_service")
    else:
        op.drop_column("request_type", "self_service")
    op.drop_table("one_time_code")


def _mark_self_service(value: bool) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_TYPES.c.id, _TYPES.c.document).where(_TYPES.c.code.in_(SELF_SERVICE_TYPES))
    ).all()
    for row in rows:
        document = {**row.document, "selfService": value}
        if not value:
            document.pop("selfService")
        values = {"document": document}
        if value:
            values["self_service"] = True
        bind.execute(sa.update(_TYPES).where(_TYPES.c.id == row.id).values(**values))
