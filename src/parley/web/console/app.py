"""The agent console: a web application of its own, mounted by the app at ``/console``.

A sub-application, so that everything under ``/console`` answers as pages do (HTML error
pages in the console's layout, security headers, its own sessions) while the API beside it
keeps its JSON answers and Bearer tokens. It shares the app's state: the settings, the
database sessions and the slots limiting units of work in flight.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from starlette.datastructures import State

from parley.auth.permissions import CALL_READ, IDENTIFY_USE, STAFF, TASK_READ, USER_ADMIN
from parley.web.access import Visitor
from parley.web.console import (
    admin,
    calls,
    customers,
    home,
    live_updates,
    requests,
    search,
    signin,
    work,
)
from parley.web.console.labels import label
from parley.web.errors import install_error_pages
from parley.web.headers import SecurityHeaders
from parley.web.i18n import N_
from parley.web.site import NavItem, Site
from parley.web.templating import Templates

PATH = "/console"
CHANNEL = "console"


def navigation(visitor: Visitor) -> list[NavItem]:
    """The pages a visitor's roles allow; the rest is not shown (and refused if asked for)."""
    items = [NavItem(N_("Home"), "/", "home")]
    if visitor.may(IDENTIFY_USE):
        items.append(NavItem(N_("Find a caller"), "/search", "search"))
    if visitor.may(TASK_READ):
        items.append(NavItem(N_("Work"), "/work", "work"))
    if visitor.may(CALL_READ):
        items.append(NavItem(N_("Calls"), "/calls", "calls"))
    if visitor.may(USER_ADMIN):
        items.append(NavItem(N_("Users"), "/admin/users", "users"))
    return items


def console_site() -> Site:
    templates = Templates(Path(__file__).parent / "templates", label=label)
    return Site(CHANNEL, (STAFF,), templates, navigation=navigation)


def console_app(state: State) -> FastAPI:
    """The console, sharing ``state`` (the app's) for its settings and database."""
    site = console_site()
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    # The same state object, not a copy: tests lend an app their own settings and sessions
    # by setting them on it, and the console must see them too.
    app.state = state
    # The API's route-access listing (api/security.py) counts this mount as declared: every
    # route here declares its access with the site's markers (web/access.py).
    app.declares_own_access = True  # type: ignore[attr-defined]

    @app.get("/static/{version}/{name:path}", dependencies=[site.static_files()])
    def static(request: Request, version: str, name: str):
        return site.assets.response(request, version, name)

    for module in (signin, home, search, customers, requests, work, calls, live_updates, admin):
        app.include_router(module.router(site))
    install_error_pages(app, site)
    app.add_middleware(SecurityHeaders)
    return app
