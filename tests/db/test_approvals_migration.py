"""Migration 0013 brings an existing installation's seeded ``adjustment`` type along (it becomes
automatic: Parley takes adjustments itself; its description says credits) and grants
approval:read; its downgrade undoes both."""

import sqlalchemy as sa

from parley.db.base import JSONDocument
from parley.db.engine import build_engine
from parley.db.migrate import downgrade, upgrade

OLD = "A credit or debit to a billing account; above the agent's limit it needs approval"
TYPES = sa.table(
    "request_type",
    sa.column("code", sa.String),
    sa.column("fulfilment_mode", sa.String),
    sa.column("document", JSONDocument),
)
ADJUSTMENT = TYPES.c.code == "adjustment"
READERS = sa.text(
    "SELECT r.name FROM auth_role r JOIN auth_role_permission p ON p.role_id = r.id "
    "WHERE p.permission = 'approval:read' ORDER BY r.name"
)


def _adjustment_type(connection) -> tuple[str, dict]:
    found = connection.execute(
        sa.select(TYPES.c.fulfilment_mode, TYPES.c.document).where(ADJUSTMENT)
    ).one()
    return found.fulfilment_mode, found.document


def test_the_adjustment_type_becomes_automatic_and_staff_read_approvals(scratch_database_url):
    engine = build_engine(scratch_database_url)
    try:
        upgrade(engine, "0010")
        with engine.begin() as connection:  # as 0010 seeded it before this change
            _, document = _adjustment_type(connection)
            document = {**document, "fulfilmentMode": "workflow", "description": OLD}
            connection.execute(
                sa.update(TYPES)
                .where(ADJUSTMENT)
                .values(fulfilment_mode="workflow", document=document)
            )
        upgrade(engine, "0013")
        with engine.connect() as connection:
            mode, document = _adjustment_type(connection)
            readers = list(connection.scalars(READERS))
        assert mode == document["fulfilmentMode"] == "automatic"
        assert document["description"].startswith("A credit to a billing account;")
        assert readers == ["administrator", "agent", "supervisor"]

        downgrade(engine, "0010")
        with engine.connect() as connection:
            mode, document = _adjustment_type(connection)
            assert list(connection.scalars(READERS)) == []
        assert (mode, document["fulfilmentMode"], document["description"]) == (
            "workflow",
            "workflow",
            OLD,
        )
    finally:
        engine.dispose()
