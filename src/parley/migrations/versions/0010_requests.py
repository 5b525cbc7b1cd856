"""Manage Request: the request type catalogue (seeded), requests (TMF621 troubleTickets) with
their status history, and the permissions to use them.

Revision ID: 0010
Revises: 0008 (0009 is being added in parallel; the integrator re-chains)
Create Date: 2026-11-27
"""

import copy
from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.migrations.grants import grant, revoke

# The catalogue is data, imported rather than copied: a fresh installation starts with today's
# defaults, an existing one keeps what its administrators made of them.
from parley.requests.defaults import DEFAULT_REQUEST_TYPES

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_WORK = ["request:read", "request:write", "request:cancel"]
NEW_GRANTS = {
    "agent": _WORK,
    "supervisor": _WORK,
    "administrator": [*_WORK, "request:delete", "requesttype:write"],
    "integration": ["request:read", "request:write"],
    "customer": ["request:read", "request:cancel"],
}
STATUSES = (
    "'acknowledged', 'inProgress', 'pending', 'held', 'resolved', 'closed', 'cancelled', 'rejected'"
)


def upgrade() -> None:
    types = op.create_table(
        "request_type",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("fulfilment_mode", sa.String(16), nullable=False),
        sa.Column("lifecycle_status", sa.String(16), nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "category IN ('fulfilment', 'assurance', 'billing', 'account', 'information')",
            name="category",
        ),
        sa.CheckConstraint("fulfilment_mode IN ('automatic', 'workflow')", name="fulfilment_mode"),
        sa.CheckConstraint("lifecycle_status IN ('active', 'retired')", name="lifecycle_status"),
    )
    op.create_table(
        "customer_request",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "customer_id",
            sa.String(36),
            sa.ForeignKey("customer.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column(
            "type_id",
            sa.String(36),
            sa.ForeignKey("request_type.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column(
            "interaction_id",
            sa.String(36),
            sa.ForeignKey("party_interaction.id", ondelete="SET NULL"),
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("expected_resolution_at", UTCDateTime()),
        sa.Column("resolved_at", UTCDateTime()),
        sa.Column("closed_at", UTCDateTime()),
        sa.Column("outcome", sa.String(16)),
        sa.Column("resolution_code", sa.String(64)),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("status_changed_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="status"),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('completed', 'unfulfilled')", name="outcome"
        ),
    )
    op.create_index(
        "ix_customer_request_customer", "customer_request", ["customer_id", "created_at"]
    )
    op.create_index("ix_customer_request_status", "customer_request", ["status"])
    op.create_index("ix_customer_request_type_id", "customer_request", ["type_id"])
    op.create_index("ix_customer_request_interaction_id", "customer_request", ["interaction_id"])
    op.create_table(
        "request_status_change",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "request_id",
            sa.String(36),
            sa.ForeignKey("customer_request.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("from_status", sa.String(16)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.Column("actor", sa.String(150), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_request_status_change_request_id", "request_status_change", ["request_id"])
    now = datetime.now(UTC)
    op.bulk_insert(
        types,
        [
            {
                "id": str(uuid4()),
                "code": document["code"],
                "name": document["name"],
                "category": document["category"],
                "fulfilment_mode": document["fulfilmentMode"],
                "lifecycle_status": document["lifecycleStatus"],
                "document": copy.deepcopy(document),
                "created_at": now,
                "updated_at": now,
            }
            for document in DEFAULT_REQUEST_TYPES
        ],
    )
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_table("request_status_change")
    op.drop_table("customer_request")
    op.drop_table("request_type")
