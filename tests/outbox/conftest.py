"""Outbox test set-up: fast retry settings, a worker over the test database, a real receiver."""

import random

import pytest

from parley.outbox.service import OutboxService
from parley.outbox.worker import Worker
from tests.outbox.receiver import Receiver

FAST = {
    "outbox_retry_base_seconds": 0.01,
    "outbox_retry_max_delay_seconds": 0.02,
    "outbox_max_attempts": 3,
    "outbox_poll_seconds": 0.02,
    "outbox_lease_seconds": 30.0,
    "webhook_timeout_seconds": 2.0,
}


@pytest.fixture
def outbox_settings(settings):
    return settings.model_copy(update=FAST)


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def make_worker(engine, outbox_settings):
    made: list[Worker] = []

    def build(**overrides) -> Worker:
        worker = Worker(engine, outbox_settings.model_copy(update=overrides), rng=random.Random(5))
        made.append(worker)
        return worker

    yield build
    for worker in made:
        worker.close()


def enqueue_webhook(session, url: str, payload: dict | None = None, **options):
    """A committed webhook message."""
    made = OutboxService(session).enqueue("webhook", {"url": url}, payload or {"n": 1}, **options)
    session.commit()
    return made
