"""Problems: what many customers in one area contact us about at once. The workers' detection
job opens them from the hourly contact counts (``detection.py``); a supervisor may open one by
hand. While a problem is open, new contacts and requests on its reason in its area are linked
to it and agents see it on the customer 360 of customers in the area; a supervisor may tell
the affected customers (``notices.py``); closing it closes its linked requests that are still
open (each customer is told, as any completed request's is) and tells those who were sent a
notice that it is solved.
"""

from datetime import datetime, timedelta

import numpy as np

from parley.analytics.detection import DetectionRules, scan_range
from parley.analytics.models import Problem
from parley.analytics.notices import ProblemNotices
from parley.analytics.repository import CLOSED, OPEN, AnalyticsRepository, ProblemRepository
from parley.changes import CREATE, UPDATE, UnitOfWork
from parley.db.base import iso, storable_id, utcnow
from parley.errors import Conflict, DomainError, InvalidInput, NotFound
from parley.requests.service import RequestService

RESOURCE = "problem"
INTERACTION, REQUEST = "interaction", "request"
RESOLVED_CODE = "problem.resolved"
CUSUM_HOURS = 7 * 24  # the drift detector's memory: it is run again over the last week
ENDED = ("closed", "cancelled", "rejected")


class Problems:
    def __init__(self, uow: UnitOfWork, rules: DetectionRules | None = None):
        self.uow, self.session = uow, uow.session
        self.repo = ProblemRepository(uow.session)
        self.rules = rules or DetectionRules()

    # -- reading ---------------------------------------------------------------------------

    def get(self, problem_id: str):
        row = self.repo.get(problem_id) if storable_id(problem_id, 36) else None
        if row is None:
            raise NotFound(f"No problem with id {problem_id}")
        return row

    def find(self, status: str | None, offset: int, limit: int):
        if status not in (None, OPEN, CLOSED):
            raise InvalidInput("status: open or closed", "status")
        return self.repo.listed(status, offset, limit)

    def in_area(self, area: str | None) -> list:
        """The open problems of an area (a customer's: ``facts.customer_area``)."""
        return self.repo.open_in_area(area) if area else []

    def links(self, problem_id: str):
        return self.repo.links(problem_id)

    def document(self, row, counts: dict | None = None) -> dict:
        counts = counts if counts is not None else self.repo.link_counts([row.id])
        return {
            "id": row.id,
            "reasonCode": row.reason_code,
            "area": row.area,
            "status": row.status,
            "detector": row.detector,
            "observed": row.observed,
            "expected": row.expected,
            "probability": row.probability,
            "hour": iso(row.hour) if row.hour else None,
            "note": row.note,
            "resolution": row.resolution,
            "openedAt": iso(row.opened_at),
            "closedAt": iso(row.closed_at) if row.closed_at else None,
            "closedBy": row.closed_by,
            "linkedContacts": counts.get((row.id, INTERACTION), 0),
            "linkedRequests": counts.get((row.id, REQUEST), 0),
        }

    def documents(self, rows) -> list[dict]:
        counts = self.repo.link_counts([row.id for row in rows])
        return [self.document(row, counts) for row in rows]

    # -- opening ---------------------------------------------------------------------------

    def open(self, reason_code: str, area: str, note: str | None = None, **detected):
        """Open a problem (the one already open for the reason and area is kept: Conflict)."""
        reason_code, area = (reason_code or "").strip(), (area or "").strip()
        if not reason_code or len(reason_code) > 64:
            raise InvalidInput("reasonCode: 1 to 64 characters", "reasonCode")
        if not area or len(area) > 32:
            raise InvalidInput("area: 1 to 32 characters", "area")
        if self.repo.open_for(reason_code, area) is not None:
            raise Conflict(f"a problem is open already for {reason_code} in {area}")
        row = Problem(
            reason_code=reason_code,
            area=area,
            status=OPEN,
            detector=detected.pop("detector", "manual"),
            note=(note or None) and note[:500],
            opened_at=utcnow(),
            **detected,
        )
        self.repo.add(row)
        shown = self.document(row, {})
        self.uow.record(RESOURCE, CREATE, row.id, after=shown, event=shown)
        return row

    def detect(self, now: datetime | None = None) -> list:
        """Scan the hour just ended; open a problem for each cell that alarms and has none
        open. The problems opened."""
        end = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
        hours = self.rules.history_hours + CUSUM_HOURS
        start = end - timedelta(hours=hours)
        rows = AnalyticsRepository(self.session).contact_hours(start, end)
        if not rows:
            return []
        cells = sorted({(reason, area) for _, reason, area, _ in rows})
        index = {cell: number for number, cell in enumerate(cells)}
        counts = np.zeros((len(cells), hours), dtype=np.int64)
        for hour, reason, area, contacts in rows:
            counts[index[(reason, area)], int((hour - start).total_seconds() // 3600)] += contacts
        opened = []
        for hour, alarm in scan_range(counts, self.rules.history_hours, self.rules):
            if hour != hours - 1:
                continue
            reason, area = cells[alarm.cell]
            if self.repo.open_for(reason, area) is not None:
                continue
            opened.append(
                self.open(
                    reason,
                    area,
                    detector=alarm.kind,
                    observed=alarm.observed,
                    expected=round(alarm.expected, 3),
                    probability=alarm.probability,
                    hour=end - timedelta(hours=1),
                )
            )
        return opened

    # -- linking ---------------------------------------------------------------------------

    def link_contact(self, fact: dict) -> None:
        if fact["direction"] == "inbound":
            self._link(INTERACTION, fact["interaction_id"], fact)

    def link_request(self, fact: dict) -> None:
        if fact["status"] not in ENDED:
            self._link(REQUEST, fact["request_id"], fact)

    def _link(self, kind: str, entity_id: str, fact: dict) -> None:
        if not fact["reason_code"] or not fact["area"]:
            return
        problem = self.repo.open_for(fact["reason_code"], fact["area"])
        if problem is not None:
            self.repo.link(problem.id, kind, entity_id, fact["customer_id"])

    # -- closing ---------------------------------------------------------------------------

    def close(self, problem_id: str, resolution: str) -> tuple[object, int, list[str]]:
        """Close the problem and its linked requests still open (completed, resolution code
        ``problem.resolved``, the customer notified as for any completed request). The
        problem, how many requests were closed, and those left open (their workflow refused)."""
        resolution = (resolution or "").strip()
        if not resolution or len(resolution) > 500:
            raise InvalidInput("resolution: say how it was solved (1 to 500 characters)")
        row = self.repo.get(problem_id, for_update=True) if storable_id(problem_id, 36) else None
        if row is None:
            raise NotFound(f"No problem with id {problem_id}")
        if row.status == CLOSED:
            raise Conflict("the problem is closed already")
        before = self.document(row)
        row.status, row.resolution = CLOSED, resolution
        row.closed_at, row.closed_by = utcnow(), self.uow.writer().name[:150]
        self.repo.add(row)
        closed, left, told = 0, [], set()
        requests = RequestService(self.uow)
        for link in self.repo.links(row.id, REQUEST):
            try:
                with self.session.begin_nested():
                    if self._close_request(requests, link.entity_id, resolution):
                        closed += 1
                        told.add(link.customer_id)
            except DomainError as refused:
                left.append(f"{link.entity_id}: {refused.message}")
        after = self.document(row)
        self.uow.record(RESOURCE, UPDATE, row.id, before=before, after=after, event=after)
        # Those told of the problem hear it is solved (the workers send it).
        ProblemNotices(self.uow).after_close(row, told - {None})
        return row, closed, left

    def _close_request(self, requests: RequestService, request_id: str, resolution: str) -> int:
        try:
            request = requests.get(request_id)
        except NotFound:
            return 0
        if request.status in ENDED:
            return 0
        if request.status in ("acknowledged", "held", "pending"):
            requests.progress(request_id, f"problem solved: {resolution}"[:400])
        requests.close(request_id, "completed", RESOLVED_CODE, f"problem solved: {resolution}")
        return 1
