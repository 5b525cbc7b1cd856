"""Taking in what the ordering and billing systems say about a hand-off (the edges authenticate
the caller and read the report from the body; see api/tmf/product_ordering and
api/v1/handoffs.py).

In the caller's unit of work: the hand-off is found by its correlation id (else by the order's
id in the other system: 404 when neither names one), its request locked (so acknowledgements
of one request are taken one after the other), then the message is stored as received (bytes,
content type, sender) and only then applied (``Handoffs.settle``). Each event is taken once:
a repeat (the same event id, else the same bytes) is answered as taken and changes nothing.
An acknowledgement that cannot be applied (the request can't move as it says) is kept,
marked ignored with the reason, and becomes a task for an agent rather than an error for the
sender, whose message was received.
"""

from dataclasses import dataclass

import structlog
from sqlalchemy.exc import IntegrityError

from parley.changes import UnitOfWork
from parley.db.base import ID_LENGTH, new_id, storable_id, utcnow
from parley.errors import DomainError, NotFound
from parley.requests.handoffs.models import APPLIED, IGNORED, Acknowledgement, Handoff
from parley.requests.handoffs.orders import Report
from parley.requests.handoffs.repository import HandoffRepository
from parley.requests.handoffs.service import SYSTEMS
from parley.requests.service import RequestService

log = structlog.get_logger("parley.handoffs")


@dataclass(frozen=True)
class Received:
    acknowledgement_id: str | None
    handoff_id: str
    duplicate: bool
    note: str


class Acknowledgements:
    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.repo = HandoffRepository(uow.session)

    def receive(self, report: Report, sender: str) -> Received:
        handoff = self._find(report)
        requests = RequestService(self.uow)
        row = requests.get(handoff.request_id, for_update=True)
        handoff = self.repo.get(handoff.id, for_update=True)
        if self.repo.acknowledgement(report.event_key) is not None:
            return Received(None, handoff.id, True, "a repeat: taken before")
        acknowledgement = Acknowledgement(
            id=new_id(),
            handoff_id=handoff.id,
            event_key=report.event_key,
            event_type=report.event_type[:100],
            reported_state=(report.state or None) and report.state[:32],
            content_type=report.content_type[:100],
            body=report.body,
            sender=sender[:200],
            outcome=APPLIED,
            received_at=utcnow(),
        )
        try:
            with self.session.begin_nested():  # a repeat racing this one: the key is taken
                self.repo.add(acknowledgement)
        except IntegrityError:
            return Received(None, handoff.id, True, "a repeat: taken meanwhile")
        try:
            with self.session.begin_nested():
                acknowledgement.note = requests.handoffs.settle(row, handoff, report)[:500]
        except DomainError as refused:
            acknowledgement.outcome = IGNORED
            acknowledgement.note = f"not applied: {refused.message}"[:500]
            self._for_an_agent(requests, handoff.id, refused.message)
        self.repo.add(acknowledgement)
        log.info(
            "acknowledgement taken",
            handoff=handoff.id,
            state=report.state,
            outcome=acknowledgement.outcome,
        )
        return Received(acknowledgement.id, handoff.id, False, acknowledgement.note or "")

    def _find(self, report: Report) -> Handoff:
        found = None
        if report.correlation_id and storable_id(report.correlation_id, ID_LENGTH):
            found = self.repo.get(report.correlation_id)
        if found is None and report.external_id and storable_id(report.external_id, 100):
            found = self.repo.by_external_id(report.kind, report.external_id)
        if found is None or found.kind != report.kind:
            named = " or ".join(
                f"{what} {value}"
                for what, value in (
                    ("correlation id", report.correlation_id),
                    ("id", report.external_id),
                )
                if value
            )
            what = "order" if report.kind == "order" else "adjustment"
            raise NotFound(f"No {what} was handed to {SYSTEMS[report.kind]} with {named}")
        return found

    def _for_an_agent(self, requests: RequestService, handoff_id: str, why: str) -> None:
        """The hand-off and its request as they were before the acknowledgement (its changes
        were rolled back with the savepoint): an agent looks at it."""
        handoff = self.repo.get(handoff_id, for_update=True)
        row = requests.get(handoff.request_id, for_update=True)
        requests.handoffs.overdue(row, handoff, f"its answer could not be applied: {why}"[:150])
