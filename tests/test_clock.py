"""The one clock: services, tokens and the outbox all follow it when a test moves it."""

from datetime import UTC, datetime, timedelta

import pytest

from parley import clock as parley_clock
from parley.db.base import utcnow
from tests.auth.helpers import headers_for
from tests.outbox.conftest import outbox_service


def test_utcnow_follows_the_moved_clock_and_keeps_ticking(clock):
    before = utcnow()
    moved = clock.advance(hours=5)

    assert moved - before >= timedelta(hours=5)
    assert utcnow() >= moved  # still ticking, never back
    clock.set(datetime(2030, 1, 1, tzinfo=UTC))
    assert abs(utcnow() - datetime(2030, 1, 1, tzinfo=UTC)) < timedelta(seconds=5)


def test_time_cannot_run_backwards_nor_be_set_naive(clock):
    with pytest.raises(ValueError):
        clock.advance(minutes=-1)
    with pytest.raises(ValueError):
        clock.set(datetime(2030, 1, 1))


def test_the_system_clock_comes_back_after_the_block():
    with parley_clock.shifted() as moved:
        moved.advance(days=3)
        assert utcnow() - datetime.now(UTC) > timedelta(days=2)
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_delayed_outbox_message_is_due_once_the_clock_passes_it(clock, session):
    from parley.outbox.repository import OutboxRepository

    outbox = outbox_service(session)
    not_before = utcnow() + timedelta(minutes=1)
    outbox.enqueue("webhook", {"url": "http://x.invalid/"}, {"a": 1}, "clock-key", not_before)
    session.commit()
    repo = OutboxRepository(session)
    now = utcnow()
    assert repo.claim("w", now, now + timedelta(minutes=2), 10) == []
    session.rollback()

    later = clock.advance(minutes=2)
    assert [row.idempotency_key for row in repo.claim("w", later, later, 10)] == ["clock-key"]
    session.rollback()


def test_tokens_follow_the_moved_clock(client, session, settings, clock):
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(hours=2)  # past the 15 minutes an access token lasts
    assert client.get("/api/v1/me").status_code == 401

    issued_later = headers_for(client, session, settings, "agent")  # logs in: the moved now
    assert client.get("/api/v1/me", headers=issued_later).status_code == 200
