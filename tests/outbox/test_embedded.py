"""`parley serve` on SQLite delivers without a separate worker: the app runs one on a thread
from start-up to shutdown. On PostgreSQL separate `parley worker` processes do the work."""

import time

from parley.app import create_app
from parley.outbox.models import DELIVERED, OutboxMessage
from tests.outbox.conftest import FAST, enqueue_webhook


def test_the_app_runs_an_embedded_worker_while_it_is_up(engine, settings, session, receiver):
    from fastapi.testclient import TestClient

    app = create_app(settings.model_copy(update={**FAST, "embedded_worker": True}))
    made = enqueue_webhook(session, receiver.url)
    try:
        with TestClient(app):
            deadline = time.monotonic() + 10
            while not receiver.received and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.1)  # the outcome is recorded after the answer
        assert receiver.keys() == [made.idempotency_key]
        session.expire_all()
        assert session.get(OutboxMessage, made.id).status == DELIVERED
    finally:
        app.state.engine.dispose()


def test_no_embedded_worker_when_switched_off(engine, settings, session, receiver):
    from fastapi.testclient import TestClient

    app = create_app(settings.model_copy(update={**FAST, "embedded_worker": False}))
    enqueue_webhook(session, receiver.url)
    try:
        with TestClient(app):
            time.sleep(0.3)
    finally:
        app.state.engine.dispose()

    assert receiver.received == []


def test_the_embedded_worker_is_on_by_default_only_on_sqlite(settings):
    def default_for(url):
        return settings.model_copy(update={"database_url": url, "embedded_worker": None})

    assert default_for("sqlite:///parley.db").embedded_worker_on()
    assert not default_for("postgresql+psycopg://db/parley").embedded_worker_on()
    assert not settings.model_copy(update={"database_url": "sqlite://"}).embedded_worker_on()
