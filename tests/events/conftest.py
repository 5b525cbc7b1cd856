"""Events test set-up: a worker with fast retries over the test database, a real HTTP listener,
and helpers to subscribe and to deliver everything due."""

import hashlib
import hmac
import random
import time

import pytest
from sqlalchemy import func, select

from parley.outbox.models import IN_PROGRESS, PENDING, OutboxMessage
from parley.outbox.worker import Worker
from tests.outbox.conftest import FAST, LOCAL_RECEIVERS
from tests.outbox.receiver import Receiver

SECRET = "listener-secret-0123456789"
CUSTOMER_HUB = "/tmf-api/customerManagement/v5/hub"
INTERACTION_HUB = "/tmf-api/partyInteractionManagement/v5/hub"
INTERACTION_V4_HUB = "/tmf-api/partyInteraction/v4/hub"


@pytest.fixture
def settings(settings):
    """The listeners are on 127.0.0.1, which the outbound policy refuses unless allowed: these
    tests allow it (subscribing and delivering), as an operator would for a local system."""
    return settings.model_copy(update={"outbound_allow": LOCAL_RECEIVERS})


@pytest.fixture
def listener():
    with Receiver() as running:
        yield running


@pytest.fixture
def make_worker(engine, settings):
    made: list[Worker] = []

    def build(**overrides) -> Worker:
        worker = Worker(engine, settings.model_copy(update={**FAST, **overrides}), random.Random(3))
        made.append(worker)
        return worker

    yield build
    for worker in made:
        worker.close()


def deliver_all(worker: Worker, rounds: int = 10, seconds: float = 10.0) -> None:
    """Passes until nothing is pending: events fan out into webhooks, which go out next. At
    least ``rounds`` passes, and on for up to ``seconds`` while a retry waits for its time (a
    busy machine may run the passes faster than the fast settings' back-off)."""
    deadline = time.monotonic() + seconds
    done = 0
    while done < rounds or time.monotonic() < deadline:
        worker.run_once()
        done += 1
        with worker.sessions() as session:
            due = select(func.count()).where(OutboxMessage.status.in_((PENDING, IN_PROGRESS)))
            if session.scalar(due) == 0:
                return
        if done >= rounds:
            time.sleep(0.05)
    raise AssertionError("outbox messages still pending")


def subscribe(client, hub: str, callback: str, query: str | None = None, secret=SECRET) -> dict:
    body = {"callback": callback, "secret": secret}
    if query is not None:
        body["query"] = query
    response = client.post(hub, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def signed_by(received, secret: str = SECRET) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(received.headers.get("x-parley-signature", ""), expected)
