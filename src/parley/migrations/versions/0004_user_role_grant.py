"""Give each user-role link a stable id and record when and by whom it was granted.

TMF672 serves a link as a ``permission`` resource, which needs an id that survives other
changes to the user's roles. Existing links get a new id and the migration time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from parley.db.base import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_user_role") as batch:
        batch.add_column(sa.Column("id", sa.String(36)))
        batch.add_column(sa.Column("granted_at", UTCDateTime()))
        batch.add_column(sa.Column("granted_by_id", sa.String(36)))
        batch.add_column(sa.Column("granted_by", sa.String(150)))
    links = sa.table(
        "auth_user_role",
        sa.column("user_id", sa.String),
        sa.column("role_id", sa.String),
        sa.column("id", sa.String),
        sa.column("granted_at", UTCDateTime()),
    )
    bind = op.get_bind()
    now = datetime.now(UTC)
    for user_id, role_id in bind.execute(sa.select(links.c.user_id, links.c.role_id)).all():
        bind.execute(
            links.update()
            .where(links.c.user_id == user_id, links.c.role_id == role_id)
            .values(id=str(uuid.uuid4()), granted_at=now)
        )
    with op.batch_alter_table("auth_user_role") as batch:
        batch.alter_column("id", existing_type=sa.String(36), nullable=False)
        batch.alter_column("granted_at", existing_type=UTCDateTime(), nullable=False)
        batch.create_unique_constraint("uq_auth_user_role_id", ["id"])


def downgrade() -> None:
    with op.batch_alter_table("auth_user_role") as batch:
        batch.drop_constraint("uq_auth_user_role_id", type_="unique")
        for column in ("granted_by", "granted_by_id", "granted_at", "id"):
            batch.drop_column(column)
