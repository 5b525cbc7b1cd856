"""Proactive notices of a problem: a supervisor tells the customers a problem affects before
they call — those in its area who contacted us on its reason (``contacted``: since a day
before it began, and those linked to it), or everyone in its area (``area``) — and, when it is
closed, those who were told get word that it is solved (``told``; a customer whose linked
request it closed is told by that request's notice instead).

Each notice is a TMF681 message per customer, worded by the ``problem.notice`` and
``problem.resolved`` templates in the customer's language, sent on the channel their
preferences and addresses allow, an SMS held until their quiet hours end; a service message,
so an opt-out of marketing does not stop it. A customer who cannot be reached (no address) is
recorded with the reason. Delivered, each is logged as an outbound interaction of the
customer's (the notifications domain does it). A customer is told once per problem and kind:
a second notice reaches only those not told yet.

An area may hold many thousands of customers: a notice is recorded at once (``sending``) and
the workers' job ``problem-notices`` sends it a batch of customers at a time.
"""

from datetime import timedelta

from sqlalchemy import select

from parley.analytics.models import Problem, ProblemNotice, ProblemNoticeRecipient
from parley.analytics.repository import CLOSED, AnalyticsRepository, ProblemRepository
from parley.changes import CREATE, UnitOfWork
from parley.db.base import iso, utcnow
from parley.errors import Conflict, DomainError, InvalidInput
from parley.interactions.reasons import ReasonCatalogue
from parley.notifications.messages import CommunicationService
from parley.notifications.models import FAILED
from parley.notifications.preferences import NotDeliverable, PreferenceService
from parley.parties.service import PartyService

RESOURCE = "problemNotice"
NOTICE, RESOLVED = "notice", "resolved"
CONTACTED, AREA, TOLD = "contacted", "area", "told"
AUDIENCES = (CONTACTED, AREA)  # what a supervisor chooses
LOOK_BACK = timedelta(hours=24)  # contacts this long before a problem began are its too
BATCH = 200  # customers a run of the job tells, per notice
LONGEST_MESSAGE = 300  # the supervisor's words, inside an SMS too
TEMPLATE = {NOTICE: "problem.notice", RESOLVED: "problem.resolved"}
SENDING, SENT = "sending", "sent"
BY_REQUEST = "told by the notice of their request, closed with the problem"


