"""The only place that queries the approval table."""

from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_, select

from parley.db.repository import Repository
from parley.requests.approvals.models import PENDING, Approval


class ApprovalRepository(Repository):
    def get(self, approval_id: str, for_update: bool = False) -> Approval | None:
        query = select(Approval).where(Approval.id == approval_id)
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(query)

    def of_request(self, request_id: str, for_update: bool = False) -> Approval | None:
        query = select(Approval).where(Approval.request_id == request_id)
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(query)

    def list_approvals(
        self, conditions: list[ColumnElement], offset: int, limit: int
    ) -> tuple[list[Approval], int]:
        total = self.session.scalar(select(func.count()).select_from(Approval).where(*conditions))
        rows = self.session.scalars(
            select(Approval)
            .where(*conditions)
            .order_by(Approval.created_at.desc(), Approval.id)
            .offset(offset)
            .limit(limit)
        ).all()
        return list(rows), total or 0


def decidable_by(user_id: str | None, limit: Decimal, currency: str | None) -> list:
    """Conditions for the pending approvals a user may decide: in their limit's currency, within
    it, and not raised by themselves."""
    return [
        Approval.status == PENDING,
        Approval.currency == (currency or ""),
        Approval.amount <= limit,
        or_(Approval.requested_by_id.is_(None), Approval.requested_by_id != (user_id or "")),
    ]
