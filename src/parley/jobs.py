"""Jobs every worker runs beside delivering the outbox, each every so many seconds: today the
SLA watch (requests.sla.watch). ``parley worker`` and the embedded worker of ``parley serve``
both run them; any number of workers may, since each job is safe to run concurrently."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from parley.settings import Settings


@dataclass
class PeriodicJob:
    name: str
    every_seconds: float
    run: Callable[[], object]
    next_at: float = 0.0  # time.monotonic(): due at once when the worker starts

    def due(self) -> bool:
        return time.monotonic() >= self.next_at

    def scheduled(self) -> None:
        self.next_at = time.monotonic() + self.every_seconds


def worker_jobs(engine: Engine, settings: Settings) -> list[PeriodicJob]:
    watch = []

    def sla_watch():
        # Imported and built on the first run, not at start-up: a worker must install its
        # signal handlers (and claim its first batch) without waiting for the request domain.
        if not watch:
            from parley.requests.sla.watch import SlaWatch

            watch.append(SlaWatch(engine, settings))
        return watch[0].run_once()

    return [PeriodicJob("sla-watch", settings.sla_poll_seconds, sla_watch)]
