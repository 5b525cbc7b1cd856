"""The agent console: a web application of its own, mounted by the app at ``/console``.

A sub-application, so that everything under ``/console`` answers as pages do (HTML error
pages in the console's layout, security headers, its own sessions) while the API beside it
keeps its JSON answers and Bearer tokens. It shares the app's state: the settings, the
database sessions and the slots limiting units of work in flight.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from starlette.datastructures import State

from parley.auth.permissions import (
    CALL_READ,
    IDENTIFY_USE,
    INBOUND_READ,
    LEAD_READ,
    OUTBOX_READ,
    REASON_WRITE,
    REPORT_READ,
    REQUEST_APPROVE,
    REQUEST_TYPE_WRITE,
    STAFF,
    TASK_ASSIGN,
    TASK_READ,
    TEMPLATE_WRITE,
    UPSELL_WRITE,
    USER_ADMIN,
)
from parley.web import signin
from parley.web.access import Visitor
from parley.web.console import (
    admin,
    admin_catalogue,
    admin_inbound,
    admin_outbox,
    admin_templates,
    admin_upsell,
    calls,
    customers,
    dashboard,
    home,
    leads,
    live_updates,
    problems,
    requests,
    search,
    supervisor,
    upsell,
    work,
)
from parley.web.errors import install_error_pages
from parley.web.headers import SecurityHeaders
from parley.web.i18n import N_
from parley.web.labels import label
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
    if visitor.may(LEAD_READ):
        items.append(NavItem(N_("Leads"), "/leads", "leads"))
    if visitor.may(TASK_ASSIGN):
        items.append(NavItem(N_("Queues"), "/supervisor", "supervisor"))
    if visitor.may(REQUEST_APPROVE):
        items.append(NavItem(N_("Approvals"), "/supervisor/approvals", "approvals"))
    if visitor.may(REPORT_READ):
        items.append(NavItem(N_("Dashboard"), "/dashboard", "dashboard"))
        items.append(NavItem(N_("Reports"), "/reports", "reports"))
        items.append(NavItem(N_("Problems"), "/problems", "problems"))
    if visitor.may(USER_ADMIN):
        items.append(NavItem(N_("Users"), "/admin/users", "users"))
    if visitor.may(REQUEST_TYPE_WRITE):
        items.append(NavItem(N_("Request types"), "/admin/request-types", "request-types"))
    if visitor.may(REASON_WRITE):
        items.append(NavItem(N_("Interaction reasons"), "/admin/reasons", "reasons"))
    if visitor.may(TEMPLATE_WRITE):
        items.append(NavItem(N_("Message templates"), "/admin/templates", "templates"))
    if visitor.may(UPSELL_WRITE):
        items.append(NavItem(N_("Up-sell rules"), "/admin/upsell-rules", "upsell-rules"))
    if visitor.may(OUTBOX_READ):
        items.append(NavItem(N_("Dead letters"), "/admin/dead-letters", "dead-letters"))
    if visitor.may(INBOUND_READ):
        items.append(NavItem(N_("Inbound messages"), "/admin/inbound-messages", "inbound-messages"))
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

    app.include_router(signin.router(site, "console/sign_in.html"))
    for module in (
        home,
        search,
        customers,
        requests,
        work,
        calls,
        live_updates,
        dashboard,
        problems,
        supervisor,
        leads,
        admin,
        admin_catalogue,
        admin_templates,
        admin_outbox,
        admin_inbound,
        admin_upsell,
        upsell,
    ):
        app.include_router(module.router(site))
    install_error_pages(app, site)
    app.add_middleware(SecurityHeaders)
    return app
