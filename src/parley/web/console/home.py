"""The console's start page: who is signed in, what they can do from here, and the session."""

from typing import Annotated

from fastapi import APIRouter

from parley.web.access import Visitor
from parley.web.site import Site


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/")
    def home(visitor: Annotated[Visitor, site.page()]):
        context = {"current": "home", "idle_minutes": visitor.settings.web_idle_minutes}
        return site.render(visitor, "console/home.html", context)

    return pages
