"""Each interaction reason says whether the customer is sent a summary of an interaction
completed for it: ``interaction_reason.summary_policy``, one of ``never`` (the default, and
what every existing reason keeps), ``agentDecides`` (the agent ticks it when wrapping up, or a
client asks for it) or ``always``.

On SQLite the column and its check are added (and dropped) in place, without the table
being rebuilt: interactions refer to their reasons, and a rebuilt table could not be dropped
under them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

POLICIES = "summary_policy IN ('never', 'agentDecides', 'always')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE interaction_reason ADD COLUMN summary_policy VARCHAR(16) "
            "DEFAULT 'never' NOT NULL "
            f"CONSTRAINT ck_interaction_reason_summary_policy CHECK ({POLICIES})"
        )
        return
    op.add_column(
        "interaction_reason",
        sa.Column("summary_policy", sa.String(16), nullable=False, server_default="never"),
    )
    op.create_check_constraint("summary_policy", "interaction_reason", POLICIES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE interaction_reason DROP COLUMN summary_policy")
        return
    op.drop_constraint("summary_policy", "interaction_reason", type_="check")
    op.drop_column("interaction_reason", "summary_policy")
