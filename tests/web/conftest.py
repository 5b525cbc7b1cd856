"""Console tests through FastAPI's TestClient (each a browser of its own, with its cookies);
the browser tests in tests/web/browser drive Chromium against a real server."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.auth.users import NewUser, UserService
from parley.changes import UnitOfWork
from parley.settings import Settings
from tests.auth.helpers import PASSWORD, make_user

CONSOLE = "/console"
ADMIN = Actor("test-admin", "test")


def csrf_in(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(browser: TestClient, username: str, password: str = PASSWORD, **extra) -> Response:
    """Open the sign-in page and send its form, as a person would."""
    page = browser.get(f"{CONSOLE}/sign-in")
    form = {"csrf_token": csrf_in(page.text), "username": username, "password": password}
    return browser.post(f"{CONSOLE}/sign-in", data={**form, **extra})


def post_form(browser: TestClient, path: str, data: dict, page: str = "/") -> Response:
    """Send a form from ``page`` (its CSRF token included), as a person would."""
    token = csrf_in(browser.get(f"{CONSOLE}{page}").text)
    return browser.post(f"{CONSOLE}{path}", data={"csrf_token": token, **data})


def main_text(html: str) -> str:
    """The words of a page's <main>, tags dropped and spaces collapsed."""
    main = html[html.find("<main") : html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


@pytest.fixture
def new_browser(app) -> Iterator:
    """``new_browser()``: another browser (its own cookies), following no redirects."""
    made: list[TestClient] = []

    def make(**options) -> TestClient:
        browser = TestClient(app, raise_server_exceptions=False, follow_redirects=False, **options)
        browser.__enter__()
        made.append(browser)
        return browser

    yield make
    for browser in made:
        browser.__exit__(None, None, None)


@pytest.fixture
def browser(new_browser) -> TestClient:
    return new_browser()


@pytest.fixture
def users(session: Session, settings: Settings):
    """``users.make("agent")``, ``users.service()``: staff made through the auth service."""

    class Users:
        def make(self, *roles: str, **options) -> NewUser:
            return make_user(session, settings, *(roles or ("agent",)), **options)

        def service(self) -> UserService:
            return UserService(UnitOfWork(session, settings, ADMIN))

        def commit(self) -> None:
            session.commit()

    return Users()


@pytest.fixture
def agent(users) -> NewUser:
    return users.make("agent", username="kim.agent")


@pytest.fixture
def signed_in(browser, agent) -> TestClient:
    """A browser where the agent has signed in."""
    assert sign_in(browser, agent.user.username).status_code == 303
    return browser
