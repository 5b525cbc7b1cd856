"""Migration 0013 brings an existing installation's seeded ``adjustment`` type along (it becomes
automatic: Parley takes adjustments itself) and grants approval:read; its downgrade undoes both."""

import json

from sqlalchemy import text

from parley.db.engine import build_engine
from parley.db.migrate import downgrade, upgrade

MODE = "SELECT fulfilment_mode FROM request_type WHERE code = 'adjustment'"
READERS = (
    "SELECT r.name FROM auth_role r JOIN auth_role_permission p ON p.role_id = r.id "
    "WHERE p.permission = 'approval:read' ORDER BY r.name"
)


def test_the_adjustment_type_becomes_automatic_and_staff_read_approvals(scratch_database_url):
    engine = build_engine(scratch_database_url)
    try:
        upgrade(engine, "0010")
        with engine.begin() as connection:  # as 0010 seeded it before this change
            connection.execute(
                text(
                    "UPDATE request_type SET fulfilment_mode = 'workflow' WHERE code = 'adjustment'"
                )
            )
        upgrade(engine, "0013")
        with engine.connect() as connection:
            assert connection.scalar(text(MODE)) == "automatic"
            document = connection.scalar(
                text("SELECT document FROM request_type WHERE code = 'adjustment'")
            )
            document = json.loads(document) if isinstance(document, str) else document
            assert document["fulfilmentMode"] == "automatic"
            readers = list(connection.scalars(text(READERS)))
        assert readers == ["administrator", "agent", "supervisor"]

        downgrade(engine, "0010")
        with engine.connect() as connection:
            assert connection.scalar(text(MODE)) == "workflow"
            assert list(connection.scalars(text(READERS))) == []
    finally:
        engine.dispose()
