"""Browser tests: Debian's Chromium, driven by Playwright, against a real uvicorn server on a
free port, serving the run's database with a small demo data set committed in it.

Without /usr/bin/chromium (or Playwright) the tests skip and say why, unless
PARLEY_TEST_REQUIRE_BROWSER=1 (CI), where they fail. Every page a test visits is checked with
axe-core (no serious or critical violation) and for console errors (a page breaking the CSP
says so there), and photographed into test-artifacts/screenshots/ for people to look at.
"""

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.app import create_app
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.demo import load_demo
from parley.demo.users import DEMO_PASSWORD
from parley.interactions.service import InteractionService
from parley.live.hub import HUB
from parley.parties.models import Customer, CustomerSecurity, Party, PartyKey
from parley.settings import Settings
from tests import database
from tests.conftest import TEST_SIGNING_KEY

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"
INSTALL = "apt-get install chromium, and pip install 'parley[test]' (Playwright)"
SERIOUS = ("serious", "critical")
pytestmark = pytest.mark.committed


def _unavailable(reason: str):
    if os.environ.get("PARLEY_TEST_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (PARLEY_TEST_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(f"{reason}: {INSTALL}")


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless (as root it needs --no-sandbox)."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no browser at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


class _Server:
    """uvicorn serving an app in a thread of this process (so it shares the run's cheap
    password hashing), on a free port of 127.0.0.1."""

    def __init__(self, app) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "_Server":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the console's test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc) -> None:
        HUB.close()  # as a stop signal would (web/live.py): open live streams end
        self.server.should_exit = True
        self.thread.join(10)


class Demo:
    """What the tests look for in the demo data set."""

    def __init__(self, engine: Engine, base_url: str) -> None:
        self.base_url = base_url
        with sessionmaker(bind=engine)() as session:
            active = session.execute(_first_reachable(select(Customer.name, PartyKey.value))).one()
            self.name, self.phone = active
            self.gone = session.scalars(
                select(Customer.name)
                .join(Party, Party.id == Customer.party_id)
                .where(Customer.status == "disconnected", Party.kind == "Individual")
                .order_by(Customer.customer_number)
                .limit(1)
            ).one()

            # A customer with a PIN (the demo's: 1234) and a long history, for the 360.
            with_pin = select(Customer.id, Customer.name, PartyKey.value).join(
                CustomerSecurity, CustomerSecurity.customer_id == Customer.id
            )
            self.caller_id, self.caller, self.caller_phone = session.execute(
                _first_reachable(with_pin)
            ).one()

    def url(self, path: str = "/") -> str:
        return f"{self.base_url}/console{path}"


LONG_HISTORY = 45  # more than two pages of the timeline (20): scrolling loads the rest


def _long_history(uow: UnitOfWork, customer_id: str) -> None:
    """Emails about bills, a day apart, before the demo's own history of the customer."""
    for day in range(LONG_HISTORY):
        moment = f"2023-{1 + day // 28:02d}-{1 + day % 28:02d}T09:30:00Z"
        InteractionService(uow).create(
            {
                "@type": "PartyInteraction",
                "direction": "outbound",
                "status": "completed",
                "reason": "billing.issued",
                "description": f"Monthly bill {day + 1} sent",
                "interactionDate": {"startDateTime": moment, "endDateTime": moment},
                "relatedChannel": [{"role": "contact", "channel": {"id": "email"}}],
                "relatedParty": [
                    {
                        "role": "customer",
                        "partyOrPartyRole": {"id": customer_id, "@referredType": "Customer"},
                    }
                ],
            }
        )


@pytest.fixture(scope="module")
def demo(migrated_engine, database_url, attachment_dir) -> Iterator[Demo]:
    """A served console over a small demo data set (its log-ins: agent, supervisor, admin),
    committed for the module and emptied after it."""
    settings = Settings(
        database_url=database_url,
        jwt_secret=SecretStr(TEST_SIGNING_KEY),
        embedded_worker=False,
        db_async_pool_size=0,
        default_time_zone="Europe/Berlin",
        attachment_dir=attachment_dir,
        _env_file=None,
    )
    with sessionmaker(bind=migrated_engine, expire_on_commit=False)() as session:
        load_demo(session, settings, customers=40, seed=7, if_empty=False)
        setup = UnitOfWork(session, settings, Actor("test-setup", "test"))
        UserService(setup).create_user("locky", ["agent"], "staff", DEMO_PASSWORD, "Lou Locke")
        session.commit()
        _long_history(setup, Demo(migrated_engine, "").caller_id)
        session.commit()
    app = create_app(settings, check_schema=False)
    try:
        with _Server(app) as server:
            served = Demo(migrated_engine, f"http://127.0.0.1:{server.port}")
            # For tests that add their own work to the data set, through the services.
            served.engine, served.settings = migrated_engine, settings
            yield served
    finally:
        app.state.engine.dispose()
        database.empty_tables(migrated_engine)
        database.seed_catalogues(migrated_engine)


@pytest.fixture
def new_page(chromium, demo):
    """``new_page(locale="de-DE")``: a page in a fresh browser context (its own cookies),
    1366×900 unless told; console errors are collected and must be none."""
    contexts, errors = [], []

    def make(**options):
        context = chromium.new_context(
            **{"viewport": {"width": 1366, "height": 900}, "locale": "en-GB", **options}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda message: _keep_error(errors, message))
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], "the browser reported errors (a CSP violation, a script failing)"


# A page answered 4xx on purpose (a refused form, a wrong password) is logged so; the tests
# check those statuses themselves.
EXPECTED_STATUS = "Failed to load resource: the server responded with a status of 4"


def _keep_error(errors: list, message) -> None:
    if message.type == "error" and not message.text.startswith(EXPECTED_STATUS):
        errors.append(message.text)


@pytest.fixture
def page(new_page):
    return new_page()


def check_accessible(page, name: str) -> None:
    """axe-core on the page as it is: no serious or critical violation."""
    page.evaluate(AXE.read_text())  # through the DevTools protocol: not blocked by the CSP
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
    assert bad == [], f"{name}: {json.dumps(bad, indent=1)}"


def shoot(page, name: str) -> None:
    """A screenshot of the whole page into test-artifacts/screenshots/NAME.png, from its top
    (a page scrolled to an anchor would show the sticky top bar in the middle)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    at = page.evaluate("[window.scrollX, window.scrollY]")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.evaluate("([x, y]) => window.scrollTo(x, y)", at)


def shoot_view(page, name: str) -> None:
    """What the screen shows from the top of the page (as the docs show a page), into
    test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def look(page, name: str) -> None:
    """Check the page's accessibility and keep a picture of it."""
    check_accessible(page, name)
    shoot(page, name)


def sign_in(page, demo: Demo, username: str = "agent", password: str = DEMO_PASSWORD) -> None:
    page.goto(demo.url("/sign-in"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()  # the next page's scripts (the "/" key) are running


def _first_reachable(query):
    """The first active individual customer (by number) with a current phone number."""
    return (
        query.join(Party, Party.id == Customer.party_id)
        .join(PartyKey, PartyKey.party_id == Party.id)
        .where(
            Customer.status == "active",
            Party.kind == "Individual",
            PartyKey.kind == "phone",
            PartyKey.valid_to.is_(None),
        )
        .order_by(Customer.customer_number)
        .limit(1)
    )
