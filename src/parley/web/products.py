"""The products a customer holds as the web applications show them (the console's 360, the
portal's offers page): read through the offers' front door, only when the visitor may, and as
the visitor (a customer's log-in reads its own)."""

from dataclasses import dataclass
from datetime import datetime

from parley.auth.permissions import CUSTOMER_READ
from parley.offers import CustomerProducts
from parley.web.access import Visitor

SHOWN = 50


@dataclass(frozen=True)
class ProductView:
    name: str
    status: str
    since: datetime
    until: datetime | None
    order_id: str | None
    request_id: str | None


def products_of(visitor: Visitor, customer_id: str) -> list[ProductView] | None:
    if not visitor.may(CUSTOMER_READ):
        return None
    rows, _total = CustomerProducts(visitor.uow).of_customer(
        customer_id, visitor.principal, 0, SHOWN
    )
    return [
        ProductView(p.name, p.status, p.started_at, p.ended_at, p.order_id, p.request_id)
        for p in rows
    ]
