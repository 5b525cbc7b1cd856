"""``GET /api/v1/customers/{customer_id}/products``: the products a customer holds (what the
ordering system completed for them, or the BSS said they hold), those held first. A customer's
own log-in reads its own (another customer's: 404)."""

from typing import Annotated

from fastapi import APIRouter, Response

from parley.api.deps import AppLinks, RequestWork
from parley.api.security import require
from parley.api.v1.kit import Page, VisibleCustomer, listed, paging
from parley.auth.permissions import CUSTOMER_READ
from parley.offers import CustomerProducts, served_product
from parley.parties.service import PartyService


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/customers", tags=["offers"])

    @api.get(
        "/{customer_id}/products",
        summary="The products a customer holds (TMF637's Product, in the small)",
        dependencies=[require(CUSTOMER_READ)],
    )
    def products(
        customer_id: VisibleCustomer,
        uow: RequestWork,
        links: AppLinks,
        response: Response,
        page: Annotated[Page, paging(50, 200)],
    ):
        PartyService(uow).get_customer(customer_id)  # 404 for none
        rows, total = CustomerProducts(uow).of_customer(
            customer_id, offset=page.offset, limit=page.limit
        )
        return listed(response, [links.fill(served_product(p)) for p in rows], total)

    return api
