"""Requests get a short reference customers are told (``customer_request.reference``,
``R-dddd-ddddd``, unique), and the request notices are worded for customers: the reference,
the type's name, the status in words and the local date and time, instead of the request's
UUID, its status code and an ISO timestamp. Requests made before get a reference derived from
their id; a notice template still worded as seeded is reworded (one an administrator changed
is left as it is).

Numbered 0018 beside 0017 (rate limits), which is developed in parallel: where both are
merged, this one revises 0017.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import UTCDateTime, utcnow
from parley.notifications.defaults import REWORDED_0018, TEMPLATES_0008, TEMPLATES_0012
from parley.requests.reference import number_of_id, with_check_digit

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None
INDEX = "ix_customer_request_reference"

requests = sa.table(
    "customer_request", sa.column("id", sa.String), sa.column("reference", sa.String)
)
templates = sa.table(
    "message_template",
    sa.column("kind", sa.String),
    sa.column("channel", sa.String),
    sa.column("language", sa.String),
    sa.column("subject", sa.Text),
    sa.column("body", sa.Text),
    sa.column("updated_at", UTCDateTime()),
)


def upgrade() -> None:
    # Added, filled, then indexed: no batch copy of the table on SQLite, whose DROP TABLE
    # would cascade to the requests' history with foreign keys on.
    op.add_column("customer_request", sa.Column("reference", sa.String(16)))
    connection = op.get_bind()
    given: set[str] = set()
    for (request_id,) in connection.execute(sa.select(requests.c.id).order_by(requests.c.id)):
        number = number_of_id(request_id)
        while with_check_digit(number) in given:  # two ids make the same: the next number
            number += 1
        reference = with_check_digit(number)
        given.add(reference)
        connection.execute(
            requests.update().where(requests.c.id == request_id).values(reference=reference)
        )
    op.create_index(INDEX, "customer_request", ["reference"], unique=True)
    if connection.dialect.name != "sqlite":  # SQLite: NOT NULL only by rebuilding the table
        op.alter_column("customer_request", "reference", nullable=False)
    _reword(dict(_seeded()), REWORDED_0018)


def downgrade() -> None:
    _reword(REWORDED_0018, dict(_seeded()))
    op.drop_index(INDEX, "customer_request")
    op.drop_column("customer_request", "reference")  # SQLite >= 3.35 drops it in place


def _seeded():
    for kind, channel, language, subject, body in TEMPLATES_0008 + TEMPLATES_0012:
        yield (kind, channel, language), (subject, body)


def _reword(was: dict, becomes: dict) -> None:
    """Templates still worded as ``was`` get their wording in ``becomes``."""
    connection = op.get_bind()
    for key, (subject, body) in becomes.items():
        if key not in was:
            continue
        old_subject, old_body = was[key]
        kind, channel, language = key
        same = sa.and_(
            templates.c.kind == kind,
            templates.c.channel == channel,
            templates.c.language == language,
            templates.c.body == old_body,
            templates.c.subject.is_(None)
            if old_subject is None
            else templates.c.subject == old_subject,
        )
        connection.execute(
            templates.update().where(same).values(subject=subject, body=body, updated_at=utcnow())
        )
