"""The queries of the hand-offs and their acknowledgements."""

from datetime import datetime

from sqlalchemy import select

from parley.db.repository import Repository
from parley.requests.handoffs.models import WAITING, Acknowledgement, Handoff
from parley.requests.models import CustomerRequest


class HandoffRepository(Repository):
    def get(self, handoff_id: str, for_update: bool = False) -> Handoff | None:
        query = select(Handoff).where(Handoff.id == handoff_id)
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalar(query)

    def of_request(self, request_id: str) -> list[Handoff]:
        query = select(Handoff).where(Handoff.request_id == request_id)
        return list(self.session.scalars(query.order_by(Handoff.created_at, Handoff.id)))

    def waiting_of(self, request_ids: list[str]) -> dict[str, str]:
        """request id -> the kind of the hand-off it waits for, for those that wait."""
        if not request_ids:
            return {}
        query = select(Handoff.request_id, Handoff.kind).where(
            Handoff.request_id.in_(request_ids), Handoff.state == WAITING
        )
        return {request_id: kind for request_id, kind in self.session.execute(query)}

    def by_external_id(self, kind: str, external_id: str) -> Handoff | None:
        query = select(Handoff).where(Handoff.kind == kind, Handoff.external_id == external_id)
        return self.session.scalars(query.limit(1)).first()

    def acknowledgement(self, event_key: str) -> Acknowledgement | None:
        query = select(Acknowledgement).where(Acknowledgement.event_key == event_key)
        return self.session.scalars(query).first()

    def acknowledgements_of(self, handoff_ids: list[str]) -> list[Acknowledgement]:
        if not handoff_ids:
            return []
        query = select(Acknowledgement).where(Acknowledgement.handoff_id.in_(handoff_ids))
        order = (Acknowledgement.received_at, Acknowledgement.id)
        return list(self.session.scalars(query.order_by(*order)))

    def claim_overdue(self, now: datetime, limit: int) -> list[tuple[Handoff, CustomerRequest]]:
        """Waiting hand-offs past their time with no task yet, with their requests, both
        locked; as the SLA watch claims its clocks (``SKIP LOCKED`` on PostgreSQL, the write
        lock on SQLite). The caller checks each again: one just settled is no longer due."""
        query = (
            select(Handoff, CustomerRequest)
            .join(CustomerRequest, CustomerRequest.id == Handoff.request_id)
            .where(Handoff.state == WAITING, Handoff.task_id.is_(None), Handoff.due_at <= now)
            .order_by(Handoff.due_at, Handoff.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return [(handoff, request) for handoff, request in self.session.execute(query)]
