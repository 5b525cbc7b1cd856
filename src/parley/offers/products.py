"""The products customers hold (``customer_product``): recorded when the ordering system
completes an add-on order Parley handed it, or imported from the BSS. Eligibility reads them
(an offering may require or exclude products a customer holds); the console's 360, the portal
and ``GET /api/v1/customers/{id}/products`` show them. Every change is audited; the service
never commits.
"""

from dataclasses import dataclass
from datetime import datetime

from parley.changes import CREATE, UnitOfWork
from parley.db.base import iso, utcnow
from parley.db.repository import Reader
from parley.offers.models import HELD, CustomerProduct, ProductOffering
from parley.offers.repository import OfferRepository

RESOURCE = "customerProduct"
MOST_HELD = 1000  # what eligibility reads of a customer's products (held ones come first)


@dataclass(frozen=True)
class Held:
    """What eligibility needs of a product held: which offering it came from, by either id."""

    offering_id: str | None
    offering_ref: str
    name: str

    def is_of(self, offering: str) -> bool:
        return offering in (self.offering_id, self.offering_ref)


class CustomerProducts:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = OfferRepository(uow.session)

    def of_customer(
        self, customer_id: str, reader: Reader | None = None, offset: int = 0, limit: int = 100
    ) -> tuple[list[CustomerProduct], int]:
        """A page of the customer's products, those held first, newest first, and how many
        there are (another customer's log-in reads none)."""
        return self.repo.products_of(customer_id, reader, offset, limit)

    def held(self, customer_id: str) -> list[Held]:
        rows, _ = self.repo.products_of(customer_id, None, 0, MOST_HELD)
        return [Held(p.offering_id, p.offering_ref, p.name) for p in rows if p.status in HELD]

    def record_ordered(
        self,
        customer_id: str,
        offering: ProductOffering | None,
        item: dict,
        request_id: str,
        order_id: str | None,
        started_at: datetime,
    ) -> CustomerProduct:
        """The product an order the ordering system completed gave the customer. ``item``:
        the order's item (its ``productOffering`` names the offering as ordered), for an
        offering since deleted from the catalogue."""
        if order_id is not None:
            known = self.repo.product_of_order(order_id)
            if known is not None:
                return known
        ordered = item.get("productOffering") or {}
        now = utcnow()
        product = CustomerProduct(
            customer_id=customer_id,
            offering_id=offering.id if offering else None,
            offering_ref=str(ordered.get("id") or (offering.id if offering else ""))[:100],
            name=str(ordered.get("name") or (offering.name if offering else "?"))[:200],
            status="active",
            request_id=request_id,
            order_id=order_id,
            started_at=started_at,
            created_at=now,
            updated_at=now,
        )
        self.repo.add(product)
        shown = served_product(product)
        self.uow.record(RESOURCE, CREATE, product.id, after=shown)
        return product


def served_product(product: CustomerProduct) -> dict:
    """A product as the API shows it: TMF637's Product in the small (its offering, status,
    start and end), with the request and the order it came from."""
    body = {
        "@type": "Product",
        "id": product.id,
        "name": product.name,
        "status": product.status,
        "productOffering": {
            "@type": "ProductOfferingRef",
            "id": product.offering_id or product.offering_ref,
            "name": product.name,
        },
        "startDate": iso(product.started_at),
        "customer": {"id": product.customer_id, "@referredType": "Customer"},
    }
    if product.ended_at:
        body["terminationDate"] = iso(product.ended_at)
    if product.request_id:
        body["request"] = {"id": product.request_id, "@referredType": "TroubleTicket"}
    if product.order_id:
        body["productOrder"] = {"id": product.order_id, "@referredType": "ProductOrder"}
    return body
