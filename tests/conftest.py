"""Test set-up: one database per run (per xdist worker), built by the migrations, catalogues
seeded once; one app per distinct settings, built once; each test rolled back at its end, or
committed and emptied after (tests/database.py says how, docs/architecture.md when to choose).

Choose the database with PARLEY_TEST_DATABASE=sqlite (default) or =postgresql; the PostgreSQL
server is PARLEY_TEST_POSTGRES_URL, else the machine's at 127.0.0.1:5432 if it answers, else one
the run starts from the installed binaries (tests/postgres_server.py). If PostgreSQL was asked
for and none can be had, the run fails: it never skips.
"""

import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from parley.actor import Actor
from parley.app import create_app
from parley.auth import passwords
from parley.auth.principal_cache import PRINCIPALS
from parley.auth.repository import AuthRepository
from parley.auth.tokens import issue_access_token
from parley.auth.users import NewUser, UserService
from parley.changes import UnitOfWork
from parley.clock import ShiftedClock, shifted
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.events.views import load_event_views
from parley.parties import verification
from parley.ratelimit import forget_refusals
from parley.settings import Settings
from parley.wiring import wire
from tests import change_guard, database

PARTY_API = "/tmf-api/partyManagement/v5"
CUSTOMER_API = "/tmf-api/customerManagement/v5"
PARLEY_API = "/api/v1"
TEST_SIGNING_KEY = "test-signing-key-0123456789abcdef-0123456789abcdef"
# Set, so that tests that deliver webhooks write no parley-webhook.key into the working
# directory; the key generated without it is tested with a directory of its own.
TEST_WEBHOOK_KEY = "test-webhook-key-0123456789abcdef-0123456789abcdef"
TEST_PASSWORD = "Correct-Horse-Battery-9"
# What IANA's example domains resolve to on the Internet: a public address.
PUBLIC_ADDRESS = "93.184.215.14"
EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")


def pytest_collection_modifyitems(items) -> None:
    # The engine is the real one: a test that asks for it (or for a worker made on it) sees
    # other connections' data, so it commits.
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.committed)


def is_committed(request) -> bool:
    node = request.node
    return bool(node.get_closest_marker("committed") or node.get_closest_marker("own_app"))


def pytest_configure(config) -> None:
    change_guard.install()  # a unit of work that writes a resource records the change


@pytest.fixture(scope="session")
def dropper() -> Iterator[database.Dropper]:
    dropping = database.Dropper()
    yield dropping
    dropping.wait()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, dropper) -> Iterator[str]:
    """The run's database: migrated and seeded once."""
    url = database.fresh_database(tmp_path_factory)
    yield url
    dropper.drop(url)


@pytest.fixture
def scratch_database_url(tmp_path_factory, dropper) -> Iterator[str]:
    """Another empty database of the same kind, for tests that build or break a schema."""
    url = database.fresh_database(tmp_path_factory)
    yield url
    dropper.drop(url)


