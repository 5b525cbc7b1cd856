"""Offers: the catalogue of product offerings (TMF620 ``productOffering``: its document, with
name, lifecycle status, validity and BSS id as columns) and the customer segments each is
offered to; the permissions ``offer:read`` (staff, integration clients, customers: their
segment's) and ``offer:write`` (administrators); and the ``addon.selection`` request type made
self-service, so customers select an add-on from the catalogue themselves.

Revision ID: 0028
Revises: 0020
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime, UUIDString
from parley.migrations.grants import grant, revoke

revision = "0028"
down_revision = "0020"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {
    "agent": ["offer:read"],
    "supervisor": ["offer:read"],
    "administrator": ["offer:read", "offer:write"],
    "integration": ["offer:read"],
    "customer": ["offer:read"],
}
ADDON = "addon.selection"
_TYPES = sa.table(
    "request_type",
    sa.column("id", sa.String(36)),
    sa.column("code", sa.String(64)),
    sa.column("self_service", sa.Boolean),
    sa.column("document", JSONDocument),
)


def upgrade() -> None:
    op.create_table(
        "product_offering",
        sa.Column("id", UUIDString, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lifecycle_status", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(100), unique=True),
        sa.Column("valid_from", UTCDateTime()),
        sa.Column("valid_to", UTCDateTime()),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_product_offering_status_name",
        "product_offering",
        ["lifecycle_status", "name", "id"],
    )
    op.create_table(
        "product_offering_segment",
        sa.Column(
            "offering_id",
            UUIDString,
            sa.ForeignKey("product_offering.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("segment", sa.String(64), primary_key=True),
    )
    op.create_index("ix_product_offering_segment_segment", "product_offering_segment", ["segment"])
    grant(NEW_GRANTS)
    _mark_self_service(True)


def downgrade() -> None:
    _mark_self_service(False)
    revoke(NEW_GRANTS)
    op.drop_table("product_offering_segment")
    op.drop_table("product_offering")


def _mark_self_service(value: bool) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_TYPES.c.id, _TYPES.c.document).where(_TYPES.c.code == ADDON)
    ).all()
    for row in rows:
        document = {**row.document, "selfService": value}
        bind.execute(
            sa.update(_TYPES)
            .where(_TYPES.c.id == row.id)
            .values(document=document, self_service=value)
        )
