"""Every query of the leads domain."""

from sqlalchemy import ColumnElement, select

from parley.db.repository import Page, Reader, Repository
from parley.leads.models import OPEN_STATUSES, SalesLead


class LeadRepository(Repository):
    def get(self, lead_id: str, for_update: bool = False) -> SalesLead | None:
        query = select(SalesLead).where(SalesLead.id == lead_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalar(query)

    def readable_by(self, _reader: Reader | None) -> None:
        """Leads are the provider's: whoever may read leads reads them all."""
        return None

    def list_leads(
        self, conditions: list[ColumnElement], page: Page
    ) -> tuple[list[SalesLead], int]:
        order = ((SalesLead.created_at, True),)
        return self.page(SalesLead, conditions, page, *order)

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