@pytest.fixture(scope="session")
def migrated_engine(database_url) -> Iterator[Engine]:
    engine = build_engine(database_url)
    upgrade(engine)
    database.seed_catalogues(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(request, migrated_engine) -> Iterator[sessionmaker[Session]]:
    """How the test and its app get sessions: joined to a transaction rolled back at the end,
    or (committed tests) on the engine, the tables emptied after."""
    in_mode = database.committed if is_committed(request) else database.rolled_back
    with in_mode(migrated_engine) as made:
        yield made


@pytest.fixture
def engine(request, migrated_engine, sessions) -> Engine:
    """The database's engine, for what opens its own connections (workers, threads): only
    committed tests get it (asking for it makes a test committed)."""
    assert is_committed(request), "the engine is for committed tests"
    return migrated_engine


@pytest.fixture(autouse=True)
def no_cached_principals() -> Iterator[None]:
    """Tokens of users rolled back must not be honoured from the process's cache, nor
    windows of counters rolled back stay refused in the rate limiter's memory."""
    PRINCIPALS.clear()
    forget_refusals()
    yield
    PRINCIPALS.clear()
    forget_refusals()


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
def clock() -> Iterator[ShiftedClock]:
    """Parley's clock, moved by the test: ``clock.advance(hours=5)`` makes five hours pass for
    the services, the API (in-process clients included), tokens and workers alike. Access
    tokens last PARLEY_ACCESS_TOKEN_MINUTES of this time: past that, log in again."""
    with shifted() as moved:
        yield moved


@pytest.fixture
def public_dns(monkeypatch) -> None:
    """Names under example.com, .net and .org resolve to a public address, as on the Internet
    (this machine has no DNS), so that tests can register a partner's URL there under the
    default outbound policy (which refuses a name that does not resolve)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = (host.decode() if isinstance(host, bytes) else host or "").lower().rstrip(".")
        if name in EXAMPLE_DOMAINS or name.endswith(tuple(f".{d}" for d in EXAMPLE_DOMAINS)):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_ADDRESS, int(port or 0)))]
        return real(host, port, family, type, proto, flags)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(scope="session")
def attachment_dir(tmp_path_factory) -> str:
    """Where the run's attachments are kept (one directory: the apps are built once)."""
    return str(tmp_path_factory.mktemp("attachments"))


@pytest.fixture(scope="session")
def import_directory(tmp_path_factory) -> str:
    """Where the run keeps imported files (PARLEY_IMPORT_DIR), never the working directory."""
    return str(tmp_path_factory.mktemp("imports"))


@pytest.fixture
def settings(request, database_url, attachment_dir, import_directory) -> Settings:
    return Settings(
        database_url=database_url,
        import_dir=import_directory,
        base_url="http://testserver",
        default_phone_region="DE",
        verification_max_failures=3,
        verification_lock_minutes=15,
        jwt_secret=SecretStr(TEST_SIGNING_KEY),
        webhook_secret=SecretStr(TEST_WEBHOOK_KEY),
        # Tests that deliver run their own worker (tests/outbox); none runs behind their back.
        embedded_worker=False,
        attachment_dir=attachment_dir,
        # PostgreSQL's direct writes go through a pool of their own, outside the test's
        # transaction: only tests with an app of their own (own_app) use them.
        **({} if request.node.get_closest_marker("own_app") else {"db_async_pool_size": 0}),
        _env_file=None,
    )


@pytest.fixture
def session(sessions) -> Iterator[Session]:
    """A session for service-level tests; the test commits or not as an edge would."""
    with sessions() as session:
        yield session


@pytest.fixture(scope="session")
def built_apps() -> Iterator[dict[str, FastAPI]]:
    """Apps by their settings: building one takes most of a second."""
    apps: dict[str, FastAPI] = {}
    yield apps
    for application in apps.values():
        application.state.engine.dispose()


def _settings_key(settings: Settings) -> str:
    values = settings.model_dump().items()
    revealed = {k: v.get_secret_value() if isinstance(v, SecretStr) else v for k, v in values}
    return repr(sorted(revealed.items()))


@pytest.fixture
def app(request, built_apps, settings, sessions) -> Iterator[FastAPI]:
    """The app for these settings, built once per run and lent to the test: its sessions are
    the test's (rolled back or committed), its settings object the test's own. An own_app
    test gets an app built for it alone (with PostgreSQL's direct writes)."""
    if request.node.get_closest_marker("own_app"):
        application = create_app(settings)
        yield application
        application.state.engine.dispose()
        return
    key = _settings_key(settings)
    if key not in built_apps:
        # No schema check: the run migrated the database, and the test may hold its lock.
        built_apps[key] = create_app(settings, check_schema=False)
    application = built_apps[key]
    state = application.state
    own_settings, own_sessions = state.settings, state.sessionmaker
    state.settings, state.sessionmaker = settings, sessions
    state.principal_look_ups = {}
    load_event_views(settings)  # another app's may have replaced them
    try:
        yield application
    finally:
        state.settings, state.sessionmaker = own_settings, own_sessions


@pytest.fixture
def anonymous_client(app) -> Iterator[TestClient]:
    """A client that sends no credentials."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def client(app, session, settings) -> Iterator[TestClient]:
    """A client acting as an administrator (every permission), for behaviour tests that are
    not about authorisation."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers.update(staff_headers(session, settings, "administrator"))
        yield test_client


@pytest.fixture
def as_user(client, session, settings):
    """``as_user("agent.kim")``: Authorization headers of that (agent) user, made on first use."""
    made: dict[str, dict] = {}

    def headers(username: str, *roles: str) -> dict:
        if username not in made:
            made[username] = staff_headers(
                session, settings, *(roles or ("agent",)), username=username
            )
        return dict(made[username])

    return headers


def staff_headers(session: Session, settings: Settings, *roles: str, username=None) -> dict:
    """Authorization headers of a new staff user holding ``roles``."""
    username = username or f"test-{'-'.join(roles)}-{uuid.uuid4().hex[:8]}"
    setup = UnitOfWork(session, settings, Actor("test-setup", "test"))
    made = UserService(setup).create_user(username, list(roles), "staff", TEST_PASSWORD)
    session.commit()
    return token_headers(session, settings, made)


def token_headers(session: Session, settings: Settings, made: NewUser) -> dict:
    """Authorization headers of a token issued to ``made`` as a log-in would issue it (the
    tests of logging in, tests/auth, log in over HTTP)."""
    user = made.user
    claims = {
        "user_id": user.id,
        "username": user.username,
        "kind": user.kind,
        "customer_id": user.customer_id,
    }  # read before the commit, which may expire them
    grants = AuthRepository(session).grants(user.id)
    session.commit()  # ends the read: on SQLite an open transaction holds the write lock
    permissions = sorted(grants.permissions)
    token = issue_access_token(settings, roles=grants.roles, permissions=permissions, **claims)
    return {"Authorization": f"Bearer {token.token}"}


def require_kannel() -> None:
    from tests.outbox import kannel_gateway

    if not kannel_gateway.available():
        reason = f"Kannel is not installed: {kannel_gateway.INSTALL}"
        if os.environ.get("PARLEY_TEST_REQUIRE_KANNEL") == "1":
            pytest.fail(f"{reason} (PARLEY_TEST_REQUIRE_KANNEL=1)", pytrace=False)
        pytest.skip(reason)


def require_nats() -> None:
    from tests.events import nats_server

    if not nats_server.available():
        reason = f"nats-server is not installed: {nats_server.INSTALL}"
        if os.environ.get("PARLEY_TEST_REQUIRE_NATS") == "1":
            pytest.fail(f"{reason} (PARLEY_TEST_REQUIRE_NATS=1)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory) -> Iterator[str]:
    """A NATS server with JetStream for the run: PARLEY_TEST_NATS_URL if set, else one started
    from Debian's nats-server on a free port. Without it the event bus tests skip, unless
    PARLEY_TEST_REQUIRE_NATS=1 (CI), where they fail."""
    given = os.environ.get("PARLEY_TEST_NATS_URL")
    if given:
        yield given
        return
    from tests.events.nats_server import NatsServer

    require_nats()
    with NatsServer(tmp_path_factory.mktemp("nats")) as server:
        yield server.url


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
