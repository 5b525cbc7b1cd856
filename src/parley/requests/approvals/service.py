"""Deciding approvals: a supervisor approves or rejects an adjustment that was above its
requester's limit.

Only a user holding ``request:approve`` whose own limit covers the amount (in its currency)
decides, never the user who raised it, and only while the approval is pending; ``version``
(the ETag) refuses a decision based on a stale read. Approving hands the adjustment to billing
through the outbox, and the request waits for billing's acknowledgement (requests.handoffs),
which closes it completed (``adjusted``); rejecting closes it unfulfilled (``rejected``).
Either way the decision is noted on the request, kept in its status history, audited and
told as an ``approval`` domain event; the customer hears of it on the milestones the request
type names. The service never commits.
"""

from parley.changes import UPDATE, UnitOfWork
from parley.db.base import iso, storable_id, utcnow
from parley.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from parley.requests import lifecycle as lc
from parley.requests.adjustments import (
    Adjustment,
    Adjustments,
    authority_of,
    money,
    present_approval,
)
from parley.requests.approvals.models import (
    APPROVAL_STATUSES,
    APPROVED,
    PENDING,
    REJECTED,
    Approval,
)
from parley.requests.approvals.repository import ApprovalRepository, decidable_by
from parley.requests.service import RequestService

MAX_NOTE = 500


class ApprovalService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = ApprovalRepository(uow.session)

    # -- reading ---------------------------------------------------------------------------

    def get(self, approval_id: str) -> Approval:
        row = self.repo.get(approval_id) if storable_id(approval_id, 36) else None
        if row is None:
            raise NotFound(f"No approval with id {approval_id}")
        return row

    def list_approvals(
        self,
        offset: int,
        limit: int,
        status: str | None = None,
        request_id: str | None = None,
        decidable: bool = False,
    ) -> tuple[list[Approval], int]:
        """``decidable``: only the pending approvals the acting user may decide."""
        conditions = []
        if status is not None:
            if status not in APPROVAL_STATUSES:
                raise InvalidInput(f"status: one of {', '.join(APPROVAL_STATUSES)}", "status")
            conditions.append(Approval.status == status)
        if request_id is not None:
            conditions.append(Approval.request_id == request_id)
        if decidable:
            me = authority_of(self.uow, self.uow.writer())
            if not me.may_approve:
                return [], 0
            conditions += decidable_by(me.user_id, me.limit, me.currency)
        return self.repo.list_approvals(conditions, offset, limit)

    def present(self, approval: Approval) -> dict:
        return present_approval(approval)

    # -- deciding --------------------------------------------------------------------------

    def approve(self, approval_id: str, note: str | None = None, expected_version=None):
        return self._decide(approval_id, APPROVED, note, expected_version)

    def reject(self, approval_id: str, note: str, expected_version=None) -> Approval:
        if not (note or "").strip():
            raise InvalidInput("note: say why the adjustment is rejected", "note")
        return self._decide(approval_id, REJECTED, note, expected_version)

    def _decide(self, approval_id: str, decision: str, note, expected_version) -> Approval:
        actor = self.uow.writer()
        note = (note or "").strip()
        if len(note) > MAX_NOTE:
            raise InvalidInput(f"note: at most {MAX_NOTE} characters", "note")
        requests = RequestService(self.uow)
        # The request first, then the approval: the order a cancellation locks them in.
        request = requests.get(self.get(approval_id).request_id, for_update=True)
        approval = self.repo.get(approval_id, for_update=True)
        if expected_version is not None and approval.version != expected_version:
            raise PreconditionFailed(
                f"the approval was changed since you read it (now version {approval.version}); "
                "read it again and decide again"
            )
        if approval.status != PENDING:
            raise Conflict(
                f"the approval is already {approval.status}"
                + (
                    f" (by {approval.decided_by}, {iso(approval.decided_at)})"
                    if approval.decided_at
                    else ""
                )
            )
        self._check_may_decide(approval)
        if request.status in lc.FINAL:  # an ended request withdraws its approval: not expected
            raise Conflict(f"the request is {request.status}; there is nothing left to decide")
        before = present_approval(approval)
        approval.status, approval.decided_at = decision, utcnow()
        approval.decided_by_id, approval.decided_by = actor.user_id, actor.name[:150]
        approval.decision_note, approval.updated_at = note or None, approval.decided_at
        self.repo.add(approval)
        adjustments = Adjustments(self.uow, requests)
        adjustments.record(UPDATE, approval, before)
        shown = f"{money(approval.amount)} {approval.currency}"
        text = f"Adjustment of {shown} {decision} by {actor.name}" + (f": {note}" if note else "")
        _add_note(request, actor.name, text)
        if decision == APPROVED:
            adjustment = Adjustment(
                approval.amount, approval.currency, approval.billing_account_id, approval.reason
            )
            # The request waits, in progress, for billing's acknowledgement (handoffs).
            adjustments.hand_to_billing(request, adjustment, actor.name, approval)
        else:
            if request.status == lc.ACKNOWLEDGED:
                requests._transition(request, lc.IN_PROGRESS, text)
            requests._transition(request, lc.CLOSED, text, "unfulfilled", REJECTED)
        return approval

    def _check_may_decide(self, approval: Approval) -> None:
        me = authority_of(self.uow, self.uow.writer())
        shown = f"{money(approval.amount)} {approval.currency}"
        if not me.may_approve:
            raise Forbidden("deciding approvals needs the permission request:approve")
        if me.user_id is not None and me.user_id == approval.requested_by_id:
            raise Forbidden(
                "you raised this adjustment: another supervisor must approve or reject it"
            )
        if not me.covers(approval.amount, approval.currency):
            yours = f"{money(me.limit)} {me.currency}" if me.currency else "none"
            raise Forbidden(
                f"your adjustment limit ({yours}) does not cover {shown}: "
                "a supervisor with a higher limit must decide it"
            )


def _add_note(request, author: str, text: str) -> None:
    note = {"@type": "Note", "author": author, "date": iso(utcnow()), "text": text}
    request.document = {**request.document, "note": [*(request.document.get("note") or []), note]}
