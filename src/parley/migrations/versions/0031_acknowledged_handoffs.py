"""Acknowledged hand-offs and the products customers hold: ``request_handoff`` (what a request
handed to the ordering or billing system and waits to hear back about; its id is the
correlation id), ``handoff_acknowledgement`` (each answer as received, raw, and what became of
it), ``customer_product`` (what ordering completed for a customer, or the BSS says they hold),
and the permission ``handoff:acknowledge`` (administrators, integration clients: the ordering
and billing systems' acknowledgements).

Revision ID: 0031
Revises: 0033
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime, UUIDString
from parley.migrations.grants import grant, revoke

revision = "0031"
down_revision = "0033"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {"administrator": ["handoff:acknowledge"], "integration": ["handoff:acknowledge"]}
WAITING_UNCHASED = "state = 'waiting' AND task_id IS NULL"


def upgrade() -> None:
    op.create_table(
        "request_handoff",
        sa.Column("id", UUIDString, primary_key=True),
        sa.Column(
            "request_id",
            UUIDString,
            sa.ForeignKey("customer_request.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("payload", JSONDocument, nullable=False),
        sa.Column("outbox_message_id", UUIDString),
        sa.Column("external_id", sa.String(100)),
        sa.Column("external_state", sa.String(32)),
        sa.Column("reason", sa.String(500)),
        sa.Column("task_id", UUIDString),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime()),
        sa.Column("acknowledged_at", UTCDateTime()),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('order', 'billing')", name="kind"),
        sa.CheckConstraint(
            "state IN ('waiting', 'completed', 'unfulfilled', 'ended')", name="state"
        ),
        sa.UniqueConstraint("request_id", "kind", name="uq_request_handoff_request_kind"),
    )
    op.create_index("ix_request_handoff_request_id", "request_handoff", ["request_id"])
    op.create_index("ix_request_handoff_external_id", "request_handoff", ["external_id"])
    op.create_index(
        "ix_request_handoff_due",
        "request_handoff",
        ["due_at"],
        postgresql_where=sa.text(WAITING_UNCHASED),
        sqlite_where=sa.text(WAITING_UNCHASED),
    )
    op.create_table(
        "handoff_acknowledgement",
        sa.Column("id", UUIDString, primary_key=True),
        sa.Column(
            "handoff_id",
            UUIDString,
            sa.ForeignKey("request_handoff.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event_key", sa.String(200), nullable=False, unique=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("reported_state", sa.String(32)),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("sender", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("note", sa.String(500)),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("outcome IN ('applied', 'ignored')", name="outcome"),
    )
    op.create_index(
        "ix_handoff_acknowledgement_handoff_id", "handoff_acknowledgement", ["handoff_id"]
    )
    op.create_table(
        "customer_product",
        sa.Column("id", UUIDString, primary_key=True),
        sa.Column(
            "customer_id",
            UUIDString,
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "offering_id",
            UUIDString,
            sa.ForeignKey("product_offering.id", ondelete="SET NULL"),
        ),
        sa.Column("offering_ref", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("request_id", UUIDString),
        sa.Column("order_id", sa.String(100)),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'suspended', 'terminated')", name="status"),
        sa.UniqueConstraint("order_id", name="uq_customer_product_order_id"),
    )
    op.create_index("ix_customer_product_customer", "customer_product", ["customer_id", "status"])
    op.create_index("ix_customer_product_offering_id", "customer_product", ["offering_id"])
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_table("customer_product")
    op.drop_table("handoff_acknowledgement")
    op.drop_table("request_handoff")
