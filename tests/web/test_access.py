"""What a role may not do is not shown, and refused if asked for anyway; every console route
declares its access."""

from starlette.routing import Mount

from parley.actor import Actor
from parley.auth.roles import RoleService
from parley.changes import UnitOfWork
from parley.web.access import undeclared_pages
from tests.web.conftest import CONSOLE, main_text, sign_in


def _console(app):
    return next(r.app for r in app.routes if isinstance(r, Mount) and r.path == CONSOLE)


def test_every_console_route_declares_its_access(app):
    assert undeclared_pages(_console(app)) == []


def test_a_visitor_not_signed_in_is_sent_to_sign_in_and_back(browser):
    response = browser.get(f"{CONSOLE}/customers/x")

    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?next=/customers/x"


def test_an_agent_sees_and_reaches_only_what_agents_may(signed_in):
    home = signed_in.get(f"{CONSOLE}/").text
    assert 'href="/console/search"' in home and 'id="search-q"' in home
    assert "/console/admin/users" not in home

    refused = signed_in.get(f"{CONSOLE}/admin/users")

    assert refused.status_code == 403
    assert "Not allowed" in main_text(refused.text)
    assert "kim.agent" in refused.text  # in the console's frame, signed in as before


def test_an_administrator_sees_and_reaches_the_users(browser, users):
    admin = users.make("administrator", username="ada.admin")
    sign_in(browser, admin.user.username)

    assert 'href="/console/admin/users"' in browser.get(f"{CONSOLE}/").text
    page = browser.get(f"{CONSOLE}/admin/users")
    assert page.status_code == 200 and "ada.admin" in main_text(page.text)


def test_a_role_without_identification_gets_no_search_box_and_no_search(
    browser, users, session, settings
):
    roles = RoleService(UnitOfWork(session, settings, Actor("test-admin", "test")))
    roles.create_role("reader", ["customer:read"])
    users.commit()
    sign_in(browser, users.make("reader").user.username)

    home = browser.get(f"{CONSOLE}/").text
    assert 'id="search-q"' not in home and 'href="/console/search"' not in home
    assert browser.get(f"{CONSOLE}/search?q=anna").status_code == 403


def test_pages_that_do_not_exist_answer_a_readable_404(signed_in):
    for path in ("/no-such-page", "/customers/00000000-0000-4000-8000-000000000000"):
        response = signed_in.get(f"{CONSOLE}{path}")
        assert response.status_code == 404, path
        assert "Not found" in main_text(response.text)


def test_a_method_a_page_does_not_take_is_refused_readably(signed_in):
    response = signed_in.put(f"{CONSOLE}/")

    assert response.status_code == 405
    assert "Not possible here" in main_text(response.text)
