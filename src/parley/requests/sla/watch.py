"""The SLA watch: raises each clock's warning and breach, once per clock run.

A pass claims the clocks due (``next_check_at`` passed) in batches, each batch in one
transaction with the clocks and their requests locked, and for each alert: records it on the
clock, adds a note to the request (TMF621 ``note``, id ``sla-<warning|breach>-<run>``), audits
it (``sla_warning``/``sla_breach``), emits the ticket's change (a
TroubleTicketAttributeValueChangeEvent, ``note`` changed), tells the listeners and, on a
breach, queues the customer's ``delayed`` notice if the type's ``notifyOn`` names it. It runs
in every ``parley worker`` (and the embedded one of ``parley serve`` on SQLite) every
PARLEY_SLA_POLL_SECONDS, and once with ``parley sla check``.
"""

import copy
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from parley.changes import UnitOfWork
from parley.db.base import iso, utcnow
from parley.requests.catalogue import RequestTypeCatalogue
from parley.requests.models import CustomerRequest
from parley.requests.notify import RequestNotifier
from parley.requests.options import RequestOptions
from parley.requests.presentation import present
from parley.requests.repository import RequestRepository
from parley.requests.sla import escalation  # noqa: F401  (the workflows hear the alerts)
from parley.requests.sla.clocks import SYSTEM, next_check, view
from parley.requests.sla.listeners import BREACH, WARNING, SlaAlert, tell_listeners
from parley.requests.sla.models import RUNNING, RequestSla
from parley.requests.sla.repository import SlaRepository
from parley.settings import Settings

log = structlog.get_logger("parley.sla")
AUDIT_ACTION = {WARNING: "sla_warning", BREACH: "sla_breach"}


@dataclass
class WatchResult:
    clocks: int = 0
    warnings: int = 0
    breaches: int = 0
    failed: int = 0

    def add(self, other: "WatchResult") -> None:
        self.clocks += other.clocks
        self.warnings += other.warnings
        self.breaches += other.breaches
        self.failed += other.failed


class SlaAlerts:
    """One batch in the caller's unit of work (the watch's, or a test's), whose actor (the
    system, ``SYSTEM``) the alerts are recorded for."""

    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.catalogue = RequestTypeCatalogue(uow)

    def raise_due(self, limit: int) -> WatchResult:
        now, result = utcnow(), WatchResult()
        for clock, request in SlaRepository(self.session).claim_due(now, limit):
            result.clocks += 1
            try:
                with self.session.begin_nested():
                    for kind in self._check(clock, request, now):
                        result.warnings += kind == WARNING
                        result.breaches += kind == BREACH
            except Exception:  # one broken request must not hold up the others
                result.failed += 1
                log.exception("SLA check failed", request=request.id)
        return result

    def _check(self, clock: RequestSla, request: CustomerRequest, now: datetime) -> list[str]:
        raised = []
        if clock.state == RUNNING and clock.warned_at is None and clock.warn_at <= now:
            clock.warned_at = now
            raised.append(WARNING)
        if clock.state == RUNNING and clock.breached_at is None and clock.due_at <= now:
            clock.breached_at = now
            raised.append(BREACH)
        clock.next_check_at, clock.updated_at = next_check(clock), now
        self.session.flush()
        for kind in raised:
            self._alert(kind, clock, request, now)
        return raised

    def _alert(self, kind: str, clock: RequestSla, request: CustomerRequest, now) -> None:
        request_type = self.catalogue.get(request.type_id)
        text = _note_text(kind, clock)
        note = {
            "@type": "Note",
            "id": f"sla-{kind}-{clock.run}",
            "author": "Parley",
            "date": iso(now),
            "text": text,
        }
        before = copy.deepcopy(request.document)
        request.document = {**before, "note": [*(before.get("note") or []), note]}
        request.updated_at = now
        self.session.flush()
        history = RequestRepository(self.session).history(request.id)
        self.uow.record(
            "troubleTicket",
            AUDIT_ACTION[kind],  # an update of the ticket: its note
            request.id,
            after=view(clock),
            event=present(request, history),
            changed=["note"],
        )
        log.info("SLA " + kind, request=request.id, due=iso(clock.due_at), run=clock.run)
        tell_listeners(self.uow, SlaAlert(kind, request, request_type, clock, now))
        if kind == BREACH:
            RequestNotifier(self.uow).milestone(request, request_type, "delayed", text)


def _note_text(kind: str, clock: RequestSla) -> str:
    hours = f"{clock.target_seconds / 3600:g} h"
    if kind == WARNING:
        return (
            f"SLA warning: {clock.warning_percent} % of the {hours} target ({clock.priority}) "
            f"has passed; due {iso(clock.due_at)}."
        )
    return f"SLA breached: the {hours} target ({clock.priority}) was due {iso(clock.due_at)}."


class SlaWatch:
    """Passes of the watch, each batch in a transaction of its own."""

    def __init__(self, engine: Engine, settings: Settings):
        """``settings``: what its units of work are opened with (it reads the batch size)."""
        self.sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._settings = settings
        self.batch = RequestOptions.from_settings(settings).sla_batch_size

    def run_once(self) -> WatchResult:
        """Everything due now; what was raised."""
        total, batch = WatchResult(), self.batch
        while True:
            with self.sessions.begin() as session:
                done = SlaAlerts(UnitOfWork(session, self._settings, SYSTEM)).raise_due(batch)
            total.add(done)
            # Done when a batch was not full, or held only clocks that failed (tried again on
            # the next pass, not in a loop now).
            if done.clocks < batch or done.failed == done.clocks:
                return total
