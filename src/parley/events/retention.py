"""The event store's retention (docs/events.md#retention): the workers delete domain events
delivered and stored more than ``PARLEY_EVENT_RETENTION_DAYS`` ago, oldest first, a batch of
``PARLEY_EVENT_PRUNE_BATCH_SIZE`` per transaction, and keep how far they have gone
(``event_store_pruning``), so that TMF688 can tell a client whose ``after=<id>`` was pruned (410)
from one that names no event at all (400).

Events not delivered yet (pending, in progress) and dead ones (their fan-out failed: the
administrators' to look at, docs/outbox.md) are kept whatever their age. Any number of workers
may prune at once: each batch locks the rows it deletes and skips those another holds (SKIP
LOCKED on PostgreSQL; SQLite has one writer). Pruning is housekeeping, not a change of a
resource: no audit line, no domain event.
"""

from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from parley.db.base import utcnow
from parley.events.options import EventStoreOptions
from parley.events.store import EventStore
from parley.settings import Settings

log = structlog.get_logger(__name__)
# Batches one run deletes at most, so that a worker with a large backlog to prune goes back to
# delivering the outbox in between; the next run goes on.
MAX_BATCHES_PER_RUN = 20


@dataclass(frozen=True)
class Pruned:
    events: int
    batches: int


def prune_batch(session: Session, options: EventStoreOptions) -> int:
    """Delete one batch of events past the retention in ``session``'s transaction: how many."""
    if options.retention_days <= 0:
        return 0
    now = utcnow()
    store = EventStore(session)
    found = store.prunable(now - timedelta(days=options.retention_days), options.prune_batch_size)
    if not found:
        return 0
    store.delete_events([event_id for event_id, _ in found])
    store.record_pruning(max(stored for _, stored in found), len(found), now)
    return len(found)


def run_once(engine: Engine, settings: Settings) -> Pruned:
    """Prune until nothing past the retention is left, or MAX_BATCHES_PER_RUN batches."""
    options = EventStoreOptions.from_settings(settings)
    events = batches = 0
    while batches < MAX_BATCHES_PER_RUN:
        with Session(engine) as session, session.begin():
            deleted = prune_batch(session, options)
        if not deleted:
            break
        events, batches = events + deleted, batches + 1
        if deleted < options.prune_batch_size:
            break
    if events:
        log.info("event store pruned", events=events, retention_days=options.retention_days)
    return Pruned(events, batches)
