"""Attachments on requests: each file's name, the type recognised from its content, its size
and SHA-256 (the file itself is kept outside the database, named by that checksum).

Revision ID: 0033
Revises: 0041
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import UTCDateTime

revision = "0033"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_attachment",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "request_id",
            sa.String(36),
            sa.ForeignKey("customer_request.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("attachment_type", sa.String(64)),
        sa.Column("description", sa.String(500)),
        sa.Column("added_by", sa.String(150), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("size > 0", name="size"),
    )
    op.create_index(
        "ix_request_attachment_request", "request_attachment", ["request_id", "created_at"]
    )
    op.create_index("ix_request_attachment_sha256", "request_attachment", ["sha256"])


def downgrade() -> None:
    op.drop_table("request_attachment")
