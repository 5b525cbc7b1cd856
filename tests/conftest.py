"""Test set-up: one fresh database per run (SQLite file or a new PostgreSQL database), built by
the migrations; every test starts from empty tables.

Choose the database with PARLEY_TEST_DATABASE=sqlite (default) or =postgresql; the PostgreSQL
server is PARLEY_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
If PostgreSQL was asked for and can't be reached, the run fails: it never skips.
"""

import os
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from parley.app import create_app
from parley.db.base import Base
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.settings import Settings

PARTY_API = "/tmf-api/partyManagement/v5"
CUSTOMER_API = "/tmf-api/customerManagement/v5"
PARLEY_API = "/api/v1"


def _postgres_database() -> Iterator[str]:
    server_url = os.environ.get(
        "PARLEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    name = f"parley_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.exit(f"PostgreSQL was asked for but is not usable at {server_url}: {error}", 3)
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _fresh_database(tmp_path_factory) -> Iterator[str]:
    kind = os.environ.get("PARLEY_TEST_DATABASE", "sqlite").lower()
    if kind in ("postgresql", "postgres", "pg"):
        yield from _postgres_database()
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'parley-test.db'}"
    else:
        pytest.exit(f"PARLEY_TEST_DATABASE must be sqlite or postgresql, not {kind!r}", 3)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """The run's database: migrated once, emptied after each test."""
    yield from _fresh_database(tmp_path_factory)


@pytest.fixture
def scratch_database_url(tmp_path_factory) -> Iterator[str]:
    """Another empty database of the same kind, for tests that build or break a schema."""
    yield from _fresh_database(tmp_path_factory)


@pytest.fixture(scope="session")
def migrated_engine(database_url) -> Iterator[Engine]:
    engine = build_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine) -> Iterator[Engine]:
    yield migrated_engine
    _empty_tables(migrated_engine)


def _empty_tables(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(
        database_url=database_url,
        base_url="http://testserver",
        default_phone_region="DE",
        verification_max_failures=3,
        verification_lock_minutes=15,
        _env_file=None,
    )


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A session for service-level tests; the test commits or not as an edge would."""
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        yield session


@pytest.fixture
def app(engine, settings):
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
