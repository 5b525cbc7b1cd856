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
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from parley.actor import Actor
from parley.app import create_app
from parley.auth import passwords
from parley.auth.roles import ensure_builtin_roles
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.clock import ShiftedClock, shifted
from parley.db.base import Base
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.interactions.reasons import ensure_default_reasons
from parley.notifications.defaults import ensure_default_templates
from parley.parties import verification
from parley.requests.defaults import ensure_default_request_types
from parley.requests.workflow.defaults import ensure_default_workflows
from parley.settings import Settings
from parley.wiring import wire

PARTY_API = "/tmf-api/partyManagement/v5"
CUSTOMER_API = "/tmf-api/customerManagement/v5"
PARLEY_API = "/api/v1"
TEST_SIGNING_KEY = "test-signing-key-0123456789abcdef-0123456789abcdef"
TEST_PASSWORD = "Correct-Horse-Battery-9"


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


@pytest.fixture(scope="session", autouse=True)
def wired() -> None:
    """The domains plugged together as the app and the CLI do, for tests that use services
    without building the app."""
    wire()


@pytest.fixture(scope="session", autouse=True)
def fast_hashing():
    """argon2 with its cheapest parameters: the suite logs in hundreds of times, and the cost
    of a hash is not what it tests. Production keeps argon2-cffi's defaults."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    saved = passwords._hasher, verification._hasher
    passwords._hasher = verification._hasher = cheap
    passwords._dummy_hash.cache_clear()
    yield
    passwords._hasher, verification._hasher = saved
    passwords._dummy_hash.cache_clear()


@pytest.fixture
def engine(migrated_engine) -> Iterator[Engine]:
    with sessionmaker(bind=migrated_engine)() as session:
        # The migration's seed data, emptied with the rest after a test.
        ensure_builtin_roles(session)
        ensure_default_reasons(session)
        ensure_default_templates(session)
        ensure_default_request_types(session)
        ensure_default_workflows(session)
        session.commit()
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
def clock() -> Iterator[ShiftedClock]:
    """Parley's clock, moved by the test: ``clock.advance(hours=5)`` makes five hours pass for
    the services, the API (in-process clients included), tokens and workers alike. Access
    tokens last PARLEY_ACCESS_TOKEN_MINUTES of this time: past that, log in again."""
    with shifted() as moved:
        yield moved


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(
        database_url=database_url,
        base_url="http://testserver",
        default_phone_region="DE",
        verification_max_failures=3,
        verification_lock_minutes=15,
        jwt_secret=SecretStr(TEST_SIGNING_KEY),
        # Tests that deliver run their own worker (tests/outbox); none runs behind their back.
        embedded_worker=False,
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
def anonymous_client(app) -> Iterator[TestClient]:
    """A client that sends no credentials."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def client(app, session, settings) -> Iterator[TestClient]:
    """A client logged in as an administrator (every permission), for behaviour tests that
    are not about authorisation."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers.update(login_headers(test_client, session, settings, "administrator"))
        yield test_client


@pytest.fixture
def as_user(client, session, settings):
    """``as_user("agent.kim")``: Authorization headers of that (agent) user, made on first use."""
    made: dict[str, dict] = {}

    def headers(username: str, *roles: str) -> dict:
        if username not in made:
            made[username] = login_headers(
                client, session, settings, *(roles or ("agent",)), username=username
            )
        return dict(made[username])

    return headers


def login_headers(
    client: TestClient, session: Session, settings: Settings, *roles: str, username=None
) -> dict:
    """Authorization headers of a new staff user holding ``roles``."""
    username = username or f"test-{'-'.join(roles)}-{uuid.uuid4().hex[:8]}"
    setup = UnitOfWork(session, settings, Actor("test-setup", "test"))
    UserService(setup).create_user(username, list(roles), "staff", TEST_PASSWORD)
    session.commit()
    form = {"grant_type": "password", "username": username, "password": TEST_PASSWORD}
    response = client.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def require_kannel() -> None:
    from tests.outbox import kannel_gateway

    if not kannel_gateway.available():
        reason = f"Kannel is not installed: {kannel_gateway.INSTALL}"
        if os.environ.get("PARLEY_TEST_REQUIRE_KANNEL") == "1":
            pytest.fail(f"{reason} (PARLEY_TEST_REQUIRE_KANNEL=1)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def kannel_gateway_session(tmp_path_factory):
    """A real Kannel (bearerbox, smsbox and its fake SMSC) for the whole run: SMS tests skip
    without it, unless PARLEY_TEST_REQUIRE_KANNEL=1 (CI), where they fail."""
    from tests.outbox.kannel_gateway import KannelGateway

    require_kannel()
    with KannelGateway(tmp_path_factory.mktemp("kannel")) as gateway:
        yield gateway


@pytest.fixture
def kannel(kannel_gateway_session):
    kannel_gateway_session.received(count=0, timeout=0)  # forget what earlier tests sent
    return kannel_gateway_session


@pytest.fixture
def uow(session, settings) -> UnitOfWork:
    """A unit of work over the test's session, acting as a test administrator; for another
    actor: ``UnitOfWork(session, settings, actor)``."""
    return UnitOfWork(session, settings, Actor("test-admin", "test"))
