"""The event bus relay against a NATS server with JetStream (the run's own: the nats_url
fixture starts Debian's nats-server): each domain event is published once to
<prefix>.<resourceType>.<kind>, with Nats-Msg-Id = its eventId, and a re-publication of the
same event is dropped by JetStream."""

import asyncio
import json
import uuid

import nats
import pytest
from sqlalchemy import select

from parley.events.bus import EventBusPublisher
from parley.outbox.channels import Message
from parley.outbox.models import DELIVERED, OutboxMessage
from tests.events.conftest import deliver_all
from tests.factories import create_customer, create_individual


async def _stream_messages(url: str, stream: str, subject: str) -> list:
    connection = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=0)
    try:
        jetstream = connection.jetstream()
        info = await jetstream.stream_info(stream)
        found = []
        if info.state.messages:
            for sequence in range(info.state.first_seq, info.state.last_seq + 1):
                found.append(await jetstream.get_msg(stream, sequence))
        return [m for m in found if m.subject.startswith(subject)]
    finally:
        await connection.close()


async def _delete_stream(url: str, stream: str) -> None:
    connection = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=0)
    try:
        await connection.jetstream().delete_stream(stream)
    finally:
        await connection.close()


def _in_stream(bus: dict, subject: str) -> list:
    """The messages of the run's stream whose subject starts with ``subject``."""
    return asyncio.run(_stream_messages(bus["event_bus_url"], bus["event_bus_stream"], subject))


@pytest.fixture
def bus(settings, nats_url):
    """Settings of a run of its own: a new stream and subject prefix, removed afterwards."""
    run = uuid.uuid4().hex[:10]
    configured = {
        "event_bus_url": nats_url,
        "event_bus_stream": f"PARLEY_TEST_{run}",
        "event_bus_subject_prefix": f"parley-test.{run}",
    }
    yield configured
    asyncio.run(_delete_stream(nats_url, configured["event_bus_stream"]))


def test_events_are_published_once_each_and_a_repeat_is_deduplicated(
    client, session, make_worker, bus
):
    customer = create_customer(client, create_individual(client))
    worker = make_worker(**bus)

    deliver_all(worker)

    prefix = bus["event_bus_subject_prefix"]
    got = _in_stream(bus, f"{prefix}.customer.")
    (published,) = got
    event = json.loads(published.data)
    assert published.subject == f"{prefix}.customer.create"
    assert published.headers["Nats-Msg-Id"] == event["eventId"]
    assert event["resourceId"] == customer["id"] and event["document"]["status"] == "active"
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "bus")).all()
    assert all(row.status == DELIVERED for row in rows)
    (row,) = [row for row in rows if row.payload["eventId"] == event["eventId"]]
    # The individual was published too, on its own subject.
    assert _in_stream(bus, f"{prefix}.individual.create")
    published_before = len(_in_stream(bus, prefix))

    # A worker that crashed after publishing, say, sends the same row again: dropped.
    again = EventBusPublisher(worker.settings)
    try:
        message = Message(row.id, row.kind, row.destination, row.payload, row.idempotency_key, 2)
        assert again.deliver(message).result == "delivered"
    finally:
        again.close()
    assert len(_in_stream(bus, prefix)) == published_before


def test_an_unreachable_bus_is_retried_not_lost(client, session, make_worker, settings):
    create_customer(client, create_individual(client))
    worker = make_worker(event_bus_url="nats://127.0.0.1:9", event_bus_timeout_seconds=0.5)

    worker.run_once()  # the events fan out: bus rows
    worker.run_once()  # the bus rows fail

    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "bus")).all()
    assert rows and all(row.status == "pending" and row.attempts == 1 for row in rows)
    assert all("event bus" in row.last_error for row in rows)


def test_without_nats_server_the_bus_tests_skip_saying_why_except_in_ci(monkeypatch):
    from tests import conftest
    from tests.events import nats_server

    monkeypatch.setattr(nats_server, "NATS_SERVER", "/nonexistent/nats-server")
    monkeypatch.delenv("PARLEY_TEST_REQUIRE_NATS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y nats-server"):
        conftest.require_nats()
    monkeypatch.setenv("PARLEY_TEST_REQUIRE_NATS", "1")
    with pytest.raises(pytest.fail.Exception, match="PARLEY_TEST_REQUIRE_NATS=1"):
        conftest.require_nats()
