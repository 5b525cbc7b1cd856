"""Queries of the call journal."""

from datetime import datetime

from sqlalchemy import select

from parley.calls.models import CALLBACK_NEEDED, PhoneCall
from parley.db.repository import Repository


class CallRepository(Repository):
    def by_ref(self, call_ref: str, for_update: bool = False) -> PhoneCall | None:
        query = select(PhoneCall).where(PhoneCall.call_ref == call_ref)
        return self.session.scalar(query.with_for_update() if for_update else query)

    def journal(self, callbacks_only: bool, offset: int, limit: int) -> list[PhoneCall]:
        query = select(PhoneCall)
        if callbacks_only:
            query = query.where(PhoneCall.callback == CALLBACK_NEEDED)
        query = query.order_by(PhoneCall.started_at.desc(), PhoneCall.id)
        return list(self.session.scalars(query.offset(offset).limit(limit)))

    def wrap_ups_due(self, now: datetime, limit: int) -> list[PhoneCall]:
        """Calls whose contact's wrap-up time is over, locked; those another worker holds are
        skipped (it is seeing to them)."""
        query = (
            select(PhoneCall)
            .where(PhoneCall.wrap_up_due <= now)
            .order_by(PhoneCall.wrap_up_due)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(query))
