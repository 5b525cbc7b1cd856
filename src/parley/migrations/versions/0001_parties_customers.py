"""Parties, customers, identification keys, notes and verification.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "party",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(300), nullable=False),
        sa.Column("given_name", sa.String(150)),
        sa.Column("family_name", sa.String(150)),
        sa.Column("city", sa.String(150)),
        sa.Column("search_text", sa.String(500), nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        *_timestamps(),
        sa.CheckConstraint("kind IN ('Individual', 'Organization')", name="kind"),
        sa.CheckConstraint("length(display_name) > 0", name="display_name_not_empty"),
    )
    op.create_index("ix_party_family_name", "party", ["family_name"])
    op.create_index("ix_party_status", "party", ["status"])

    op.create_table(
        "customer",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("customer_number", sa.String(20), nullable=False, unique=True),
        sa.Column(
            "party_id",
            sa.String(36),
            sa.ForeignKey("party.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        *_timestamps(),
        sa.Column("status_changed_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('prospective', 'active', 'suspended', 'disconnected', 'closed')",
            name="status",
        ),
        sa.CheckConstraint("length(customer_number) >= 6", name="customer_number_length"),
    )
    op.create_index("ix_customer_status", "customer", ["status"])
    op.create_index("ix_customer_party_id", "customer", ["party_id"])

    op.create_table(
        "party_key",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "party_id",
            sa.String(36),
            sa.ForeignKey("party.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customer.id", ondelete="CASCADE")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("valid_from", UTCDateTime()),
        sa.Column("valid_to", UTCDateTime()),
        sa.CheckConstraint("kind IN ('phone', 'email', 'national_id', 'external_id')", name="kind"),
        sa.CheckConstraint("length(value) > 0", name="value_not_empty"),
    )
    op.create_index("ix_party_key_lookup", "party_key", ["kind", "value"])
    op.create_index("ix_party_key_party_id", "party_key", ["party_id"])
    op.create_index("ix_party_key_customer_id", "party_key", ["customer_id"])

    op.create_table(
        "customer_contact",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "customer_id",
            sa.String(36),
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "party_id",
            sa.String(36),
            sa.ForeignKey("party.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("is_primary", sa.Boolean, nullable=False),
        sa.CheckConstraint("length(role) > 0", name="role_not_empty"),
    )
    op.create_index("ix_customer_contact_customer_id", "customer_contact", ["customer_id"])
    op.create_index("ix_customer_contact_party_id", "customer_contact", ["party_id"])

    op.create_table(
        "customer_account",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "customer_id",
            sa.String(36),
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("account_ref", sa.String(120), nullable=False),
    )
    op.create_index("ix_customer_account_customer_id", "customer_account", ["customer_id"])
    op.create_index("ix_customer_account_account_ref", "customer_account", ["account_ref"])

    op.create_table(
        "customer_note",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "customer_id",
            sa.String(36),
            sa.ForeignKey("customer.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("author", sa.String(150), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(text) > 0", name="text_not_empty"),
    )
    op.create_index(
        "ix_customer_note_customer_created", "customer_note", ["customer_id", "created_at"]
    )

    op.create_table(
        "customer_security",
        sa.Column(
            "customer_id",
            sa.String(36),
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("pin_hash", sa.String(200)),
        sa.Column("failed_attempts", sa.Integer, nullable=False),
        sa.Column("locked_until", UTCDateTime()),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "security_question",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "customer_id",
            sa.String(36),
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("answer_hash", sa.String(200), nullable=False),
        sa.CheckConstraint("length(question) > 0", name="question_not_empty"),
    )
    op.create_index("ix_security_question_customer_id", "security_question", ["customer_id"])

    op.create_table(
        "verification_attempt",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "customer_id",
            sa.String(36),
            sa.ForeignKey("customer.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("asked_by", sa.String(150), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("attempted_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("outcome IN ('passed', 'failed', 'locked')", name="outcome"),
    )
    op.create_index(
        "ix_verification_attempt_customer_at",
        "verification_attempt",
        ["customer_id", "attempted_at"],
    )
    _create_name_search_index()


def _create_name_search_index() -> None:
    """Trigram index for fuzzy names: pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_party_search_text_trgm ON party USING gin (search_text gin_trgm_ops)"
        )
        return
    # External-content FTS5 table kept in step with party by triggers
    # (after a VACUUM, `parley db reindex` rebuilds it).
    op.execute(
        "CREATE VIRTUAL TABLE party_search USING fts5("
        "search_text, content='party', content_rowid='rowid', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER party_search_ai AFTER INSERT ON party BEGIN "
        "INSERT INTO party_search(rowid, search_text) VALUES (new.rowid, new.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER party_search_ad AFTER DELETE ON party BEGIN "
        "INSERT INTO party_search(party_search, rowid, search_text) "
        "VALUES ('delete', old.rowid, old.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER party_search_au AFTER UPDATE OF search_text ON party BEGIN "
        "INSERT INTO party_search(party_search, rowid, search_text) "
        "VALUES ('delete', old.rowid, old.search_text); "
        "INSERT INTO party_search(rowid, search_text) VALUES (new.rowid, new.search_text); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("party_search_ai", "party_search_ad", "party_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS party_search")
    for table in (
        "verification_attempt",
        "security_question",
        "customer_security",
        "customer_note",
        "customer_account",
        "customer_contact",
        "party_key",
        "customer",
        "party",
    ):
        op.drop_table(table)
