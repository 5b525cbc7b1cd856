"""Sales leads and billing accounts, and the permissions to work with them.

Revision ID: 0007
Revises: 0005 (to be re-chained onto 0006 when that migration is merged)
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.migrations.grants import grant, revoke

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
NEW_GRANTS = {
    "agent": ["lead:read", "lead:write", "account:read", "account:write"],
    "supervisor": ["lead:read", "lead:write", "account:read", "account:write"],
    "administrator": ["lead:read", "lead:write", "account:read", "account:write"],
    "integration": ["lead:read", "lead:write", "account:read", "account:write"],
    # Self-service: its own billing accounts only (the service keeps it to its customer).
    "customer": ["account:read", "account:write"],
}


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "sales_lead",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column(
            "party_id",
            sa.String(36),
            sa.ForeignKey("party.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column(
            "contact_party_id", sa.String(36), sa.ForeignKey("party.id", ondelete="RESTRICT")
        ),
        sa.Column("source_channel", sa.String(100), nullable=False),
        sa.Column("rating", sa.String(8)),
        sa.Column("priority", sa.String(8)),
        sa.Column(
            "owner_user_id", sa.String(36), sa.ForeignKey("auth_user.id", ondelete="SET NULL")
        ),
        sa.Column("owner_name", sa.String(150)),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customer.id", ondelete="RESTRICT")),
        sa.Column("verified_contacts", JSONDocument, nullable=False),
        sa.Column("forced_duplicates", JSONDocument),
        sa.Column("document", JSONDocument, nullable=False),
        *_timestamps(),
        sa.Column("status_changed_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('acknowledged', 'inProgress', 'qualified', 'rejected', 'converted', "
            "'cancelled')",
            name="status",
        ),
        sa.CheckConstraint("length(name) > 0", name="name_not_empty"),
        sa.CheckConstraint("rating IS NULL OR rating IN ('hot', 'warm', 'cold')", name="rating"),
        sa.CheckConstraint(
            "priority IS NULL OR priority IN ('low', 'medium', 'high')", name="priority"
        ),
        sa.CheckConstraint("length(source_channel) > 0", name="source_channel_not_empty"),
        sa.CheckConstraint(
            "(status = 'converted') = (customer_id IS NOT NULL)", name="converted_has_customer"
        ),
    )
    op.create_index("ix_sales_lead_status", "sales_lead", ["status", "created_at"])
    op.create_index("ix_sales_lead_owner", "sales_lead", ["owner_name", "status"])
    op.create_index("ix_sales_lead_party_id", "sales_lead", ["party_id"])
    op.create_index("ix_sales_lead_customer_id", "sales_lead", ["customer_id"])

    op.create_table(
        "billing_account",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "customer_id",
            sa.String(36),
            sa.ForeignKey("customer.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column(
            "contact_party_id",
            sa.String(36),
            sa.ForeignKey("party.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("payment_method", sa.String(32), nullable=False),
        sa.Column("bill_delivery", sa.String(16), nullable=False),
        sa.Column("bill_delivery_email", sa.String(320)),
        sa.Column("billing_street", sa.String(200), nullable=False),
        sa.Column("billing_postcode", sa.String(20), nullable=False),
        sa.Column("billing_city", sa.String(150), nullable=False),
        sa.Column("billing_country", sa.String(60), nullable=False),
        sa.Column("credit_limit", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        *_timestamps(),
        sa.Column("state_changed_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("state IN ('active', 'suspended', 'closed')", name="state"),
        sa.CheckConstraint("length(name) > 0", name="name_not_empty"),
        sa.CheckConstraint(
            "payment_method IN ('BankAccountDebit', 'BankAccountTransfer', 'BankCard', "
            "'DigitalWallet', 'Cash')",
            name="payment_method",
        ),
        sa.CheckConstraint("bill_delivery IN ('email', 'postal')", name="bill_delivery"),
        sa.CheckConstraint(
            "bill_delivery <> 'email' OR bill_delivery_email IS NOT NULL",
            name="email_delivery_has_address",
        ),
        sa.CheckConstraint("credit_limit >= 0", name="credit_limit_not_negative"),
        sa.CheckConstraint("length(currency) = 3", name="currency_iso"),
        sa.CheckConstraint(
            "length(billing_street) > 0 AND length(billing_postcode) > 0 "
            "AND length(billing_city) > 0 AND length(billing_country) > 0",
            name="billing_address_complete",
        ),
    )
    op.create_index("ix_billing_account_customer", "billing_account", ["customer_id", "created_at"])
    op.create_index("ix_billing_account_primary_contact", "billing_account", ["contact_party_id"])
    op.create_table(
        "billing_account_contact",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "account_id",
            sa.String(36),
            sa.ForeignKey("billing_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("party_id", sa.String(36), sa.ForeignKey("party.id", ondelete="RESTRICT")),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.CheckConstraint("length(role) > 0", name="role_not_empty"),
        sa.CheckConstraint("length(name) > 0", name="name_not_empty"),
    )
    op.create_index(
        "ix_billing_account_contact_account_id", "billing_account_contact", ["account_id"]
    )
    op.create_index("ix_billing_account_contact_party_id", "billing_account_contact", ["party_id"])
    op.create_index(
        "uq_billing_account_contact_primary",
        "billing_account_contact",
        ["account_id"],
        unique=True,
        sqlite_where=sa.text("is_primary"),
        postgresql_where=sa.text("is_primary"),
    )
    grant(NEW_GRANTS)


def downgrade() -> None:
    revoke(NEW_GRANTS)
    op.drop_table("billing_account_contact")
    op.drop_table("billing_account")
    op.drop_table("sales_lead")
