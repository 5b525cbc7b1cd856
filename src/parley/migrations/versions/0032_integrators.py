"""Integrators (issue 19): tickets without a customer, external references on tickets, and the
event store's retention.

- ``request_type.customer_required`` (the document's ``customerRequired``): true for every type
  there is; the type ``internal`` (an internal or network ticket, for no customer) and its
  workflow are added where the defaults did not seed them, with ``customer_required`` false.
- ``customer_request.customer_id`` may be NULL (a ticket for no customer Parley holds), and
  ``customer_request.party_id`` names the party such a ticket concerns (the placeholder behind
  an external reference), indexed with the creation time.
- ``event_store_pruning``: how far the workers have pruned the event store (one row).

On SQLite the NOT NULL of ``customer_id`` is removed in place, as SQLite's documentation says
for constraints that do not change what is stored (the table's SQL is rewritten and the schema
version moved on): rebuilding the table would cascade its DROP to the requests' history.

Revision ID: 0032
Revises: 0035
Create Date: 2026-12-08
"""

import copy
from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument, UTCDateTime
from parley.requests.defaults import DEFAULT_REQUEST_TYPES
from parley.requests.workflow.defaults import DEFAULT_WORKFLOWS

revision = "0032"
down_revision = "0035"
branch_labels = None
depends_on = None

INTERNAL = "internal"
PARTY_INDEX = "ix_customer_request_party"
PARTY_KEY = "fk_customer_request_party_id_party"
REQUIRED, OPTIONAL = "customer_id VARCHAR(36) NOT NULL,", "customer_id VARCHAR(36),"
_TYPES = sa.table(
    "request_type",
    *(sa.column(c) for c in ("id", "code", "name", "category", "fulfilment_mode")),
    sa.column("lifecycle_status"),
    sa.column("customer_required", sa.Boolean),
    sa.column("document", JSONDocument),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
_WORKFLOWS = sa.table(
    "workflow_definition",
    *(sa.column(c) for c in ("id", "code", "name", "status", "version")),
    sa.column("document", JSONDocument),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # In place, as 0023 does: a rebuilt table's DROP would cascade (see above).
        op.execute(
            "ALTER TABLE request_type ADD COLUMN customer_required BOOLEAN DEFAULT 1 NOT NULL"
        )
        _rewrite_sqlite_column(REQUIRED, OPTIONAL)
        op.execute(
            "ALTER TABLE customer_request ADD COLUMN party_id VARCHAR(36) "
            f"CONSTRAINT {PARTY_KEY} REFERENCES party (id) ON DELETE RESTRICT"
        )
    else:
        op.add_column(
            "request_type",
            sa.Column("customer_required", sa.Boolean(), nullable=False, server_default=sa.true()),
        )
        op.alter_column("customer_request", "customer_id", nullable=True)
        party = sa.ForeignKey("party.id", ondelete="RESTRICT", name=PARTY_KEY)
        op.add_column("customer_request", sa.Column("party_id", sa.String(36), party))
    op.create_index(PARTY_INDEX, "customer_request", ["party_id", "created_at"])
    op.create_table(
        "event_store_pruning",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pruned_before", UTCDateTime(), nullable=False),
        sa.Column("pruned_at", UTCDateTime(), nullable=False),
        sa.Column("events_pruned", sa.BigInteger(), nullable=False),
    )
    _add_internal_type()
    _mark_customer_required(True)


def downgrade() -> None:
    # Tickets without a customer cannot be kept by the older schema (their history, clocks and
    # tasks go with them); the internal type and its workflow stay: a type is only data.
    op.execute("DELETE FROM customer_request WHERE customer_id IS NULL")
    _mark_customer_required(False)
    op.drop_table("event_store_pruning")
    op.drop_index(PARTY_INDEX, "customer_request")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE customer_request DROP COLUMN party_id")
        _rewrite_sqlite_column(OPTIONAL, REQUIRED)
        op.execute("ALTER TABLE request_type DROP COLUMN customer_required")
    else:
        op.drop_column("customer_request", "party_id")
        op.alter_column("customer_request", "customer_id", nullable=False)
        op.drop_column("request_type", "customer_required")


def _rewrite_sqlite_column(was: str, becomes: str) -> None:
    """Change the declaration of ``customer_request.customer_id`` in SQLite's schema, in this
    transaction (https://www.sqlite.org/lang_altertable.html, "otheralter")."""
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    changed = bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = replace(sql, :was, :becomes) "
            "WHERE type = 'table' AND name = 'customer_request' AND instr(sql, :was) > 0"
        ),
        {"was": was, "becomes": becomes},
    ).rowcount
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    if changed != 1:
        raise RuntimeError(f"customer_request.customer_id is not declared as {was!r}")
    problems = bind.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"SQLite's integrity check after the change: {problems}")


def _add_internal_type() -> None:
    """The internal type and its workflow, unless the defaults seeded them (0010, 0011)."""
    bind, now = op.get_bind(), datetime.now(UTC)
    if bind.scalar(sa.select(_WORKFLOWS.c.id).where(_WORKFLOWS.c.code == INTERNAL)) is None:
        flow = next(w for w in DEFAULT_WORKFLOWS if w["code"] == INTERNAL)
        bind.execute(
            _WORKFLOWS.insert().values(
                id=str(uuid4()),
                code=INTERNAL,
                name=flow["name"],
                status=flow["status"],
                version=1,
                document=copy.deepcopy(flow),
                created_at=now,
                updated_at=now,
            )
        )
    kind = next(t for t in DEFAULT_REQUEST_TYPES if t["code"] == INTERNAL)
    if bind.scalar(sa.select(_TYPES.c.id).where(_TYPES.c.code == INTERNAL)) is None:
        bind.execute(
            _TYPES.insert().values(
                id=str(uuid4()),
                code=INTERNAL,
                name=kind["name"],
                category=kind["category"],
                fulfilment_mode=kind["fulfilmentMode"],
                lifecycle_status=kind["lifecycleStatus"],
                customer_required=False,
                document=copy.deepcopy(kind),
                created_at=now,
                updated_at=now,
            )
        )
    bind.execute(sa.update(_TYPES).where(_TYPES.c.code == INTERNAL).values(customer_required=False))


def _mark_customer_required(add: bool) -> None:
    """Every type's document says whether its requests need a customer (as its column)."""
    bind = op.get_bind()
    for row in bind.execute(sa.select(_TYPES.c.id, _TYPES.c.code, _TYPES.c.document)).all():
        document = dict(row.document)
        if add:
            document["customerRequired"] = row.code != INTERNAL
        else:
            document.pop("customerRequired", None)
        bind.execute(sa.update(_TYPES).where(_TYPES.c.id == row.id).values(document=document))
