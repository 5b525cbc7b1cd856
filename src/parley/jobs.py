"""Jobs every worker runs beside delivering the outbox, each every so many seconds: the SLA
watch (requests.sla.watch), closing self-service sessions whose caller went quiet
(channels.expiry), applying inbound messages (mediation.worker), running bulk imports
(mediation.imports), the analytics roll-ups and problem detection (analytics) and the purge
of rate counters that mean nothing any more (parley.ratelimit). ``parley worker`` and the
embedded worker of ``parley serve`` both run them; any number of workers may, since each job
is safe to run concurrently.
Composition, like parley.wiring: the outbox's worker runs jobs without knowing the domains."""

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from parley import ratelimit
from parley.outbox.worker import PeriodicJob
from parley.settings import Settings

RATE_COUNTER_PURGE_SECONDS = 300.0
CHANNEL_EXPIRY_SECONDS = 15.0  # a USSD session's caller is gone within seconds of expiry
ANALYTICS_ROLL_UP_SECONDS = 60.0  # how stale a dashboard may be
ANALYTICS_SETTLE_SECONDS = 3600.0  # the reopen window's days rolled up again
PROBLEM_DETECTION_SECONDS = 3600.0  # the hour just ended scanned for problems


def worker_jobs(engine: Engine, settings: Settings) -> list[PeriodicJob]:
    watch = []

    def sla_watch():
        # Imported and built on the first run, not at start-up: a worker must install its
        # signal handlers (and claim its first batch) without waiting for the request domain.
        if not watch:
            from parley.requests.sla.watch import SlaWatch

            watch.append(SlaWatch(engine, settings))
        return watch[0].run_once()

    def purge_rate_counters():
        with Session(engine) as session, session.begin():
            return ratelimit.purge_expired(session)

    def expire_channel_sessions():
        from parley.channels.expiry import run_once  # on first run, as the SLA watch

        return run_once(engine, settings)

    inbound = []

    def apply_inbound_messages():
        if not inbound:  # on first run, as the SLA watch
            from parley.mediation.worker import InboundJob

            inbound.append(InboundJob(engine, settings))
        return inbound[0].run_once()

    imports = []

    def run_imports():
        if not imports:  # on first run, as the SLA watch
            from parley.mediation.imports import ImportJob

            imports.append(ImportJob(engine, settings))
        return imports[0].run_once()

    def analytics(step: str):
        def run():
            from parley.analytics.problems import Problems
            from parley.analytics.service import AnalyticsService  # on first run (see above)
            from parley.changes import UnitOfWork

            with Session(engine) as session, session.begin():
                uow = UnitOfWork(session, settings)
                if step == "detect":
                    return Problems(uow).detect()
                service = AnalyticsService(uow)
                return service.settle() if step == "settle" else service.roll_up()

        return run

    return [
        PeriodicJob("sla-watch", settings.sla_poll_seconds, sla_watch),
        PeriodicJob("channel-sessions", CHANNEL_EXPIRY_SECONDS, expire_channel_sessions),
        PeriodicJob("inbound-messages", settings.inbound_poll_seconds, apply_inbound_messages),
        PeriodicJob("imports", settings.import_poll_seconds, run_imports),
        PeriodicJob("rate-counters", RATE_COUNTER_PURGE_SECONDS, purge_rate_counters),
        PeriodicJob("analytics-roll-up", ANALYTICS_ROLL_UP_SECONDS, analytics("roll-up")),
        PeriodicJob("analytics-settle", ANALYTICS_SETTLE_SECONDS, analytics("settle")),
        PeriodicJob("problem-detection", PROBLEM_DETECTION_SECONDS, analytics("detect")),
    ]
