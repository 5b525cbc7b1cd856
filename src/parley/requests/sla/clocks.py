"""SLA clocks of requests: started when a request is taken, paused while it is pending on the
customer, re-targeted when its priority changes, stopped when it is resolved or ends,
restarted (a new run) when it is reopened.

The request service moves the clock with each status change (``follow``); the workflow engine
pauses and resumes it through ``pause``/``resume``. Callers hold the request locked (as the
request service does), so a clock changes only with its request. A paused clock's due time
moves on by the time it was paused, and so does the request's ``expected_resolution_at``
(TMF621 expectedResolutionDate). Every change is audited (resource ``requestSla``).
"""

from datetime import datetime, timedelta

from parley.actor import Actor
from parley.changes import CREATE, UPDATE, UnitOfWork
from parley.db.base import iso, utcnow
from parley.requests import lifecycle as lc
from parley.requests.catalogue import sla_target, sla_warning_percent
from parley.requests.models import CustomerRequest, RequestType
from parley.requests.options import RequestOptions
from parley.requests.sla.models import PAUSED, RUNNING, STOPPED, RequestSla

RESOURCE = "requestSla"
# Statuses in which the clock does not run: the request is done (or done for now).
STOPS = frozenset({lc.RESOLVED, *lc.FINAL})
SYSTEM = Actor("parley-sla", "system")


class SlaClocks:
    def __init__(self, uow: UnitOfWork):
        """Changes are recorded for the unit of work's actor, or the system when it has none."""
        self.uow, self.session = uow, uow.session
        self.options = uow.options(RequestOptions)

    def of(self, request_id: str) -> RequestSla | None:
        return self.session.get(RequestSla, request_id)

    def state(self, request_id: str) -> dict | None:
        """The clock as the status view shows it (None: the request has none)."""
        return view(self.of(request_id))

    # -- what the request service calls ---------------------------------------------------

    def start(self, request: CustomerRequest, request_type: RequestType, at=None) -> RequestSla:
        """A new run from ``at`` (default now): the first when the request is taken, the next
        on reopening."""
        now, clock = at or utcnow(), self.of(request.id)
        before = view(clock)
        if clock is None:
            clock = RequestSla(request_id=request.id, run=0)
            self.session.add(clock)
        clock.run += 1
        clock.state, clock.started_at, clock.paused_seconds = RUNNING, now, 0.0
        clock.paused_at = clock.pause_reason = clock.stopped_at = None
        clock.warned_at = clock.breached_at = None
        self._target(clock, request, request_type)
        self._changed(clock, request, CREATE if before is None else UPDATE, before)
        return clock

    def follow(self, request: CustomerRequest, request_type: RequestType, old: str) -> None:
        """The request moved from ``old`` to ``request.status``: the clock follows."""
        new, clock = request.status, self.of(request.id)
        if clock is None:  # none to follow (migration 0012 gave every request one)
            return
        if (old, new) in lc.REOPENING:
            self.start(request, request_type)
        elif new in STOPS:
            self.stop(request, new)
        elif new == lc.PENDING:
            self.pause(request, "pending")
        elif old in (lc.PENDING, lc.RESOLVED):  # a resolution not accepted goes on counting
            self.resume(request, f"{old} -> {new}")

    def retarget(self, request: CustomerRequest, request_type: RequestType) -> None:
        """The priority changed: the target of the new priority, from the same start."""
        clock = self.of(request.id)
        if clock is None or clock.priority == request.priority:
            return
        before = view(clock)
        self._target(clock, request, request_type)
        self._changed(clock, request, UPDATE, before)

    # -- what the workflow engine may call too --------------------------------------------

    def pause(self, request: CustomerRequest, reason: str) -> bool:
        """Stop counting (waiting on the customer); False if it was not running."""
        clock = self.of(request.id)
        if clock is None or clock.state != RUNNING:
            return False
        before = view(clock)
        clock.state, clock.paused_at, clock.pause_reason = PAUSED, utcnow(), reason[:200]
        self._schedule(clock)
        self._changed(clock, request, UPDATE, before)
        return True

    def resume(self, request: CustomerRequest, reason: str) -> bool:
        """Count again; the due and warning times move on by the pause. False if it was
        running already."""
        clock = self.of(request.id)
        if clock is None or clock.state == RUNNING:
            return False
        before, now = view(clock), utcnow()
        since = clock.paused_at if clock.state == PAUSED else clock.stopped_at
        clock.paused_seconds += max((now - (since or now)).total_seconds(), 0.0)
        clock.state, clock.pause_reason = RUNNING, None
        clock.paused_at = clock.stopped_at = None
        self._recompute(clock, request)
        self._changed(clock, request, UPDATE, before, reason)
        return True

    def stop(self, request: CustomerRequest, reason: str) -> None:
        clock = self.of(request.id)
        if clock is None or clock.state == STOPPED:
            return
        before, now = view(clock), utcnow()
        if clock.state == PAUSED:
            clock.paused_seconds += max((now - clock.paused_at).total_seconds(), 0.0)
            self._recompute(clock, request)
        clock.state, clock.stopped_at = STOPPED, now
        clock.paused_at = clock.pause_reason = None
        self._schedule(clock)
        self._changed(clock, request, UPDATE, before, reason)

    # -- the arithmetic -------------------------------------------------------------------

    def _target(self, clock: RequestSla, request, request_type) -> None:
        clock.priority = request.priority
        clock.target_seconds = max(
            round(sla_target(request_type, request.priority).total_seconds()), 1
        )
        clock.warning_percent = sla_warning_percent(request_type, self.options.sla_warning_percent)
        self._recompute(clock, request)

    def _recompute(self, clock: RequestSla, request: CustomerRequest) -> None:
        paused = timedelta(seconds=clock.paused_seconds)
        target = timedelta(seconds=clock.target_seconds)
        clock.due_at = clock.started_at + target + paused
        clock.warn_at = clock.started_at + target * clock.warning_percent / 100 + paused
        request.expected_resolution_at = clock.due_at
        self._schedule(clock)

    def _schedule(self, clock: RequestSla) -> None:
        clock.next_check_at = next_check(clock)
        clock.updated_at = utcnow()

    def _changed(self, clock, request, action, before, reason=None) -> None:
        self.session.flush()
        after = view(clock)
        if reason:
            after["reason"] = reason
        work = self.uow if self.uow.actor is not None else self.uow.acting_as(SYSTEM)
        work.record(RESOURCE, action, request.id, before=before, after=after)


