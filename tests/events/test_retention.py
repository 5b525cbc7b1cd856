"""The event store's retention: the workers delete delivered events stored longer ago than
PARLEY_EVENT_RETENTION_DAYS, oldest first and a batch per transaction, keep undelivered and
dead ones, and remember how far they went, so that TMF688 answers an ``after`` it pruned 410."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from parley.db.base import utcnow
from parley.events.models import EventStorePruning
from parley.events.options import EventStoreOptions
from parley.events.retention import Pruned, prune_batch, run_once
from parley.jobs import worker_jobs
from parley.outbox.models import DEAD, DELIVERED, EVENT_KIND, PENDING, OutboxMessage
from tests.factories import assert_tmf_error, create_individual

EVENTS = "/tmf-api/event/v4/event"


def _events(session) -> list[OutboxMessage]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == EVENT_KIND)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()
    return list(rows)


def _age(session, rows: list[OutboxMessage], days: float, status: str = DELIVERED) -> None:
    """Make these events ``days`` old and give them ``status``."""
    stored = utcnow() - timedelta(days=days)
    for offset, row in enumerate(rows):
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id)
            .values(created_at=stored + timedelta(seconds=offset), status=status)
        )


def _options(settings, **changes) -> EventStoreOptions:
    return EventStoreOptions.from_settings(settings.model_copy(update=changes))


@pytest.fixture
def history(client, session) -> list[str]:
    """Eight events, oldest first: five delivered 100 days ago, one pending and one dead as
    old, one delivered yesterday."""
    for number in range(8):
        create_individual(client, givenName=f"Person{number}")
    rows = _events(session)[-8:]
    _age(session, rows[:5], 100)
    _age(session, rows[5:6], 100, PENDING)
    _age(session, rows[6:7], 100, DEAD)
    _age(session, rows[7:], 1)
    ids = [row.id for row in rows]
    session.commit()
    return ids


def test_delivered_events_past_the_retention_are_deleted_oldest_first(session, settings, history):
    options = _options(settings, event_prune_batch_size=3)
    newest = session.get(OutboxMessage, history[4]).created_at  # of those past the retention

    first = prune_batch(session, options)
    second = prune_batch(session, options)
    third = prune_batch(session, options)

    assert (first, second, third) == (3, 2, 0)
    kept = {row.id for row in _events(session)}
    assert kept >= set(history[5:]) and not kept & set(history[:5])
    pruning = session.get(EventStorePruning, 1)
    assert (pruning.events_pruned, pruning.pruned_before) == (5, newest)
    session.rollback()


def test_nothing_is_deleted_without_a_retention(session, settings, history):
    assert prune_batch(session, _options(settings, event_retention_days=0)) == 0
    assert prune_batch(session, _options(settings, event_retention_days=101)) == 0
    assert session.get(EventStorePruning, 1) is None
    session.rollback()


def test_an_after_that_was_pruned_is_gone_and_says_where_to_resume(
    client, session, settings, history
):
    assert client.get(EVENTS, params={"after": history[0]}).status_code == 200

    prune_batch(session, _options(settings))
    session.commit()

    gone = assert_tmf_error(client.get(EVENTS, params={"after": history[0]}), 410)
    assert gone["code"] == "EVENT_PRUNED"
    assert "events are deleted 90 days after they were stored" in gone["message"]
    assert "Resume with eventTime.gt=" in gone["message"]
    # Once events were pruned, an id the store never had cannot be told from a pruned one.
    assert_tmf_error(client.get(EVENTS, params={"after": "no-such-event"}), 410)
    assert_tmf_error(client.get(f"{EVENTS}/{history[0]}"), 404)
    since = (utcnow() - timedelta(days=200)).isoformat()
    kept = client.get(EVENTS, params={"eventTime.gt": since, "limit": 1000}).json()
    assert {e["id"] for e in kept} >= set(history[5:])
    assert not {e["id"] for e in kept} & set(history[:5])


def test_the_list_declares_its_410(client):
    operation = client.get("/openapi.json").json()["paths"][EVENTS]["get"]

    assert operation["responses"]["410"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


@pytest.mark.committed
def test_a_workers_run_prunes_batch_after_batch(engine, settings):
    with Session(engine) as session, session.begin():
        for number in range(5):
            session.add(
                OutboxMessage(
                    kind=EVENT_KIND,
                    destination={},
                    payload={"eventId": f"e{number}", "resourceType": "individual"},
                    idempotency_key=f"event:e{number}",
                    status=DELIVERED,
                    created_at=utcnow() - timedelta(days=95, minutes=number),
                )
            )
    settings = settings.model_copy(update={"event_prune_batch_size": 2})

    jobs = {job.name: job for job in worker_jobs(engine, settings)}
    assert jobs["event-store-retention"].run() == Pruned(events=5, batches=3)
    assert run_once(engine, settings) == Pruned(events=0, batches=0)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).where(OutboxMessage.kind == EVENT_KIND)) == 0
        assert session.get(EventStorePruning, 1).events_pruned == 5
