"""The hand-off watch: a waiting hand-off whose time is up (``due_at``) without an answer
becomes a task for an agent, once. It runs in every outbox worker (parley.jobs) like the SLA
watch: batches, each in a transaction of its own with the hand-offs and their requests locked
(``SKIP LOCKED`` on PostgreSQL), so any number of workers may run it.

Also the outbox's word on an order or adjustment it delivered or gave up on (registered by
parley.wiring as the listener of the subject ``requestHandoff``): delivered is noted on the
hand-off, a dead letter is a task at once.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.db.base import utcnow
from parley.outbox.service import OutboxService
from parley.requests.handoffs.repository import HandoffRepository
from parley.requests.service import RequestService

if TYPE_CHECKING:
    from parley.settings import Settings

log = structlog.get_logger("parley.handoffs")
SYSTEM = Actor("parley-handoffs", "system")
BATCH = 100
DELIVERED, DEAD = "delivered", "dead"  # parley.outbox.models' statuses


@dataclass
class WatchResult:
    due: int = 0
    tasks: int = 0
    failed: int = 0


def chase_overdue(uow: UnitOfWork, limit: int = BATCH) -> WatchResult:
    """One batch in the caller's unit of work (the watch's, or a test's)."""
    result = WatchResult()
    requests = RequestService(uow)
    for handoff, row in HandoffRepository(uow.session).claim_overdue(utcnow(), limit):
        result.due += 1
        try:
            with uow.session.begin_nested():
                result.tasks += requests.handoffs.overdue(row, handoff)
        except Exception:  # one broken hand-off must not hold up the others
            result.failed += 1
            log.exception("chasing a hand-off failed", handoff=handoff.id)
    return result


class HandoffWatch:
    def __init__(self, engine: Engine, settings: "Settings"):
        self.sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._settings = settings

    def run_once(self) -> WatchResult:
        total = WatchResult()
        while True:
            with self.sessions.begin() as session:
                done = chase_overdue(UnitOfWork(session, self._settings, SYSTEM))
            total.due, total.tasks = total.due + done.due, total.tasks + done.tasks
            total.failed += done.failed
            # Done when a batch was not full, or held only what failed (tried again next pass).
            if done.due < BATCH or done.failed == done.due:
                return total


def hear_outcome(session: Session, message, status: str, settings: "Settings") -> None:
    """The outbox worker's outcome of delivering an order or adjustment (in its transaction)."""
    if status not in (DELIVERED, DEAD):
        return
    uow = UnitOfWork(session, settings, SYSTEM)
    repo = HandoffRepository(session)
    handoff = repo.get(message.subject_id) if message.subject_id else None
    if handoff is None:
        return
    requests = RequestService(uow)
    row = requests.get(handoff.request_id, for_update=True)
    handoff = repo.get(handoff.id, for_update=True)
    if status == DELIVERED:
        requests.handoffs.delivered(handoff, utcnow())
    else:
        error = OutboxService(uow).get(message.id).last_error  # as just recorded
        requests.handoffs.undeliverable(row, handoff, error or "a dead letter")
