"""The test database: made and migrated once per run (per xdist worker), its catalogues seeded
once. A test then runs either rolled back (the default) or committed:

* rolled back: one connection with a transaction open for the whole test; the test's session
  and the app's sessions join it through savepoints, so their commits are savepoint releases
  and everything goes when the transaction is rolled back at the test's end;
* committed: the test and the app commit for real (workers, other processes and threads see
  the data), and the tables are emptied and the catalogues seeded again after the test.
"""

import functools
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from parley.analytics.upsell.defaults import ensure_default_rules
from parley.auth.roles import ensure_builtin_roles
from parley.channels.defaults import ensure_default_menus
from parley.db.base import Base
from parley.interactions.reasons import ensure_default_reasons
from parley.notifications.defaults import ensure_default_templates
from parley.requests.defaults import ensure_default_request_types
from parley.requests.workflow.defaults import ensure_default_workflows
from tests import postgres_server

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@functools.cache
def _postgres_server() -> str:
    """PARLEY_TEST_POSTGRES_URL; else the machine's server at 127.0.0.1:5432 if it answers;
    else one of this process's own, started from the installed binaries (tests/postgres_server.py),
    unless PARLEY_TEST_REQUIRE_POSTGRESQL=1 (CI), where the machine's server must answer."""
    given = os.environ.get("PARLEY_TEST_POSTGRES_URL")
    if given:
        return given
    default = make_url(DEFAULT_POSTGRES)
    if postgres_server.answers(default.host, default.port):
        return DEFAULT_POSTGRES
    if os.environ.get("PARLEY_TEST_REQUIRE_POSTGRESQL") == "1":
        pytest.exit(
            f"PostgreSQL does not answer at {default.host}:{default.port} "
            "(PARLEY_TEST_REQUIRE_POSTGRESQL=1)",
            3,
        )
    try:
        return postgres_server.start_private_server()
    except RuntimeError as error:
        pytest.exit(
            f"PostgreSQL was asked for, none answers at {default.host}:{default.port}, and "
            f"none could be started: {error}",
            3,
        )


def fresh_database(tmp_path_factory) -> str:
    """The URL of a new empty database of the kind PARLEY_TEST_DATABASE names (each xdist
    worker has its own temporary directory; PostgreSQL databases get random names)."""
    kind = os.environ.get("PARLEY_TEST_DATABASE", "sqlite").lower()
    if kind == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'parley-test.db'}"
    if kind not in ("postgresql", "postgres", "pg"):
        pytest.exit(f"PARLEY_TEST_DATABASE must be sqlite or postgresql, not {kind!r}", 3)
    name, server = f"parley_test_{uuid.uuid4().hex[:12]}", _postgres_server()
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.exit(f"PostgreSQL was asked for but is not usable at {server}: {error}", 3)
    finally:
        admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


class Dropper:
    """Drops PostgreSQL databases in threads of their own: DROP DATABASE waits for a
    checkpoint (many seconds on a busy server), which the tests need not wait for."""

    def __init__(self) -> None:
        self._threads: list[threading.Thread] = []

    def drop(self, url: str) -> None:
        if make_url(url).get_backend_name() == "postgresql":
            thread = threading.Thread(target=_drop, args=(make_url(url).database,))
            thread.start()
            self._threads.append(thread)

    def wait(self) -> None:
        for thread in self._threads:
            thread.join()


def _drop(name: str) -> None:
    admin = create_engine(_postgres_server(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed_catalogues(engine: Engine) -> None:
    """The migrations' seed data, which every test finds in place."""
    with sessionmaker(bind=engine)() as session:
        ensure_builtin_roles(session)
        ensure_default_reasons(session)
        ensure_default_templates(session)
        ensure_default_request_types(session)
        ensure_default_workflows(session)
        ensure_default_menus(session)
        ensure_default_rules(session)
        session.commit()


# PostgreSQL refuses to DELETE from the audit trail (a trigger keeps it append-only).
APPEND_ONLY = {"audit_entry"}


def empty_tables(engine: Engine) -> None:
    """DELETE, children first: on tables this small it takes milliseconds, where PostgreSQL's
    TRUNCATE of every table took half a second (one table's TRUNCATE is cheap)."""
    postgresql = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if postgresql and table.name in APPEND_ONLY:
                connection.execute(text(f"TRUNCATE {table.name}"))
            else:
                connection.execute(table.delete())


@contextmanager
def rolled_back(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions joined to one transaction that is rolled back at the end: each session's
    transaction is a savepoint in it, so a commit or rollback in the code under test works
    as it would, and all of it is undone at the end. The app's threads use the connection one
    request at a time (TestClient waits for each answer), never two at once."""
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield sessionmaker(
                bind=connection,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
            )
        finally:
            outer.rollback()


@contextmanager
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    try:
        yield sessionmaker(bind=engine, expire_on_commit=False)
    finally:
        empty_tables(engine)
        seed_catalogues(engine)
