"""The queries of the offer catalogue, and what a reader may see of it."""

from sqlalchemy import ColumnElement, and_, case, delete, exists, false, func, or_, select

from parley.db.repository import Page, Reader, Repository, owned_by_reader
from parley.offers.models import (
    HELD,
    RELEASED,
    CustomerProduct,
    OfferingSegment,
    ProductOffering,
)


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

    def by_any_id(self, offering: str) -> ProductOffering | None:
        """The offering named by its id or its BSS id (as relationships and orders name it)."""
        query = select(ProductOffering).where(
            or_(ProductOffering.id == offering, ProductOffering.external_id == offering)
        )
        return self.session.scalars(query.limit(1)).first()

    # -- the products customers hold ---------------------------------------------------------

    def products_of(
        self, customer_id: str, reader: Reader | None, offset: int, limit: int
    ) -> tuple[list[CustomerProduct], int]:
        """One page of the customer's products, those held first, and how many there are."""
        conditions = [CustomerProduct.customer_id == customer_id]
        readable = owned_by_reader(CustomerProduct.customer_id, reader)
        if readable is not None:
            conditions.append(readable)
        held_first = case((CustomerProduct.status.in_(HELD), 0), else_=1)
        order = (held_first, CustomerProduct.started_at.desc(), CustomerProduct.id)
        query = select(CustomerProduct).where(*conditions).order_by(*order)
        rows = list(self.session.scalars(query.offset(offset).limit(limit)))
        total = self.session.scalar(select(func.count()).where(*conditions))
        return rows, total or 0

    def product_of_order(self, order_id: str) -> CustomerProduct | None:
        query = select(CustomerProduct).where(CustomerProduct.order_id == order_id)
        return self.session.scalars(query).first()

    def product_like(
        self, customer_id: str, offering_ref: str, started_at
    ) -> CustomerProduct | None:
        """The product of this customer, offering and start (an import's row, again)."""
        query = select(CustomerProduct).where(
            CustomerProduct.customer_id == customer_id,
            CustomerProduct.offering_ref == offering_ref,
            CustomerProduct.started_at == started_at,
        )
        return self.session.scalars(query.limit(1)).first()
