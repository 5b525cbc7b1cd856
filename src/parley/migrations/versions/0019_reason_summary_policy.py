"""Each interaction reason says whether the customer is sent a summary of an interaction
completed for it: ``interaction_reason.summary_policy``, one of ``never`` (the default, and
what every existing reason keeps), ``agentDecides`` (the agent ticks it when wrapping up, or a
client asks for it) or ``always``.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interaction_reason") as batch:
        batch.add_column(
            sa.Column("summary_policy", sa.String(16), nullable=False, server_default="never")
        )
        batch.create_check_constraint(
            "summary_policy", "summary_policy IN ('never', 'agentDecides', 'always')"
        )


def downgrade() -> None:
    with op.batch_alter_table("interaction_reason") as batch:
        batch.drop_constraint("summary_policy", type_="check")
        batch.drop_column("summary_policy")
