"""The queries of the offer catalogue, and what a reader may see of it."""

from sqlalchemy import ColumnElement, and_, delete, exists, false, or_, select

from parley.db.repository import Page, Repository
from parley.offers.models import RELEASED, OfferingSegment, ProductOffering


class OfferRepository(Repository):
    def get(self, offering_id: str, for_update: bool = False) -> ProductOffering | None:
        return self.one(ProductOffering, offering_id, for_update=for_update)

    def by_external_id(self, external_id: str) -> ProductOffering | None:
        query = select(ProductOffering).where(ProductOffering.external_id == external_id)
        return self.session.scalar(query)

    def offered_to(self, segment: str | None) -> ColumnElement[bool]:
        """Offerings for every segment, and those for ``segment``."""
        segments = select(OfferingSegment.segment).where(
            OfferingSegment.offering_id == ProductOffering.id
        )
        anyone = ~exists(segments)
        if segment is None:
            return anyone
        return or_(anyone, exists(segments.where(OfferingSegment.segment == segment)))

    def readable_by_segment(self, customer: bool, segment: str | None):
        """None (everything) for staff and systems; for a customer, the released offerings of
        its segment (and those for everyone)."""
        if not customer:
            return None
        return and_(ProductOffering.lifecycle_status.in_(RELEASED), self.offered_to(segment))

    def nothing(self) -> ColumnElement[bool]:
        return false()

    def list_offerings(self, conditions: list, page: Page) -> tuple[list[ProductOffering], int]:
        return self.page(ProductOffering, conditions, page, (ProductOffering.name, False))

    def segments_of(self, offering_id: str) -> list[str]:
        query = select(OfferingSegment.segment).where(OfferingSegment.offering_id == offering_id)
        return sorted(self.session.scalars(query))

    def replace_segments(self, offering_id: str, segments: list[str]) -> None:
        self.session.execute(
            delete(OfferingSegment).where(OfferingSegment.offering_id == offering_id)
        )
        for segment in segments:
            self.session.add(OfferingSegment(offering_id=offering_id, segment=segment))
        self.session.flush()
