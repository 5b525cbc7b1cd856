"""The messages Parley sent the customer (TMF681 communication messages), newest first."""

from typing import Annotated

from fastapi import APIRouter

from parley.auth.permissions import COMMUNICATION_READ
from parley.web.access import Visitor
from parley.web.portal.mine import my_messages
from parley.web.site import Site


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/messages")
    def messages(visitor: Annotated[Visitor, site.page(COMMUNICATION_READ)]):
        context = {"current": "messages", "messages": my_messages(visitor)}
        return site.render(visitor, "portal/messages.html", context)

    return pages
