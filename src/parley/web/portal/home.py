"""The portal's start page: the customer's open requests with where each stands and what
happens next, and the latest messages we sent them."""

from typing import Annotated

from fastapi import APIRouter, Request

from parley.auth.permissions import COMMUNICATION_READ, REQUEST_READ
from parley.parties.service import PartyService
from parley.web.access import Visitor
from parley.web.portal.mine import customer_id, my_messages, my_requests
from parley.web.site import Site

MESSAGES_SHOWN = 3


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/")
    def home(request: Request, visitor: Annotated[Visitor, site.page(REQUEST_READ)]):
        messages = my_messages(visitor, MESSAGES_SHOWN) if visitor.may(COMMUNICATION_READ) else []
        context = {
            "current": "home",
            "customer": PartyService(visitor.uow).get_customer(customer_id(visitor)),
            "open_requests": my_requests(visitor, only_open=True),
            "messages": messages,
            "welcome": "welcome" in request.query_params,
        }
        return site.render(visitor, "portal/home.html", context)

    return pages
