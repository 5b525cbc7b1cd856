"""Satisfaction surveys after a request closes (CSAT): one per request, the link's token kept
only as a hash, an expiry, and the answer (1 to 5, an optional comment).

Revision ID: 0023a
Revises: 0023
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import UTCDateTime

revision = "0023a"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satisfaction_survey",
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
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime()),
        sa.Column("rating", sa.Integer()),
        sa.Column("comment", sa.String(1000)),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        sa.CheckConstraint("(answered_at IS NULL) = (rating IS NULL)", name="rated_when_answered"),
    )
    op.create_index("ix_satisfaction_survey_customer_id", "satisfaction_survey", ["customer_id"])


def downgrade() -> None:
    op.drop_table("satisfaction_survey")
