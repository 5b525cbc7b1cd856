"""Bulk imports: ``bulk_import`` (one row per imported file: where its stored copy is, its
checksum, state, checkpoint and counts) and ``bulk_import_error`` (the rows it refused: row
number, field, message), and the permission ``import:write`` (administrators).

Revision ID: 0038
Revises: 0036
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import UTCDateTime, UUIDString
from parley.migrations.grants import grant, revoke

revision = "0038"
down_revision = "0036"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {"administrator": ["import:write"]}


def upgrade() -> None:
    op.create_table(
        "bulk_import",
        sa.Column("id", UUIDString, primary_key=True),
        sa.Column("message_id", UUIDString, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("checkpoint", sa.Integer, nullable=False),
        sa.Column("rows_loaded", sa.Integer, nullable=False),
        sa.Column("rows_failed", sa.Integer, nullable=False),
        sa.Column("bytes_done", sa.BigInteger, nullable=False),
        sa.Column("force", sa.Boolean, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("started_by", sa.String(150), nullable=False),
        sa.Column("started_by_id", UUIDString),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", UTCDateTime()),
        sa.Column("finished_at", UTCDateTime()),
        sa.CheckConstraint("kind IN ('customers', 'interactions')", name="kind"),
        sa.CheckConstraint("format IN ('csv', 'jsonl')", name="format"),
        sa.CheckConstraint("state IN ('queued', 'running', 'completed', 'failed')", name="state"),
        sa.CheckConstraint("checkpoint >= 0", name="checkpoint_not_negative"),
        sa.UniqueConstraint("message_id", name="uq_bulk_import_message_id"),
    )
    op.create_index("ix_bulk_import_state", "bulk_import", ["state", "created_at"])
    op.create_table(
        "bulk_import_error",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "import_id",
            UUIDString,
            sa.ForeignKey("bulk_import.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("field", sa.String(200)),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index("ix_bulk_import_error_row", "bulk_import_error", ["import_id", "row_number"])
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_index("ix_bulk_import_error_row", table_name="bulk_import_error")
    op.drop_table("bulk_import_error")
    op.drop_index("ix_bulk_import_state", table_name="bulk_import")
    op.drop_table("bulk_import")
