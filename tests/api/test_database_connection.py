"""A database connection lost under a running API: one 503 that says to retry, then service."""

import pytest
from sqlalchemy import text

from tests.factories import assert_tmf_error


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
