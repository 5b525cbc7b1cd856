"""Analyze & Report: the fact tables of requests and interactions, their daily roll-ups, the
days due to be rolled up again, the teams' business calendars (a default one seeded), and
the permission to read reports and analyses (supervisors and administrators).

Revision ID: 0024
Revises: 0019
Create Date: 2026-12-07
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.migrations.grants import grant, revoke

revision = "0024"
down_revision = "0023a"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {"supervisor": ["report:read"], "administrator": ["report:read"]}
WORKDAY = [["08:00", "18:00"]]
DEFAULT_HOURS = {day: WORKDAY for day in ("mon", "tue", "wed", "thu", "fri")}


def _dimensions() -> list[sa.Column]:
    return [
        sa.Column("type_code", sa.String(64)),
        sa.Column("category", sa.String(16)),
        sa.Column("channel", sa.String(100)),
        sa.Column("reason_code", sa.String(64)),
        sa.Column("outcome", sa.String(16)),
        sa.Column("resolution_code", sa.String(64)),
        sa.Column("segment", sa.String(64)),
        sa.Column("area", sa.String(32)),
        sa.Column("team", sa.String(64)),
    ]


def upgrade() -> None:
    op.create_table(
        "analytics_request_fact",
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("reference", sa.String(16)),
        sa.Column("customer_id", sa.String(36)),
        sa.Column("status", sa.String(16), nullable=False),
        *_dimensions()[:5],
        sa.Column("priority", sa.String(16)),
        *_dimensions()[5:],
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("first_response_at", UTCDateTime),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("closed_day", sa.Date),
        sa.Column("due_at", UTCDateTime),
        sa.Column("reopens", sa.Integer, nullable=False),
        sa.Column("tasks", sa.Integer, nullable=False),
        sa.Column("handbacks", sa.Integer, nullable=False),
        sa.Column("first_response_seconds", sa.Float),
        sa.Column("first_response_business_seconds", sa.Float),
        sa.Column("resolution_seconds", sa.Float),
        sa.Column("resolution_business_seconds", sa.Float),
        sa.Column("sla_met", sa.Boolean),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index(
        "ix_analytics_request_fact_closed", "analytics_request_fact", ["closed_day", "outcome"]
    )
    op.create_index(
        "ix_analytics_request_fact_open", "analytics_request_fact", ["status", "created_at"]
    )
    op.create_index(
        "ix_analytics_request_fact_customer",
        "analytics_request_fact",
        ["customer_id", "created_at"],
    )
    op.create_table(
        "analytics_interaction_fact",
        sa.Column("interaction_id", sa.String(36), primary_key=True),
        sa.Column("customer_id", sa.String(36)),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(100)),
        sa.Column("self_service", sa.Boolean, nullable=False),
        sa.Column("reason_code", sa.String(64)),
        sa.Column("segment", sa.String(64)),
        sa.Column("area", sa.String(32)),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index(
        "ix_analytics_interaction_fact_day", "analytics_interaction_fact", ["day", "reason_code"]
    )
    op.create_index(
        "ix_analytics_interaction_fact_customer",
        "analytics_interaction_fact",
        ["customer_id", "started_at"],
    )
    op.create_table(
        "analytics_request_daily",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cuboid", sa.String(16), nullable=False),
        sa.Column("span", sa.String(8), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        *_dimensions(),
        *[
            sa.Column(name, sa.Integer, nullable=False)
            for name in ("closed", "reopened", "first_touch", "sla_due", "sla_met")
        ],
        sa.Column("resolution_seconds", sa.Float, nullable=False),
        sa.Column("first_response_seconds", sa.Float, nullable=False),
        sa.Column("histograms", JSONDocument, nullable=False),
    )
    op.create_index(
        "ix_analytics_request_daily_day", "analytics_request_daily", ["cuboid", "span", "day"]
    )
    op.create_table(
        "analytics_interaction_daily",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(100)),
        sa.Column("reason_code", sa.String(64)),
        sa.Column("segment", sa.String(64)),
        sa.Column("contacts", sa.Integer, nullable=False),
        sa.Column("self_service", sa.Integer, nullable=False),
    )
    op.create_index("ix_analytics_interaction_daily_day", "analytics_interaction_daily", ["day"])
    op.create_table(
        "analytics_stale_day",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("marked_at", UTCDateTime, nullable=False),
    )
    calendars = op.create_table(
        "analytics_business_calendar",
        sa.Column("team", sa.String(64), primary_key=True),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("hours", JSONDocument, nullable=False),
        sa.Column("holidays", JSONDocument, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    # The calendar of a team without one of its own (analytics/calendars.py DEFAULT_TEAM).
    op.bulk_insert(
        calendars,
        [
            {
                "team": "default",
                "time_zone": "Europe/Berlin",
                "hours": DEFAULT_HOURS,
                "holidays": [],
                "updated_at": datetime.now(UTC),
            }
        ],
    )
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    for table in (
        "analytics_business_calendar",
        "analytics_stale_day",
        "analytics_interaction_daily",
        "analytics_request_daily",
        "analytics_interaction_fact",
        "analytics_request_fact",
    ):
        op.drop_table(table)
