"""Hub subscriptions for TMF events, and the permission to subscribe.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import UTCDateTime
from parley.migrations.grants import grant, revoke

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {"administrator": ["event:subscribe"], "integration": ["event:subscribe"]}


def upgrade() -> None:
    op.create_table(
        "event_subscription",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("api", sa.String(32), nullable=False),
        sa.Column("callback", sa.String(2000), nullable=False),
        sa.Column("query", sa.Text()),
        sa.Column("secret", sa.String(200)),
        sa.Column("created_by", sa.String(150), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_event_subscription_api", "event_subscription", ["api"])
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_index("ix_event_subscription_api", table_name="event_subscription")
    op.drop_table("event_subscription")
