"""Database connections lost under a running API (issue 18: after killed connections, pooled
dead connections answered 503 minutes later).

A connection the server ended while it waited in a pool is found dead when it is taken, with
no round trip (parley.db.engine.closed_by_server), and replaced: no request answers 503,
through the API's pool and through the direct writes' own (interactions/direct_log.py). One
lost without a word (a network cut, which only PARLEY_DB_PRE_PING's round trip would see) is
still one 503 that says to retry, and the next request works."""

import time

import psycopg
import pytest
from sqlalchemy import text

from parley.db import engine as engine_module
from parley.interactions import direct_log
from parley.interactions.direct_log import APPLICATION_NAME, writer_of
from tests.factories import assert_tmf_error, create_person_customer
from tests.interactions.helpers import API, interaction_payload

# Cuts the connections of the API's own pools: an app of their own, committing.
pytestmark = pytest.mark.own_app


@pytest.fixture(autouse=True)
def postgresql_only(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("a server-side connection to cut is a PostgreSQL matter")


def _kill(session, where: str = "TRUE", **params) -> int:
    """Terminate the database's other backends that match ``where``; wait until they are
    gone. How many there were."""
    others = f"datname = current_database() AND pid <> pg_backend_pid() AND {where}"
    killed = session.scalar(
        text(f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE {others}"),
        params,
    )
    session.commit()
    for _ in range(100):
        remaining = session.scalar(
            text(f"SELECT count(*) FROM pg_stat_activity WHERE {others}"), params
        )
        session.commit()
        if not remaining:
            break
        time.sleep(0.05)
    return killed


def _several_pooled(app, count: int = 4) -> None:
    """Put ``count`` connections into the API's pool (serial requests would use one)."""
    held = [app.state.engine.connect() for _ in range(count)]
    for connection in held:
        connection.execute(text("SELECT 1"))
    for connection in held:
        connection.close()


def test_after_the_pooled_connections_are_killed_no_request_answers_503(app, client, session):
    assert client.get("/api/v1/me").status_code == 200
    _several_pooled(app)

    assert _kill(session) >= 4

    answers = [client.get("/api/v1/me").status_code for _ in range(8)]
    assert answers == [200] * 8
    assert client.get("/healthz").json()["status"] == "ok"


def test_after_the_direct_writes_connections_are_killed_logging_works_at_once(app, client, session):
    customer = create_person_customer(client, "Ada", "Brandt")
    size = writer_of(app.state.engine).pool.max_size
    assert client.post(f"{API}/partyInteraction", json=interaction_payload(customer)).is_success

    assert _kill(session, "application_name = :name", name=APPLICATION_NAME) >= 1

    answers = [
        client.post(f"{API}/partyInteraction", json=interaction_payload(customer))
        for _ in range(size + 1)
    ]
    assert [a.status_code for a in answers] == [201] * (size + 1)
    stored = session.scalar(text("SELECT count(*) FROM party_interaction"))
    assert stored == size + 2


def test_a_connection_lost_without_a_word_is_one_503_to_retry(app, client, session, monkeypatch):
    assert client.get("/api/v1/me").status_code == 200
    # A network cut: the socket says nothing, so the connection looks alive when taken.
    monkeypatch.setattr(engine_module, "closed_by_server", lambda _connection: False)
    monkeypatch.setattr(direct_log, "closed_by_server", lambda _connection: False)
    _kill(session)

    lost = client.get("/api/v1/me")

    body = assert_tmf_error(lost, 503, "Retry")
    assert lost.headers["Retry-After"] == "1"
    assert body["code"] == "DATABASE_UNAVAILABLE"
    assert client.get("/api/v1/me").status_code == 200


def test_a_database_that_refuses_connections_is_a_503_to_retry(app, client, monkeypatch):
    """PostgreSQL at max_connections ("sorry, too many clients already"): a request that needs
    a new connection is told to retry, not answered 500; the next one, once it admits again,
    works."""
    assert client.get("/api/v1/me").status_code == 200
    app.state.engine.pool.dispose()  # every request needs a new connection
    dialect = app.state.engine.dialect
    admitting = dialect.connect

    def refused(*args, **kwargs):
        raise psycopg.OperationalError("FATAL: sorry, too many clients already")

    monkeypatch.setattr(dialect, "connect", refused)
    full = client.get("/api/v1/me")

    body = assert_tmf_error(full, 503, "Retry")
    assert full.headers["Retry-After"] == "1"
    assert body["code"] == "DATABASE_UNAVAILABLE"
    monkeypatch.setattr(dialect, "connect", admitting)
    assert client.get("/api/v1/me").status_code == 200
