"""A database connection lost under a running API: one 503 that says to retry, then service."""

import pytest
from sqlalchemy import text

from parley.interactions.direct_log import APPLICATION_NAME, writer_of
from tests.factories import assert_tmf_error, create_person_customer
from tests.interactions.helpers import API, interaction_payload

# Cuts the connections of the API's own pools: an app of their own, committing.
pytestmark = pytest.mark.own_app


def test_a_lost_connection_is_a_503_to_retry_and_the_next_request_works(app, client, session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("a server-side connection to cut is a PostgreSQL matter")
    assert client.get("/api/v1/me").status_code == 200
    with app.state.engine.connect() as connection:  # the pooled connection the API uses
        pid = connection.scalar(text("SELECT pg_backend_pid()"))
    session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    session.commit()

    lost = client.get("/api/v1/me")

    body = assert_tmf_error(lost, 503, "Retry")
    assert lost.headers["Retry-After"] == "1"
    assert body["code"] == "DATABASE_UNAVAILABLE"
    assert client.get("/api/v1/me").status_code == 200


def test_a_lost_connection_of_the_direct_writes_is_a_503_then_logging_works(app, client, session):
    """Interactions are logged through their own pool on PostgreSQL (interactions/direct_log.py):
    its lost connections answer 503 each, are dropped, and new ones take over."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("a server-side connection to cut is a PostgreSQL matter")
    customer = create_person_customer(client, "Ada", "Brandt")
    size = writer_of(app.state.engine).pool.max_size
    cut = session.scalar(
        text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = :name"
        ),
        {"name": APPLICATION_NAME},
    )
    session.commit()
    assert cut >= 1

    answers = [
        client.post(f"{API}/partyInteraction", json=interaction_payload(customer))
        for _ in range(size + 1)
    ]

    assert {a.status_code for a in answers} <= {201, 503} and answers[-1].status_code == 201
    for lost in (a for a in answers if a.status_code == 503):
        assert assert_tmf_error(lost, 503, "retry")["code"] == "DATABASE_UNAVAILABLE"
    stored = session.scalar(text("SELECT count(*) FROM party_interaction"))
    assert stored == sum(a.status_code == 201 for a in answers)
