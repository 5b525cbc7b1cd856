"""Who may use the portal: every route declares its access, a customer's log-in only (the
console's staff are refused, and a customer is refused by the console)."""

from starlette.routing import Mount

from parley.web.access import undeclared_pages
from tests.web.conftest import CONSOLE, sign_in
from tests.web.portal.helpers import PORTAL, portal_customer, register


def test_every_portal_route_declares_its_access(app):
    portal = next(r.app for r in app.routes if isinstance(r, Mount) and r.path == PORTAL)

    assert undeclared_pages(portal) == []


def test_a_customer_cannot_sign_in_to_the_console(client, new_browser, session):
    number = register(new_browser(), session, portal_customer(client))

    refused = sign_in(new_browser(), number, "Sunny-Garden-42")

    assert refused.status_code == 422
    assert CONSOLE not in refused.headers.get("location", "")
