"""Jobs every worker runs beside delivering the outbox, each every so many seconds: the SLA
watch (requests.sla.watch), chasing hand-offs to ordering and billing that got no answer in
time (requests.handoffs.watch), closing self-service sessions whose caller went quiet
(channels.expiry), completing calls' contacts whose wrap-up time is over (calls), applying
inbound messages (mediation.worker), running bulk imports (mediation.imports), fetching
Parley's IMAP mailboxes (mediation.email, when any are set and PARLEY_MAIL_POLL_SECONDS is not
0; mail fetched twice is stored once), the analytics roll-ups, problem detection, scheduled
reports and problem notices (analytics), the up-sell acceptance of settled days
(analytics.upsell), the purge of rate counters that mean nothing any more (parley.ratelimit)
and of the portal's one-time codes that were used or have expired (auth.one_time_codes), the
event store's retention (events.retention), and the removal of attachment files no request
names (requests.attachments). ``parley worker`` and the embedded worker of
``parley serve`` both run them; any number of workers may, since each job is safe to run
concurrently.
Composition, like parley.wiring: the outbox's worker runs jobs without knowing the domains."""

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from parley import ratelimit
from parley.outbox.worker import PeriodicJob
from parley.settings import Settings

RATE_COUNTER_PURGE_SECONDS = 300.0
ONE_TIME_CODE_PURGE_SECONDS = 600.0  # a spent code harms no one; the table just stays small
CHANNEL_EXPIRY_SECONDS = 15.0  # a USSD session's caller is gone within seconds of expiry
CALL_WRAP_UP_SECONDS = 15.0  # a call's contact completed this soon after its wrap-up time
ANALYTICS_ROLL_UP_SECONDS = 60.0  # how stale a dashboard may be
ANALYTICS_SETTLE_SECONDS = 3600.0  # the reopen window's days rolled up again
PROBLEM_DETECTION_SECONDS = 3600.0  # the hour just ended scanned for problems
HANDOFF_WATCH_SECONDS = 60.0  # time limits are minutes at the least
UPSELL_ROLL_UP_SECONDS = 3600.0  # days whose offers can no longer be answered, rolled up
REPORT_DELIVERY_SECONDS = 60.0  # a scheduled report goes out within a minute of its time
PROBLEM_NOTICE_SECONDS = 15.0  # a problem's notices go out a batch of customers at a time
EVENT_PRUNING_SECONDS = 600.0  # retention is counted in days: no hurry
ATTACHMENT_SWEEP_SECONDS = 3600.0  # a file no attachment names is kept a day anyway


def worker_jobs(engine: Engine, settings: Settings) -> list[PeriodicJob]:
    watch = []

    def sla_watch():
        # Imported and built on the first run, not at start-up: a worker must install its
        # signal handlers (and claim its first batch) without waiting for the request domain.
        if not watch:
            from parley.requests.sla.watch import SlaWatch

            watch.append(SlaWatch(engine, settings))
        return watch[0].run_once()

    handoffs = []

    def handoff_watch():
        if not handoffs:  # on first run, as the SLA watch
            from parley.requests.handoffs.watch import HandoffWatch

            handoffs.append(HandoffWatch(engine, settings))
        return handoffs[0].run_once()

    def purge_rate_counters():
        with Session(engine) as session, session.begin():
            return ratelimit.purge_expired(session)

    def purge_one_time_codes():
        from parley.auth.one_time_codes import purge_spent_codes  # on first run, as below

        with Session(engine) as session, session.begin():
            return purge_spent_codes(session)

    def expire_channel_sessions():
        from parley.channels.expiry import run_once  # on first run, as the SLA watch

        return run_once(engine, settings)

    def complete_call_wrap_ups():
        from parley.actor import Actor
        from parley.calls.service import CallService  # on first run (see above)
        from parley.changes import UnitOfWork

        with Session(engine) as session, session.begin():
            uow = UnitOfWork(session, settings, Actor("parley-worker", "system"))
            return CallService(uow).complete_wrap_ups()

    inbound = []

    def apply_inbound_messages():
        if not inbound:  # on first run, as the SLA watch
            from parley.mediation.worker import InboundJob

            inbound.append(InboundJob(engine, settings))
        return inbound[0].run_once()

    def prune_event_store():
        from parley.events.retention import run_once  # on first run, as the SLA watch

        return run_once(engine, settings)

    def sweep_attachment_files():
        from parley.changes import UnitOfWork
        from parley.requests.attachments import sweep_unnamed_files  # on first run (see above)

        with Session(engine) as session, session.begin():
            return sweep_unnamed_files(UnitOfWork(session, settings))

    def fetch_mail():
        from parley.mediation.email.fetching import fetch_mailboxes  # on first run (see above)

        return fetch_mailboxes(engine, settings)

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
                if step == "deliver":
                    from parley.analytics.delivery import ReportSender

                    return ReportSender(uow).run_due()
                if step == "notify":
                    from parley.analytics.notices import ProblemNotices

                    return ProblemNotices(uow).send_pending()
                service = AnalyticsService(uow)
                return service.settle() if step == "settle" else service.roll_up()

        return run

    def upsell_roll_up():
        from parley.analytics.upsell import UpsellAcceptance  # on first run (see above)
        from parley.changes import UnitOfWork

        with Session(engine) as session, session.begin():
            return UpsellAcceptance(UnitOfWork(session, settings)).roll_up()

    fetching = any(m.host for m in settings.mail_mailboxes) and settings.mail_poll_seconds > 0
    mail = [PeriodicJob("mail-fetch", settings.mail_poll_seconds, fetch_mail)] if fetching else []
    return [
        *mail,
        PeriodicJob("sla-watch", settings.sla_poll_seconds, sla_watch),
        PeriodicJob("handoff-watch", HANDOFF_WATCH_SECONDS, handoff_watch),
        PeriodicJob("channel-sessions", CHANNEL_EXPIRY_SECONDS, expire_channel_sessions),
        PeriodicJob("call-wrap-ups", CALL_WRAP_UP_SECONDS, complete_call_wrap_ups),
        PeriodicJob("inbound-messages", settings.inbound_poll_seconds, apply_inbound_messages),
        PeriodicJob("imports", settings.import_poll_seconds, run_imports),
        PeriodicJob("rate-counters", RATE_COUNTER_PURGE_SECONDS, purge_rate_counters),
        PeriodicJob("one-time-codes", ONE_TIME_CODE_PURGE_SECONDS, purge_one_time_codes),
        PeriodicJob("analytics-roll-up", ANALYTICS_ROLL_UP_SECONDS, analytics("roll-up")),
        PeriodicJob("analytics-settle", ANALYTICS_SETTLE_SECONDS, analytics("settle")),
        PeriodicJob("problem-detection", PROBLEM_DETECTION_SECONDS, analytics("detect")),
        PeriodicJob("upsell-roll-up", UPSELL_ROLL_UP_SECONDS, upsell_roll_up),
        PeriodicJob("report-delivery", REPORT_DELIVERY_SECONDS, analytics("deliver")),
        PeriodicJob("problem-notices", PROBLEM_NOTICE_SECONDS, analytics("notify")),
        PeriodicJob("event-store-retention", EVENT_PRUNING_SECONDS, prune_event_store),
        PeriodicJob("attachment-files", ATTACHMENT_SWEEP_SECONDS, sweep_attachment_files),
    ]
