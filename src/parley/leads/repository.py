"""Every query of the leads domain."""

from sqlalchemy import ColumnElement, func, select

from parley.db.repository import Repository
from parley.leads.models import OPEN_STATUSES, SalesLead


class LeadRepository(Repository):
    def get(self, lead_id: str, for_update: bool = False) -> SalesLead | None:
        query = select(SalesLead).where(SalesLead.id == lead_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalar(query)

    def list_leads(
        self, conditions: list[ColumnElement], offset: int, limit: int
    ) -> tuple[list[SalesLead], int]:
        total = self.session.scalar(select(func.count()).select_from(SalesLead).where(*conditions))
        rows = self.session.scalars(
            select(SalesLead)
            .where(*conditions)
            .order_by(SalesLead.created_at.desc(), SalesLead.id)
            .offset(offset)
            .limit(limit)
        ).all()
        return list(rows), total or 0

    def open_leads_of_parties(self, party_ids: list[str]) -> list[SalesLead]:
        """Leads still being worked whose prospect is one of these parties."""
        if not party_ids:
            return []
        query = (
            select(SalesLead)
            .where(SalesLead.party_id.in_(party_ids), SalesLead.status.in_(OPEN_STATUSES))
            .order_by(SalesLead.created_at)
        )
        return list(self.session.scalars(query).all())
