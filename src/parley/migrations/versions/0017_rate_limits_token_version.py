"""Rate limits shared by every API process (``rate_counter``), and each user's token version
(``auth_user.token_version``): access tokens carry the version they were issued at, and one
of an older version is refused, so ending a user's sessions ends their access tokens at once.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counter",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("until", UTCDateTime()),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_rate_counter_expires_at", "rate_counter", ["expires_at"])
    with op.batch_alter_table("auth_user") as batch:
        batch.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_user") as batch:
        batch.drop_column("token_version")
    op.drop_index("ix_rate_counter_expires_at", "rate_counter")
    op.drop_table("rate_counter")
