"""Applying inbound messages: the job every ``parley worker`` runs (``parley.jobs``).

A pass claims the messages with work left (``received``, or ``parsed`` and waiting for another
attempt) in batches, each batch in one transaction with its messages locked (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL: concurrent workers take disjoint messages). Each message is
parsed and applied by its handler (``mediation/handlers.py``) in savepoints of that
transaction, and its new state is written in the same transaction as the changes it made:
the batch commits both or neither. A worker killed mid-way (SIGKILL, a lost host) leaves its
messages ``received`` and nothing of their application behind, and the next pass applies
them: each message is applied exactly once.

A refusal (``DomainError``) rejects the message with its reason; any other failure counts an
attempt and tries again after a delay (exponential backoff with jitter, ``outbox.backoff``)
until the message is dead.
"""

import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.db.base import iso, utcnow
from parley.errors import DomainError
from parley.mediation.handlers import Parsed, Rejected, handler_for
from parley.mediation.models import (
    APPLIED,
    DEAD,
    MAX_ERROR_LENGTH,
    PARSED,
    REJECTED,
    InboundMessage,
)
from parley.mediation.options import MediationOptions
from parley.mediation.repository import InboundRepository
from parley.outbox.backoff import retry_delay

if TYPE_CHECKING:
    from parley.settings import Settings

log = structlog.get_logger("parley.mediation")
MAX_HISTORY = 50  # entries kept per message (the latest)
# On SQLite every transaction takes the one write lock, and a writer taking it again at once
# starves the others (their busy handler sleeps between tries): a backlog worked through
# batch after batch pauses this long between them, so the API's requests get their turn.
SQLITE_PAUSE_SECONDS = 0.02


@dataclass
class PassResult:
    claimed: int = 0
    applied: int = 0
    rejected: int = 0
    failed: int = 0  # attempts that failed (retried later, or dead)

    def add(self, other: "PassResult") -> None:
        self.claimed += other.claimed
        self.applied += other.applied
        self.rejected += other.rejected
        self.failed += other.failed


def actor_of(message: InboundMessage) -> Actor:
    """Who a message's changes are recorded for: its sender, through its source's channel."""
    return Actor(message.partner or f"inbound {message.source}", message.source)


def note(message: InboundMessage, state: str, by: str, **details) -> None:
    """A line of the message's history (the latest MAX_HISTORY kept)."""
    entry = {"state": state, "at": iso(utcnow()), "by": by, **details}
    message.history = [*(message.history or []), entry][-MAX_HISTORY:]


class InboundApplier:
    """One batch in the caller's session (the job's transaction, or a test's)."""

    def __init__(self, session: Session, settings: "Settings", rng: random.Random | None = None):
        self.session = session
        self.settings = settings
        self.options = MediationOptions.from_settings(settings)
        self.rng = rng or random.Random()

    def apply_due(self, limit: int) -> PassResult:
        result = PassResult()
        for message in InboundRepository(self.session).claim_due(utcnow(), limit):
            result.claimed += 1
            outcome = self._one(message)
            result.applied += outcome == APPLIED
            result.rejected += outcome == REJECTED
            result.failed += outcome not in (APPLIED, REJECTED)
        self.session.flush()
        return result

    def _one(self, message: InboundMessage) -> str:
        handler = handler_for(message.source, message.transaction_type)
        if handler is None:
            kind = f"{message.source} messages" + (
                f" of type {message.transaction_type}" if message.transaction_type else ""
            )
            return self._failed(message, f"no handler for {kind} in this worker")
        uow = UnitOfWork(self.session, self.settings, actor_of(message))
        command = message.command if message.state == PARSED else None
        if command is None:
            try:
                with self.session.begin_nested():
                    parsed = handler.parse(uow, message)
            except DomainError as refusal:
                return self._rejected(message, refusal)
            except Exception as error:  # a bug, the database: worth another attempt
                return self._failed(message, error)
            self._parsed(message, parsed)
            command = parsed.command
        try:
            with self.session.begin_nested():
                outcome = handler.apply(uow, message, command)
        except DomainError as refusal:
            return self._rejected(message, refusal)
        except Exception as error:
            return self._failed(message, error)
        self._applied(message, outcome)
        return APPLIED

    # -- states ----------------------------------------------------------------------------

    def _parsed(self, message: InboundMessage, parsed: Parsed) -> None:
        message.state, message.command = PARSED, parsed.command
        message.profile_id = parsed.profile_id or message.profile_id
        message.transaction_type = message.transaction_type or parsed.transaction_type
        message.updated_at = utcnow()
        note(message, PARSED, "worker")

    def _applied(self, message: InboundMessage, outcome: dict) -> None:
        now = utcnow()
        message.state, message.outcome = APPLIED, outcome
        message.applied_at = message.updated_at = now
        message.last_error = None
        note(message, APPLIED, "worker")
        log.debug("inbound message applied", message_id=message.id, source=message.source)

    def _rejected(self, message: InboundMessage, refusal: DomainError) -> str:
        reason = refusal.message
        if refusal.field and f"{refusal.field}:" not in reason:
            reason = f"{refusal.field}: {reason}"
        message.state, message.reason = REJECTED, reason[:MAX_ERROR_LENGTH]
        if isinstance(refusal, Rejected):  # what the message turned out to be, if known
            message.profile_id = refusal.profile_id or message.profile_id
            message.transaction_type = message.transaction_type or refusal.transaction_type
        message.updated_at = utcnow()
        note(message, REJECTED, "worker", reason=message.reason)
        log.warning("inbound message rejected", message_id=message.id, reason=message.reason)
        return REJECTED

    def _failed(self, message: InboundMessage, error: Exception | str) -> str:
        if isinstance(error, Exception):
            log.exception("inbound message failed", message_id=message.id)
            error = f"{type(error).__name__}: {error}"
        message.attempts += 1
        message.last_error = error[:MAX_ERROR_LENGTH]
        message.updated_at = now = utcnow()
        options = self.options
        if message.attempts >= options.max_attempts:
            message.state = DEAD
            note(message, DEAD, "worker", error=message.last_error, attempt=message.attempts)
            return DEAD
        delay = retry_delay(
            message.attempts,
            options.retry_base_seconds,
            options.retry_max_delay_seconds,
            self.rng,
        )
        message.next_attempt_at = now + delay
        note(message, message.state, "worker", error=message.last_error, attempt=message.attempts)
        return message.state


class InboundJob:
    """Passes of the job, each batch in a transaction of its own."""

    def __init__(self, engine: Engine, settings: "Settings"):
        self.sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self.settings = settings
        self.batch = MediationOptions.from_settings(settings).batch_size
        self.pause = SQLITE_PAUSE_SECONDS if engine.dialect.name == "sqlite" else 0.0

    def run_once(self) -> PassResult:
        """Everything due now, batch after batch; what was done."""
        total = PassResult()
        while True:
            with self.sessions.begin() as session:
                done = InboundApplier(session, self.settings).apply_due(self.batch)
            total.add(done)
            # Done when a batch was not full, or held only failures (tried again later).
            if done.claimed < self.batch or done.failed == done.claimed:
                return total
            time.sleep(self.pause)