class ProblemNotices:
    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.analytics = AnalyticsRepository(uow.session)
        self.problems = ProblemRepository(uow.session)

    # -- who ------------------------------------------------------------------------------

    def audience(self, problem: Problem, audience: str) -> list[str]:
        """The customers ``audience`` names for the problem, by id."""
        if audience == AREA:
            return self.analytics.customers_in_area(problem.area)
        if audience == CONTACTED:
            since = (problem.hour or problem.opened_at) - LOOK_BACK
            found = set(
                self.analytics.contacted_customers(problem.reason_code, problem.area, since)
            )
            found.update(link.customer_id for link in self.problems.links(problem.id))
            return sorted(found - {None})
        raise InvalidInput(f"audience: one of {', '.join(AUDIENCES)}", "audience")

    def preview(self, problem: Problem, audience: str) -> dict:
        """How many customers a notice to ``audience`` would reach: those in it not told yet."""
        customers = self.audience(problem, audience)
        told = self._tried(problem.id, NOTICE)
        return {
            "audience": audience,
            "customers": len(customers),
            "toldAlready": len(told.intersection(customers)),
            "toReach": len(set(customers) - told),
        }

    # -- sending --------------------------------------------------------------------------

    def send(self, problem: Problem, audience: str, message: str | None) -> ProblemNotice:
        """Record a notice to ``audience`` (sent by the workers' job, a batch at a time)."""
        if problem.status == CLOSED:
            raise Conflict("the problem is closed: tell its customers while it is open")
        message = (message or "").strip() or None
        if message is not None and len(message) > LONGEST_MESSAGE:
            raise InvalidInput(f"message: at most {LONGEST_MESSAGE} characters", "message")
        size = self.preview(problem, audience)["toReach"]
        return self._record(problem, NOTICE, audience, message, size)

    def after_close(self, problem: Problem, told_by_request: set[str]) -> ProblemNotice | None:
        """The problem is solved: a notice to the customers told of it, but those its closed
        requests' notices tell (recorded as told so)."""
        reached = self._reached(problem.id)
        if not reached - told_by_request:
            return None
        notice = self._record(
            problem, RESOLVED, TOLD, problem.resolution, len(reached - told_by_request)
        )
        for customer_id in sorted(reached & told_by_request):
            self.session.add(
                ProblemNoticeRecipient(
                    problem_id=problem.id,
                    notice_id=notice.id,
                    kind=RESOLVED,
                    customer_id=customer_id,
                    unreachable=BY_REQUEST,
                    created_at=utcnow(),
                )
            )
        return notice

    def _record(self, problem, kind, audience, message, size) -> ProblemNotice:
        notice = ProblemNotice(
            problem_id=problem.id,
            kind=kind,
            audience=audience,
            message=message,
            status=SENDING,
            audience_size=size,
            reached=0,
            unreachable=0,
            sent_by=self.uow.writer().name[:150],
            created_at=utcnow(),
        )
        self.session.add(notice)
        self.session.flush()
        shown = document(notice)
        self.uow.record(RESOURCE, CREATE, notice.id, after=shown)
        return notice

    def send_pending(self, batch: int = BATCH) -> int:
        """Tell the next customers of each notice being sent; a notice with nobody left is
        sent. How many customers were tried."""
        query = (
            select(ProblemNotice)
            .where(ProblemNotice.status == SENDING)
            .order_by(ProblemNotice.created_at)
            .limit(20)
            .with_for_update(skip_locked=True)
        )
        tried = 0
        for notice in self.session.scalars(query).all():
            problem = self.problems.get(notice.problem_id)
            done = self._tried(problem.id, notice.kind)
            wanted = (
                sorted(self._reached(problem.id))
                if notice.audience == TOLD
                else self.audience(problem, notice.audience)
            )
            left = [customer for customer in wanted if customer not in done][:batch]
            for customer_id in left:
                self._tell(problem, notice, customer_id)
            tried += len(left)
            if len(left) < batch:
                notice.status, notice.finished_at = SENT, utcnow()
        self.session.flush()
        return tried

    def _tell(self, problem: Problem, notice: ProblemNotice, customer_id: str) -> None:
        recipient = ProblemNoticeRecipient(
            problem_id=problem.id,
            notice_id=notice.id,
            kind=notice.kind,
            customer_id=customer_id,
            created_at=utcnow(),
        )
        try:
            with self.session.begin_nested():
                sent = self._message(problem, notice, customer_id)
        except (NotDeliverable, DomainError) as why:
            recipient.unreachable = why.message[:300]
        else:
            recipient.message_id = sent.id
            if sent.state == FAILED:
                recipient.unreachable = (sent.failure_reason or "not sent")[:300]
        if recipient.unreachable:
            notice.unreachable += 1
        else:
            notice.reached += 1
        self.session.add(recipient)

    def _message(self, problem: Problem, notice: ProblemNotice, customer_id: str):
        channel = PreferenceService(self.uow).delivery(customer_id, "service").channel
        customer = PartyService(self.uow).get_customer(customer_id)
        variables = {
            "customerName": customer.name,
            "area": problem.area,
            "reason": self._reason(problem.reason_code),
            "message": notice.message or "",
            "resolution": notice.message or "",
        }
        return CommunicationService(self.uow).create(
            {
                "@type": "CommunicationMessage",
                "messageType": channel,
                "description": f"problem {problem.id}: {notice.kind}",
                "receiver": [
                    {"@type": "Receiver", "party": {"id": customer_id, "@referredType": "Customer"}}
                ],
                "characteristic": [
                    {"name": "templateKind", "value": TEMPLATE[notice.kind]},
                    {"name": "category", "value": "service"},
                    *({"name": k, "value": v} for k, v in variables.items()),
                ],
            }
        )

    def _reason(self, code: str) -> str:
        try:
            return ReasonCatalogue(self.uow).get(code).label
        except DomainError:
            return code

    # -- reading --------------------------------------------------------------------------

    def of_problem(self, problem_id: str) -> list[ProblemNotice]:
        query = select(ProblemNotice).where(ProblemNotice.problem_id == problem_id)
        return list(self.session.scalars(query.order_by(ProblemNotice.created_at)))

    def _tried(self, problem_id: str, kind: str) -> set[str]:
        """The customers a notice of ``kind`` was for, reached or not: done with."""
        query = select(ProblemNoticeRecipient.customer_id).where(
            ProblemNoticeRecipient.problem_id == problem_id, ProblemNoticeRecipient.kind == kind
        )
        return set(self.session.scalars(query))

    def _reached(self, problem_id: str) -> set[str]:
        """The customers a notice of the problem was sent to."""
        query = select(ProblemNoticeRecipient.customer_id).where(
            ProblemNoticeRecipient.problem_id == problem_id,
            ProblemNoticeRecipient.kind == NOTICE,
            ProblemNoticeRecipient.unreachable.is_(None),
        )
        return set(self.session.scalars(query))


def document(notice: ProblemNotice) -> dict:
    return {
        "id": notice.id,
        "problemId": notice.problem_id,
        "kind": notice.kind,
        "audience": notice.audience,
        "message": notice.message,
        "status": notice.status,
        "audienceSize": notice.audience_size,
        "reached": notice.reached,
        "unreachable": notice.unreachable,
        "sentBy": notice.sent_by,
        "createdAt": iso(notice.created_at),
        "finishedAt": iso(notice.finished_at) if notice.finished_at else None,
    }
