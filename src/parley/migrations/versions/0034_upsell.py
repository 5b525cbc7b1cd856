"""Up-selling: the rules (``upsell_rule``, data administrators manage; two shipped) and the
offers made to customers with their answers (``upsell_offer``: by customer and time for the
360, by presentation time for the acceptance KPI, one waiting for an answer per customer);
the acceptance figures of settled days (``upsell_acceptance_day``, how far:
``upsell_acceptance_settled``);
the interaction reasons the shipped rules count and an answer is logged under; the
permissions ``upsell:read`` and ``upsell:answer`` (agents, supervisors, administrators) and
``upsell:write`` (administrators).

Revision ID: 0034
Revises: 0030
Create Date: 2026-12-08
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime, UUIDString
from parley.migrations.grants import grant, revoke

revision = "0034"
down_revision = "0030"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {
    "agent": ["upsell:read", "upsell:answer"],
    "supervisor": ["upsell:read", "upsell:answer"],
    "administrator": ["upsell:read", "upsell:answer", "upsell:write"],
}
NEW_REASONS = [
    ("usage.data", "Data allowance or usage", "usage"),
    ("roaming", "Roaming", "usage"),
    ("offer.answer", "Answer to an offer", "sales"),
]
SEED_RULES = [
    {
        "code": "data-addon",
        "name": "Data add-on after repeated data-limit enquiries",
        "description": "Two or more enquiries about the data allowance within a month",
        "active": True,
        "productOffering": {"externalId": "DEMO-DATA-10"},
        "signals": [{"kind": "interaction", "code": "usage.data", "weight": 1}],
        "windowDays": 30,
        "halfLifeDays": 14,
        "threshold": 1.5,
        "suppressionDays": 90,
    },
    {
        "code": "roaming-pack",
        "name": "Roaming pack after repeated roaming questions",
        "description": "Two or more questions about roaming within a month",
        "active": True,
        "productOffering": {"externalId": "DEMO-ROAM-EU-5"},
        "signals": [{"kind": "interaction", "code": "roaming", "weight": 1}],
        "windowDays": 30,
        "halfLifeDays": 10,
        "threshold": 1.5,
        "suppressionDays": 90,
    },
]
PENDING = sa.text("status IN ('shown', 'later')")


def upgrade() -> None:
    op.create_table(
        "upsell_rule",
        sa.Column("id", UUIDString, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(150), nullable=False),
    )
    op.create_table(
        "upsell_offer",
        sa.Column("id", UUIDString, primary_key=True),
        sa.Column(
            "customer_id",
            UUIDString,
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("rule_id", UUIDString, sa.ForeignKey("upsell_rule.id", ondelete="SET NULL")),
        sa.Column("rule_code", sa.String(64), nullable=False),
        sa.Column("offering_id", sa.String(36), nullable=False),
        sa.Column("offering_name", sa.String(200), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("evidence", JSONDocument, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("presented_at", UTCDateTime(), nullable=False),
        sa.Column("presented_to", sa.String(150), nullable=False),
        sa.Column("answered_at", UTCDateTime()),
        sa.Column("answered_by", sa.String(150)),
        sa.Column("note", sa.String(500)),
        sa.Column("interaction_id", sa.String(36)),
        sa.Column("request_id", sa.String(36)),
        sa.CheckConstraint(
            "status IN ('shown', 'later', 'accepted', 'refused', 'expired')", name="status"
        ),
    )
    op.create_index("ix_upsell_offer_customer", "upsell_offer", ["customer_id", "presented_at"])
    op.create_index(
        "ix_upsell_offer_presented",
        "upsell_offer",
        ["presented_at", "rule_code", "offering_id", "status"],
    )
    op.create_index("ix_upsell_offer_rule_id", "upsell_offer", ["rule_id"])
    op.create_index(
        "uq_upsell_offer_pending",
        "upsell_offer",
        ["customer_id"],
        unique=True,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    op.create_table(
        "upsell_acceptance_day",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("rule_code", sa.String(64), primary_key=True),
        sa.Column("offering_id", sa.String(36), primary_key=True),
        *(
            sa.Column(name, sa.Integer, nullable=False)
            for name in ("shown", "accepted", "refused", "later", "unanswered")
        ),
    )
    op.create_table(
        "upsell_acceptance_settled",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("through", sa.Date, nullable=False),
    )
    _seed_rules()
    _seed_reasons()
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    codes = [code for code, _, _ in NEW_REASONS]
    # History keeps the reason as written; only the catalogue's code goes.
    for statement in (
        "UPDATE party_interaction SET reason_code = NULL WHERE reason_code IN :codes",
        "DELETE FROM interaction_reason WHERE code IN :codes",
    ):
        op.execute(sa.text(statement).bindparams(sa.bindparam("codes", codes, expanding=True)))
    op.drop_table("upsell_acceptance_settled")
    op.drop_table("upsell_acceptance_day")
    op.drop_table("upsell_offer")
    op.drop_table("upsell_rule")


def _seed_rules() -> None:
    now = datetime.now(UTC)
    rules = sa.table(
        "upsell_rule",
        sa.column("id", UUIDString),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("document", JSONDocument),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
        sa.column("updated_by", sa.String),
    )
    op.bulk_insert(
        rules,
        [
            {
                "id": str(uuid.uuid4()),
                "code": rule["code"],
                "name": rule["name"],
                "active": rule["active"],
                "document": rule,
                "created_at": now,
                "updated_at": now,
                "updated_by": "parley",
            }
            for rule in SEED_RULES
        ],
    )


def _seed_reasons() -> None:
    bind, now = op.get_bind(), datetime.now(UTC)
    present = set(bind.scalars(sa.text("SELECT code FROM interaction_reason")))
    reasons = sa.table(
        "interaction_reason",
        sa.column("code", sa.String),
        sa.column("label", sa.String),
        sa.column("category", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    rows = [
        {
            "code": code,
            "label": label,
            "category": category,
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        for code, label, category in NEW_REASONS
        if code not in present  # an administrator may have made one already
    ]
    if rows:
        op.bulk_insert(reasons, rows)
