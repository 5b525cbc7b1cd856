"""The queries of the SLA watch."""

from datetime import datetime

from sqlalchemy import select

from parley.db.repository import Repository
from parley.requests.models import CustomerRequest
from parley.requests.sla.models import RequestSla


class SlaRepository(Repository):
    def claim_due(self, now: datetime, limit: int) -> list[tuple[RequestSla, CustomerRequest]]:
        """Clocks due for a warning or a breach, with their requests, both locked. On
        PostgreSQL ``SKIP LOCKED`` leaves rows another watch (or a request being changed)
        holds to that one, without waiting; on SQLite the transaction's write lock
        (BEGIN IMMEDIATE) runs watches one after the other. Either way the watch re-checks
        each clock it gets, so a second look at one already raised adds nothing."""
        query = (
            select(RequestSla, CustomerRequest)
            .join(CustomerRequest, CustomerRequest.id == RequestSla.request_id)
            .where(RequestSla.next_check_at <= now)
            .order_by(RequestSla.next_check_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return [(clock, request) for clock, request in self.session.execute(query)]
