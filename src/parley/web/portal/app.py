"""The customer portal: customers taking care of their own requests and details, mounted by
the app at ``/portal`` (docs/portal.md).

Built on the same web foundation as the agent console (``web/site.py``: sessions, CSRF,
templates, assets, English and German), as a sub-application of its own: only customer
log-ins may sign in here (and only staff in the console), every page reads and changes the
signed-in customer's own record only, and every change is recorded for the customer on the
channel ``web``, so it is in their history like a call to an agent.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from starlette.datastructures import State

from parley.auth.permissions import CUSTOMER
from parley.web import signin
from parley.web.access import Visitor
from parley.web.errors import install_error_pages
from parley.web.headers import SecurityHeaders
from parley.web.i18n import N_
from parley.web.labels import label
from parley.web.portal import (
    accounts,
    enrol,
    home,
    messages,
    offers,
    profile,
    requests,
    survey,
)
from parley.web.site import NavItem, Site
from parley.web.templating import Templates

PATH = "/portal"
CHANNEL = "web"


def navigation(_visitor: Visitor) -> list[NavItem]:
    # Short words: the six fit one row of a 390px phone in English and German (portal.css).
    return [
        NavItem(N_("Home"), "/", "home"),
        NavItem(N_("Requests"), "/requests", "requests"),
        NavItem(N_("Offers"), "/offers", "offers"),
        NavItem(N_("Messages"), "/messages", "messages"),
        NavItem(N_("Accounts"), "/accounts", "accounts"),
        NavItem(N_("Profile"), "/profile", "profile"),
    ]


def portal_site() -> Site:
    templates = Templates(Path(__file__).parent / "templates", label=label)
    return Site(CHANNEL, (CUSTOMER,), templates, navigation=navigation)


def portal_app(state: State) -> FastAPI:
    """The portal, sharing ``state`` (the app's) for its settings and database."""
    site = portal_site()
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state = state  # the same object: see console/app.py
    app.declares_own_access = True  # type: ignore[attr-defined]

    @app.get("/static/{version}/{name:path}", dependencies=[site.static_files()])
    def static(request: Request, version: str, name: str):
        return site.assets.response(request, version, name)

    app.include_router(signin.router(site, "portal/sign_in.html"))
    for module in (enrol, survey, home, requests, offers, messages, accounts, profile):
        app.include_router(module.router(site))
    install_error_pages(app, site)
    app.add_middleware(SecurityHeaders)
    return app
