"""After-call work: a hung-up call's contact stays open for the agent's wrap-up until
``phone_call.wrap_up_due``, when the worker completes it (indexed: the worker's look).

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import UTCDateTime

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("phone_call") as table:
        table.add_column(sa.Column("wrap_up_due", UTCDateTime(), nullable=True))
    op.create_index("ix_phone_call_wrap_up_due", "phone_call", ["wrap_up_due"])


def downgrade() -> None:
    op.drop_index("ix_phone_call_wrap_up_due", table_name="phone_call")
    with op.batch_alter_table("phone_call") as table:
        table.drop_column("wrap_up_due")
