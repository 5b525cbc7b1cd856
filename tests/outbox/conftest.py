"""Outbox test set-up: fast retry settings, a worker over the test database, a real receiver."""

import random
import socket

import pytest
from sqlalchemy import select

from parley.changes import UnitOfWork
from parley.outbox.models import IN_PROGRESS, PENDING, OutboxMessage
from parley.outbox.service import OutboxService
from parley.outbox.worker import Worker
from parley.settings import Settings
from tests.outbox.receiver import Receiver

# The outbound policy refuses loopback addresses (docs/security.md); the local receivers these
# tests deliver to are allowed explicitly, for these tests' workers only. The default test
# settings keep the policy as a deployment has it.
LOCAL_RECEIVERS = "127.0.0.1"

FAST = {
    "outbound_allow": LOCAL_RECEIVERS,
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


def free_port() -> int:
    """A port nothing listens on now (another process could take it before it is used: fine
    on a test machine)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def outbox_service(session) -> OutboxService:
    """The outbox service over a test's session: enqueueing reads no settings and records
    nothing (the change behind a message records itself)."""
    return OutboxService(UnitOfWork(session, Settings(_env_file=None)))


def enqueue_webhook(session, url: str, payload: dict | None = None, **options):
    """A committed webhook message."""
    made = outbox_service(session).enqueue("webhook", {"url": url}, payload or {"n": 1}, **options)
    session.commit()
    return made


def reloaded(session, message_id) -> OutboxMessage:
    """The message as the database has it now (the read transaction is ended: on SQLite it
    would hold the lock a worker needs)."""
    session.expire_all()
    row = session.get(OutboxMessage, message_id)
    session.commit()
    return row


def drain(worker, rounds: int = 20) -> None:
    """Run passes until nothing is pending or in progress (retries are due within ms)."""
    for _ in range(rounds):
        if worker.run_once() == 0:
            with worker.sessions() as session:
                open_rows = select(OutboxMessage.id).where(
                    OutboxMessage.status.in_((PENDING, IN_PROGRESS))
                )
                if session.scalar(open_rows) is None:
                    return
            worker.stopping.wait(0.03)
