"""Where the machine's PostgreSQL does not answer, a PostgreSQL run starts one of its own from
the installed binaries (tests/postgres_server.py): it takes Parley's migrations, pg_trgm
included."""

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from parley.db.engine import build_engine
from parley.db.migrate import current_revision, head_revision, upgrade
from tests import postgres_server


def test_a_private_server_starts_and_takes_the_migrations():
    if postgres_server.binaries() is None:
        reason = f"no PostgreSQL binaries: {postgres_server.INSTALL}"
        if os.environ.get("PARLEY_TEST_REQUIRE_POSTGRESQL") == "1":
            pytest.fail(f"{reason} (PARLEY_TEST_REQUIRE_POSTGRESQL=1)", pytrace=False)
        pytest.skip(reason)
    server = postgres_server.start_private_server()  # stopped when the run ends
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text('CREATE DATABASE "parley_private"'))
    admin.dispose()
    engine = build_engine(make_url(server).set(database="parley_private").render_as_string(False))
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision(engine)
    finally:
        engine.dispose()