def next_check(clock: RequestSla) -> datetime | None:
    """When the watch must look at the clock next (None: nothing can fire)."""
    if clock.state != RUNNING:
        return None
    if clock.warned_at is None:
        return min(clock.warn_at, clock.due_at)
    if clock.breached_at is None:
        return clock.due_at
    return None


def view(clock: RequestSla | None) -> dict | None:
    """The clock as the status view and the audit trail show it."""
    if clock is None:
        return None
    return {
        "state": clock.state,
        "run": clock.run,
        "priority": clock.priority,
        "targetHours": round(clock.target_seconds / 3600, 4),
        "warningPercent": clock.warning_percent,
        "startDate": iso(clock.started_at),
        "warningDate": iso(clock.warn_at),
        "dueDate": iso(clock.due_at),
        "paused": clock.state == PAUSED,
        "pausedSince": iso(clock.paused_at) if clock.paused_at else None,
        "pauseReason": clock.pause_reason,
        "pausedHours": round(clock.paused_seconds / 3600, 4),
        "warned": clock.warned_at is not None,
        "warningRaisedDate": iso(clock.warned_at) if clock.warned_at else None,
        "breached": clock.breached_at is not None,
        "breachRaisedDate": iso(clock.breached_at) if clock.breached_at else None,
        "stopDate": iso(clock.stopped_at) if clock.stopped_at else None,
    }
