"""Offers: the add-ons the customer may select now (their segment's, on sale, within their
validity), one with its prices, and selecting it, which raises an ``addon.selection`` request
as the customer on the web: the request service checks the choice against the catalogue again,
logs the customer's interaction and hands the order to the ordering system. An offering of
another segment is not found; one the customer may no longer select (or not with the products
they hold) says why. The list shows the products the customer holds, too."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from parley.auth.permissions import OFFER_READ, REQUEST_RAISE
from parley.errors import NotFound
from parley.offers import OfferCatalogue
from parley.offers.eligibility import (
    ENDED,
    EXCLUDES,
    NOT_RELEASED,
    NOT_YET,
    REQUIRES,
    RETIRED,
    SEGMENT,
    UNKNOWN,
    Refusal,
)
from parley.requests.catalogue import RequestTypeCatalogue
from parley.requests.service import ADDON_SELECTION, RequestService
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt
from parley.web.forms import Form, FormFields
from parley.web.i18n import N_
from parley.web.portal.mine import customer_id
from parley.web.products import products_of
from parley.web.site import Site

REFUSALS = {
    UNKNOWN: N_("This offer is not available to you."),
    SEGMENT: N_("This offer is not available to you."),
    RETIRED: N_("This offer has been withdrawn and can no longer be ordered."),
    NOT_RELEASED: N_("This offer is not on sale yet."),
    NOT_YET: N_("This offer cannot be ordered yet."),
    ENDED: N_("This offer has ended and can no longer be ordered."),
    REQUIRES: N_("This offer needs %(name)s, which you do not have."),
    EXCLUDES: N_("This offer cannot be combined with %(name)s, which you have."),
}
PERIODS = {"month": N_("per month"), "week": N_("per week"), "day": N_("per day")}
PRICE_TYPES = {"oneTime": N_("once"), "usage": N_("per use")}
SELECT_WORDING = Wording(
    fields={"troubleTicketCharacteristic": "offer"},
    messages={"offer": N_("This offer cannot be selected now.")},
    default_field="offer",
)


@dataclass(frozen=True)
class PriceView:
    amount: float
    currency: str
    per: str  # a msgid: "per month", "once", ...


@dataclass(frozen=True)
class OfferView:
    id: str
    name: str
    description: str
    prices: list[PriceView]
    valid_to: datetime | None


def router(site: Site) -> APIRouter:
    pages = APIRouter()
    Reader = Annotated[Visitor, site.page(OFFER_READ)]
    Selector = Annotated[Visitor, site.page(REQUEST_RAISE)]

    @pages.get("/offers")
    def list_page(visitor: Reader):
        rows = OfferCatalogue(visitor.uow).selectable_for(customer_id(visitor))
        context = {
            "current": "offers",
            "offers": [offer_view(r) for r in rows],
            "products": products_of(visitor, customer_id(visitor)),
        }
        return site.render(visitor, "portal/offers.html", context)

    @pages.get("/offers/{offering_id}")
    def detail(visitor: Reader, offering_id: str):
        return _detail(site, visitor, offering_id, Form())

    @pages.post("/offers/{offering_id}/select")
    def select(visitor: Selector, offering_id: str, form: FormFields):
        row, why = _selection(visitor, offering_id)
        if why is not None:
            said = Form({}, {"offer": refusal_text(visitor, why)})
            return _detail(site, visitor, offering_id, said, status=422)
        document = _ticket(visitor, row.id, row.name)
        try:
            ticket = attempt(
                visitor, lambda: RequestService(visitor.uow).create(document), SELECT_WORDING
            )
        except Refused as refused:
            return _detail(site, visitor, offering_id, Form({}, refused.errors), status=422)
        return site.redirect(visitor, f"/requests/{ticket.id}?done=raised")

    return pages


def _selection(visitor: Visitor, offering_id: str):
    return OfferCatalogue(visitor.uow).selection(offering_id, customer_id(visitor), True)


def _detail(
    site: Site, visitor: Visitor, offering_id: str, given: Form, status: int = 200
) -> Response:
    row, why = _selection(visitor, offering_id)
    if row is None:
        raise NotFound(f"No product offering with id {offering_id}")  # another segment's too
    context = {
        "current": "offers",
        "offer": offer_view(row),
        "refusal": refusal_text(visitor, why) if why else None,
        "may_select": why is None and visitor.may(REQUEST_RAISE),
        "form": given,
    }
    return site.render(visitor, "portal/offer.html", context, status=status)


def refusal_text(visitor: Visitor, why: Refusal) -> str:
    """Why the customer may not select it, in their language."""
    return visitor.locale.gettext(REFUSALS[why.kind]) % {"name": why.other or ""}


def offer_view(row) -> OfferView:
    prices = []
    for price in row.document.get("productOfferingPrice") or []:
        money = price.get("price") or {}
        if "value" not in money:
            continue  # a price of the BSS's own, named by reference only
        per = PERIODS.get(price.get("recurringChargePeriodType") or "month", N_("per period"))
        if price.get("priceType") != "recurring":
            per = PRICE_TYPES.get(price.get("priceType"), "")
        prices.append(PriceView(money["value"], money.get("unit", ""), per))
    description = row.document.get("description") or ""
    return OfferView(row.id, row.name, description, prices, row.valid_to)


def _ticket(visitor: Visitor, offering_id: str, name: str) -> dict:
    addon = RequestTypeCatalogue(visitor.uow).by_code(ADDON_SELECTION)
    return {
        "@type": "TroubleTicket",
        "name": f"Add-on: {name}",
        "description": f"Selected in the portal: {name}",
        **({"troubleTicketSpecification": {"id": addon.id}} if addon else {}),
        "ticketType": ADDON_SELECTION,
        "channel": {"id": "web", "name": "web"},
        "troubleTicketCharacteristic": [
            {"@type": "StringCharacteristic", "name": "productOffering", "value": offering_id}
        ],
        "relatedParty": [
            {
                "@type": "RelatedPartyRefOrPartyRoleRef",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": customer_id(visitor),
                    "@referredType": "Customer",
                },
            }
        ],
    }
