"""Defined reports (saved by administrators, read by those with ``report:read``) and the
permission to define them.

Revision ID: 0024b
Revises: 0024a
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.migrations.grants import grant, revoke

revision = "0024b"
down_revision = "0024a"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {"administrator": ["report:write"]}


def upgrade() -> None:
    op.create_table(
        "analytics_report",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("created_by", sa.String(150), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_table("analytics_report")
