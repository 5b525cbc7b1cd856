"""The interaction log: interactions, the entities they refer to, the reason catalogue, and the
permissions to read, log and delete interactions and to manage the reasons.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.migrations.grants import grant, revoke

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
SEED_REASONS = [
    ("billing.enquiry", "Billing enquiry", "billing"),
    ("billing.dispute", "Bill dispute", "billing"),
    ("billing.issued", "Bill issued", "billing"),
    ("payment", "Payment or direct debit", "billing"),
    ("fault.report", "Fault report", "assurance"),
    ("service.outage", "Service outage", "assurance"),
    ("order.new", "New product or service", "fulfilment"),
    ("order.status", "Order status", "fulfilment"),
    ("plan.change", "Tariff or plan change", "fulfilment"),
    ("contact.change", "Change of contact details", "account"),
    ("account.cancel", "Cancellation", "account"),
    ("complaint", "Complaint", "account"),
    ("request.status", "Request status enquiry", "information"),
    ("information", "General information", "information"),
    ("notification", "Notification to the customer", "information"),
]
NEW_GRANTS = {
    "agent": ["interaction:read", "interaction:write"],
    "supervisor": ["interaction:read", "interaction:write"],
    "administrator": [
        "interaction:read",
        "interaction:write",
        "interaction:delete",
        "reason:write",
    ],
    "integration": ["interaction:read", "interaction:write"],
    "customer": ["interaction:read"],
}


def upgrade() -> None:
    op.create_table(
        "interaction_reason",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(code) > 0", name="code_not_empty"),
        sa.CheckConstraint("length(label) > 0", name="label_not_empty"),
    )
    op.create_table(
        "party_interaction",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customer.id", ondelete="RESTRICT")),
        sa.Column("party_id", sa.String(36), sa.ForeignKey("party.id", ondelete="RESTRICT")),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(100)),
        sa.Column(
            "reason_code",
            sa.String(64),
            sa.ForeignKey("interaction_reason.code", ondelete="RESTRICT"),
        ),
        sa.Column("reason", sa.String(500)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime()),
        sa.Column("description", sa.String(500)),
        sa.Column("logged_by", sa.String(150), nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("status_changed_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("direction IN ('inbound', 'outbound')", name="direction"),
        sa.CheckConstraint("status IN ('opened', 'inProgress', 'completed')", name="status"),
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
    )
    op.create_index(
        "ix_party_interaction_timeline", "party_interaction", ["party_id", "started_at", "id"]
    )
    op.create_index(
        "ix_party_interaction_customer", "party_interaction", ["customer_id", "started_at", "id"]
    )
    op.create_index("ix_party_interaction_started", "party_interaction", ["started_at", "id"])
    op.create_table(
        "party_interaction_ref",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "interaction_id",
            sa.String(36),
            sa.ForeignKey("party_interaction.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("entity_type", sa.String(100), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("role", sa.String(100)),
    )
    op.create_index(
        "ix_party_interaction_ref_interaction_id", "party_interaction_ref", ["interaction_id"]
    )
    op.create_index(
        "ix_party_interaction_ref_entity", "party_interaction_ref", ["entity_id", "entity_type"]
    )
    _seed_reasons()
    grant(NEW_GRANTS)


def _seed_reasons() -> None:
    now = datetime.now(UTC)
    reasons = sa.table(
        "interaction_reason",
        sa.column("code", sa.String),
        sa.column("label", sa.String),
        sa.column("category", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    rows = [
        {
            "code": code,
            "label": label,
            "category": category,
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        for code, label, category in SEED_REASONS
    ]
    op.bulk_insert(reasons, rows)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_table("party_interaction_ref")
    op.drop_table("party_interaction")
    op.drop_table("interaction_reason")
