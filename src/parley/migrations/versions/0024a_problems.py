"""Problems detected from contact patterns (or opened by a supervisor), the contacts and
requests linked to them, the hourly contact counts detection reads, and the permission to
manage problems (supervisors and administrators).

Revision ID: 0024a
Revises: 0024
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import UTCDateTime
from parley.migrations.grants import grant, revoke

revision = "0024a"
down_revision = "0024"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {"supervisor": ["problem:write"], "administrator": ["problem:write"]}


def upgrade() -> None:
    op.create_table(
        "analytics_contact_hourly",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("hour", UTCDateTime, nullable=False),
        sa.Column("reason_code", sa.String(64), nullable=False),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("contacts", sa.Integer, nullable=False),
    )
    op.create_index("ix_analytics_contact_hourly_hour", "analytics_contact_hourly", ["hour"])
    op.create_index("ix_analytics_contact_hourly_day", "analytics_contact_hourly", ["day"])
    op.create_table(
        "analytics_problem",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("reason_code", sa.String(64), nullable=False),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detector", sa.String(16), nullable=False),
        sa.Column("observed", sa.Integer),
        sa.Column("expected", sa.Float),
        sa.Column("probability", sa.Float),
        sa.Column("hour", UTCDateTime),
        sa.Column("note", sa.String(500)),
        sa.Column("resolution", sa.String(500)),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("closed_by", sa.String(150)),
        sa.CheckConstraint("status IN ('open', 'closed')", name="status"),
        sa.CheckConstraint("detector IN ('spike', 'drift', 'manual')", name="detector"),
    )
    op.create_index(
        "ix_analytics_problem_open", "analytics_problem", ["status", "reason_code", "area"]
    )
    # One open problem per reason and area, even with several workers detecting.
    op.create_index(
        "uq_analytics_problem_open_cell",
        "analytics_problem",
        ["reason_code", "area"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "analytics_problem_link",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "problem_id",
            sa.String(36),
            sa.ForeignKey("analytics_problem.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("entity_type", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("customer_id", sa.String(36)),
        sa.Column("linked_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint(
            "problem_id", "entity_type", "entity_id", name="uq_analytics_problem_link_entity_once"
        ),
        sa.CheckConstraint(
            "entity_type IN ('interaction', 'request')",
            name="entity_type",
        ),
    )
    op.create_index(
        "ix_analytics_problem_link_problem_id", "analytics_problem_link", ["problem_id"]
    )
    op.create_index("ix_analytics_problem_link_entity_id", "analytics_problem_link", ["entity_id"])
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_table("analytics_problem_link")
    op.drop_table("analytics_problem")
    op.drop_table("analytics_contact_hourly")
