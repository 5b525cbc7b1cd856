"""Jobs every worker runs beside delivering the outbox, each every so many seconds: today the
SLA watch (requests.sla.watch). ``parley worker`` and the embedded worker of ``parley serve``
both run them; any number of workers may, since each job is safe to run concurrently.
Composition, like parley.wiring: the outbox's worker runs jobs without knowing the domains."""

from sqlalchemy import Engine

from parley.outbox.worker import PeriodicJob
from parley.settings import Settings


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
