"""Internal approvals of monetary adjustments: the approval table, the permission to read
approvals, and the seeded ``adjustment`` request type handled by Parley itself (automatic).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.migrations.grants import grant, revoke

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {
    "agent": ["approval:read"],
    "supervisor": ["approval:read"],
    "administrator": ["approval:read"],
}
# Parley takes positive amounts only: credits.
OLD_DESCRIPTION = (
    "A credit or debit to a billing account; above the agent's limit it needs approval"
)
NEW_DESCRIPTION = "A credit to a billing account; above the requester's limit it needs approval"
_TYPES = sa.table(
    "request_type",
    sa.column("id", sa.String(36)),
    sa.column("code", sa.String(64)),
    sa.column("fulfilment_mode", sa.String(16)),
    sa.column("document", JSONDocument),
)


def upgrade() -> None:
    op.create_table(
        "approval",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "request_id",
            sa.String(36),
            sa.ForeignKey("customer_request.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column(
            "customer_id",
            sa.String(36),
            sa.ForeignKey("customer.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("billing_account_id", sa.String(36), nullable=False),
        sa.Column("requested_by_id", sa.String(36)),
        sa.Column("requested_by", sa.String(150), nullable=False),
        sa.Column("requester_limit", sa.Numeric(14, 2), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by_id", sa.String(36)),
        sa.Column("decided_by", sa.String(150)),
        sa.Column("decided_at", UTCDateTime()),
        sa.Column("decision_note", sa.String(500)),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')", name="status"
        ),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("length(currency) = 3", name="currency_iso"),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name="decided_when_not_pending"
        ),
    )
    op.create_index("ix_approval_status_created", "approval", ["status", "created_at"])
    op.create_index("ix_approval_customer_id", "approval", ["customer_id"])
    op.create_index("ix_approval_requested_by_id", "approval", ["requested_by_id"])
    _set_adjustment_mode("workflow", "automatic", OLD_DESCRIPTION, NEW_DESCRIPTION)
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    _set_adjustment_mode("automatic", "workflow", NEW_DESCRIPTION, OLD_DESCRIPTION)
    op.drop_table("approval")


def _set_adjustment_mode(old: str, new: str, old_description: str, description: str) -> None:
    """The seeded ``adjustment`` type, if an administrator left its mode as it was (and its
    description, if they left that too)."""
    bind = op.get_bind()
    found = bind.execute(
        sa.select(_TYPES.c.id, _TYPES.c.document).where(
            _TYPES.c.code == "adjustment", _TYPES.c.fulfilment_mode == old
        )
    ).first()
    if found is None:
        return
    document = {**found.document, "fulfilmentMode": new}
    if document.get("description") == old_description:
        document["description"] = description
    bind.execute(
        sa.update(_TYPES)
        .where(_TYPES.c.id == found.id)
        .values(fulfilment_mode=new, document=document)
    )
