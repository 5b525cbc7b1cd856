"""The TMF688 event store's read side: the permission ``event:read`` (administrators and
integration clients) and an index on the outbox's domain events in their order (``kind``,
``created_at``, ``id``), which the event list pages through by time and by cursor.

Revision ID: 0029
Revises: 0020
Create Date: 2026-12-07
"""

from alembic import op

from parley.migrations.grants import grant, revoke

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

NEW_GRANTS = {"administrator": ["event:read"], "integration": ["event:read"]}
INDEX = "ix_outbox_message_kind_created"


def upgrade() -> None:
    op.create_index(INDEX, "outbox_message", ["kind", "created_at", "id"])
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_index(INDEX, table_name="outbox_message")
