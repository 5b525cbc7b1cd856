"""The outbox worker: claims due messages in batches, delivers them, records the outcome.

Each batch is claimed in a short transaction of its own (the claim marks the rows in progress
under a lease); delivery happens after that commit, outside any transaction, and each outcome
is recorded in another short transaction. A worker killed mid-batch leaves its rows in
progress until their lease ends; then any worker claims them again, and the receiver gets the
same idempotency key a second time (at-least-once delivery). Any number of workers may run:
claims never overlap (repository), and a worker whose lease ran out has its outcome ignored.
"""

import os
import random
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from parley.db.base import utcnow
from parley.db.engine import build_engine
from parley.outbox.backoff import retry_delay
from parley.outbox.channels import (
    DELIVERED,
    PERMANENT,
    Attachment,
    ChannelAdapter,
    Message,
    Outcome,
    channel_for,
)
from parley.outbox.models import DEAD, MAX_ERROR_LENGTH, PENDING
from parley.outbox.repository import OutboxRepository
from parley.outbox.subjects import listener_for
from parley.settings import Settings

log = structlog.get_logger("parley.outbox")
# Start a delivery only with this much lease left beyond the channel's timeout.
LEASE_MARGIN = timedelta(seconds=1)


@dataclass
class PeriodicJob:
    """Run between batches every so many seconds (the jobs: parley.jobs)."""

    name: str
    every_seconds: float
    run: Callable[[], object]
    next_at: float = 0.0  # time.monotonic(): due at once when the worker starts

    def due(self) -> bool:
        return time.monotonic() >= self.next_at

    def scheduled(self) -> None:
        self.next_at = time.monotonic() + self.every_seconds


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        rng: random.Random | None = None,
        jobs: list[PeriodicJob] | None = None,
    ):
        self.jobs = jobs or []  # run between batches when due
        self.sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self.settings = settings
        self.name = worker_name()
        self.rng = rng or random.Random()
        self.stopping = threading.Event()
        self.lease = timedelta(seconds=settings.outbox_lease_seconds)
        # The longest one delivery may take on any channel (an SMTP exchange may outlast a
        # webhook call): a row whose lease can't cover it is handed back untried.
        self.delivery_budget = timedelta(seconds=settings.channel_timeout_seconds()) + LEASE_MARGIN
        self.adapters: dict[str, ChannelAdapter] = {}

    def stop(self) -> None:
        """Finish the delivery in flight, hand the rest of the batch back, then return."""
        self.stopping.set()

    def run(self) -> None:
        """Deliver until stopped; a full batch is followed at once by the next one."""
        log.info("outbox worker started", worker=self.name)
        try:
            while not self.stopping.is_set():
                try:
                    handled = self.run_once()
                except Exception:  # the database is away, say: wait, then try again
                    log.exception("outbox worker pass failed", worker=self.name)
                    handled = 0
                self.run_jobs()
                if handled < self.settings.outbox_batch_size:
                    self.stopping.wait(self.settings.outbox_poll_seconds)
        finally:
            self.close()
            log.info("outbox worker stopped", worker=self.name)

    def run_once(self) -> int:
        """Claim one batch and work through it; how many rows were claimed."""
        now = utcnow()
        with self.sessions.begin() as session:
            rows = OutboxRepository(session).claim(
                self.name, now, now + self.lease, self.settings.outbox_batch_size
            )
        for index, row in enumerate(rows):
            if self.stopping.is_set() or utcnow() + self.delivery_budget > row.claimed_until:
                self._release(rows[index:])
                break
            self._record(row, self._deliver(row))
        return len(rows)

    def run_jobs(self) -> None:
        """The periodic jobs that are due; one failing is logged and tried again later."""
        for job in self.jobs:
            if self.stopping.is_set() or not job.due():
                continue
            job.scheduled()
            try:
                job.run()
            except Exception:
                log.exception("periodic job failed", job=job.name, worker=self.name)

    def close(self) -> None:
        for adapter in self.adapters.values():
            adapter.close()
        self.adapters.clear()

    # -- one message -----------------------------------------------------------------------

    def _deliver(self, row) -> Outcome:
        try:
            adapter = self._adapter(row.kind)
            if adapter is None:  # enqueued by a newer Parley, say: a later worker may know it
                return Outcome.retry(f"no channel adapter for kind {row.kind!r} in this worker")
            message = Message(
                row.id,
                row.kind,
                row.destination,
                row.payload,
                row.idempotency_key,
                row.attempts,
                self._attachments(row),
            )
            return adapter.deliver(message)
        except Exception as error:  # an adapter's bug must not stop the worker
            log.exception("channel adapter failed", message_id=row.id, kind=row.kind)
            return Outcome.retry(f"{type(error).__name__}: {error}")

    def _attachments(self, row) -> tuple[Attachment, ...]:
        """The files the message carries, read in a short transaction of their own."""
        if not isinstance(row.payload, dict) or not row.payload.get("attachments"):
            return ()
        with self.sessions.begin() as session:
            return tuple(
                Attachment(file.filename, file.content_type, file.content)
                for file in OutboxRepository(session).attachments(row.id)
            )

    def _adapter(self, kind: str) -> ChannelAdapter | None:
        if kind not in self.adapters:
            channel = channel_for(kind)
            if channel is None:
                return None
            self.adapters[kind] = channel.adapter(self.settings)
        return self.adapters[kind]

    def _record(self, row, outcome: Outcome) -> None:
        claim = self._claim_of(row)
        now = utcnow()
        settings = self.settings
        with self.sessions.begin() as session:
            repo = OutboxRepository(session)
            if outcome.result == DELIVERED:
                kept = repo.mark_delivered(claim, now)
                status = DELIVERED
            else:
                dead = outcome.result == PERMANENT or row.attempts >= settings.outbox_max_attempts
                delay = retry_delay(
                    row.attempts,
                    settings.outbox_retry_base_seconds,
                    settings.outbox_retry_max_delay_seconds,
                    self.rng,
                )
                error = (outcome.error or "failed")[:MAX_ERROR_LENGTH]
                kept = repo.reschedule(claim, dead, now + delay, error)
                status = DEAD if dead else PENDING
                log.warning(
                    "dead letter" if dead else "delivery failed, will retry",
                    message_id=row.id,
                    attempt=row.attempts,
                    error=error,
                )
            if kept:
                self._tell_subject(session, row, status)
        if not kept:
            log.warning("lease lost before the outcome was recorded", message_id=row.id)

    def _tell_subject(self, session, row, status: str) -> None:
        """The subject's domain hears the outcome in this transaction; if it fails, the outcome
        is still recorded (a message must not be sent again for a listener's bug)."""
        listener = listener_for(row.subject_type)
        if listener is None:
            return
        try:
            with session.begin_nested():
                listener(session, row, status, self.settings)
        except Exception:
            log.exception("outcome listener failed", message_id=row.id, subject=row.subject_id)

    def _release(self, rows) -> None:
        now = utcnow()
        with self.sessions.begin() as session:
            repo = OutboxRepository(session)
            for row in rows:
                repo.release(self._claim_of(row), now)

    def _claim_of(self, row) -> dict:
        return {"message_id": row.id, "worker": self.name, "attempt": row.attempts}


def run_until_signalled(worker: Worker) -> None:
    """Run in the foreground; SIGTERM or SIGINT stop it gracefully."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: worker.stop())
    worker.run()


class EmbeddedWorker:
    """A worker on a thread of the API process (`parley serve` on SQLite), with a connection
    of its own: the API's pool stays sized to its requests (api.deps)."""

    def __init__(
        self, settings: Settings, jobs_of: Callable[[Engine, Settings], list[PeriodicJob]]
    ):
        self.engine = build_engine(settings.database_url, 1, settings.sqlite_busy_timeout_ms)
        self.worker = Worker(self.engine, settings, jobs=jobs_of(self.engine, settings))
        self.thread = threading.Thread(target=self.worker.run, name="outbox-worker", daemon=True)

    def start(self) -> "EmbeddedWorker":
        self.thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self.worker.stop()
        self.thread.join(timeout)
        self.engine.dispose()
