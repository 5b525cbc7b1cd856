"""Hub subscriptions belong to the user who made them: ``event_subscription.owner_id``.

Existing subscriptions get the user whose log-in name they recorded (``created_by``); one
whose user no longer exists keeps no owner, and only administrators see it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_subscription") as batch:
        batch.add_column(sa.Column("owner_id", sa.String(36)))
    subscriptions = sa.table(
        "event_subscription", sa.column("owner_id", sa.String), sa.column("created_by", sa.String)
    )
    users = sa.table("auth_user", sa.column("id", sa.String), sa.column("username", sa.String))
    creator = (
        sa.select(users.c.id)
        .where(users.c.username == subscriptions.c.created_by)
        .scalar_subquery()
    )
    op.execute(subscriptions.update().values(owner_id=creator))


def downgrade() -> None:
    with op.batch_alter_table("event_subscription") as batch:
        batch.drop_column("owner_id")
