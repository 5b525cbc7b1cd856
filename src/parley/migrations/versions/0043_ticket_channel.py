"""A ticket's channel as a column: TMF621 lists filter on ``channel.id`` (issue 19).

Read from the JSON document, the filter scanned every ticket (no index serves it) and its
total was the planner's guess, since the exact count ran out of its budget. The column holds
the document's ``channel.id`` (ids longer than CHANNEL_LENGTH are left out: channels are
short codes); ``(channel, created_at, id)`` serves a channel's page newest first and its count.

Revision ID: 0043
Revises: 0038
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0043"
down_revision = "0038"
branch_labels = None
depends_on = None

CHANNEL_LENGTH = 100  # as requests.models.CHANNEL_LENGTH (a migration keeps its own copy)


def upgrade() -> None:
    # Plain ALTERs, no table rebuilt: on SQLite a rebuild would cascade to the status history.
    op.add_column("customer_request", sa.Column("channel", sa.String(CHANNEL_LENGTH)))
    if op.get_bind().dialect.name == "postgresql":
        channel = "document -> 'channel' ->> 'id'"
        typed = "jsonb_typeof(document -> 'channel' -> 'id') = 'string'"
    else:
        channel = "json_extract(document, '$.channel.id')"
        typed = "json_type(document, '$.channel.id') = 'text'"
    op.execute(
        f"UPDATE customer_request SET channel = {channel} "
        f"WHERE {typed} AND length({channel}) <= {CHANNEL_LENGTH}"
    )
    op.create_index(
        "ix_customer_request_channel", "customer_request", ["channel", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_customer_request_channel", table_name="customer_request")
    op.execute("ALTER TABLE customer_request DROP COLUMN channel")
