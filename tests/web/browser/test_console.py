"""The console in a real browser: signing in, finding a caller as you type and opening them,
CSRF and role refusals, German, the keyboard, no JavaScript, a narrow screen. Each page is
checked with axe-core and photographed (tests/web/browser/conftest.py)."""

import re

import pytest

from parley.demo.users import DEMO_PASSWORD
from tests.web.browser.conftest import look, shoot, sign_in

expect = pytest.importorskip("playwright.sync_api").expect


def test_signing_in_with_a_wrong_password_then_the_right_one(page, demo):
    page.goto(demo.url("/"))
    expect(page).to_have_url(re.compile(r"/console/sign-in\?next=/$"))
    expect(page.get_by_label("Username")).to_be_focused()
    look(page, "sign-in")

    sign_in(page, demo, "agent", "not-the-password")

    error = page.locator("#password-error")
    expect(error).to_have_text("The username or password is not right.")
    expect(page.get_by_label("Password")).to_have_attribute("aria-describedby", "password-error")
    expect(page.get_by_label("Password")).to_be_focused()  # only the password to type again
    look(page, "sign-in-wrong-password")

    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(demo.url("/"))
    expect(page.locator(".who-name")).to_have_text("Kim Weber")
    expect(page.locator(".who-roles")).to_have_text("Agent")
    look(page, "home")


def test_repeated_failures_lock_the_account(page, demo):
    for _ in range(5):
        sign_in(page, demo, "locky", "not-the-password")
    sign_in(page, demo, "locky", DEMO_PASSWORD)

    expect(page.locator("#password-error")).to_contain_text("this account is locked until")
    look(page, "sign-in-locked")


def test_a_caller_is_found_as_the_agent_types_and_opened(page, demo):
    sign_in(page, demo)
    page.keyboard.press("/")
    search = page.get_by_role("searchbox", name="Find a caller")
    expect(search).to_be_focused()

    search.press_sequentially(demo.phone, delay=20)  # as typed: candidates while typing

    first = page.locator(".candidates a.candidate-name").first
    expect(first).to_have_text(demo.name)
    expect(page.locator(".candidate").first.locator(".match").first).to_contain_text("exact")
    # The results came into the page; the address, the title and the navigation say so.
    expect(page).to_have_url(re.compile(r"/console/search\?q="))
    expect(page).to_have_title(re.compile(r"^Find a caller: "))
    current = page.get_by_role("navigation", name="Console").locator("[aria-current=page]")
    expect(current).to_have_text("Find a caller")
    look(page, "search-results")

    search.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(demo.name)
    expect(page.locator(".customer-header .badge[class*=status-]").first).to_have_text("Active")
    look(page, "customer")


def test_a_disconnected_customer_is_marked_among_the_candidates(page, demo):
    sign_in(page, demo)
    page.goto(demo.url(f"/search?q={demo.gone}"))

    historical = page.locator(".candidate.is-historical").filter(has_text=demo.gone).first
    expect(historical.locator(".badge.status-disconnected")).to_have_text("Disconnected")
    look(page, "search-historical")


def test_a_form_without_its_csrf_token_is_refused(page, demo):
    sign_in(page, demo)
    page.evaluate(
        "document.querySelectorAll('form[action$=\"/sign-out\"] [name=csrf_token]')"
        ".forEach(field => field.remove())"
    )

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    look(page, "csrf-refused")
    page.goto(demo.url("/"))
    expect(page.locator(".who-name")).to_have_text("Kim Weber")  # still signed in


def test_an_agent_cannot_reach_an_administrators_page(page, demo):
    sign_in(page, demo)
    expect(page.get_by_role("navigation", name="Console").get_by_role("link")).to_have_text(
        ["Home", "Find a caller", "Work", "Calls", "Leads"]
    )

    response = page.goto(demo.url("/admin/users"))

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    look(page, "forbidden")


def test_an_administrator_sees_the_users(page, demo):
    sign_in(page, demo, "admin")
    page.get_by_role("link", name="Users").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(page.get_by_role("cell", name="locky")).to_be_visible()
    look(page, "users")


def test_the_console_in_german(new_page, demo):
    page = new_page(locale="de-DE")
    page.goto(demo.url("/sign-in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bei der Agenten-Konsole anmelden")
    look(page, "sign-in-de")

    page.get_by_label("Benutzername").fill("supervisor")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("searchbox", name="Anrufer finden").fill(demo.gone)

    expect(page.locator(".result-count")).to_contain_text("Treffer für")
    expect(page.locator(".who-roles")).to_have_text("Supervisor")
    look(page, "search-de")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Deutsch")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_keyboard_reaches_everything_in_reading_order(page, demo):
    sign_in(page, demo)
    page.goto(demo.url("/"))
    order = []
    for _ in range(7):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return (e.getAttribute('aria-label') || e.id || e.textContent)"
                " .replace(/\\s+/g, ' ').trim(); }"
            )
        )

    assert order[:3] == ["Skip to content", "Parley Agent console", "search-q"]
    assert order[3:7] == ["Deutsch", "Sign out", "Home", "Find a caller"]
    page.get_by_role("heading", level=1).click()  # anywhere but a field
    page.keyboard.press("/")
    expect(page.locator("#search-q")).to_be_focused()

    page.goto(demo.url("/"))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link
    expect(page.locator("#main")).to_be_focused()


def test_pages_read_without_javascript(new_page, demo):
    page = new_page(java_script_enabled=False)
    sign_in(page, demo)
    search = page.get_by_role("searchbox", name="Find a caller")
    search.fill(demo.phone)
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"/console/search\?q="))
    page.locator(".candidates a.candidate-name").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.name)
    shoot(page, "customer-without-javascript")


def test_a_narrow_screen(new_page, demo):
    page = new_page(viewport={"width": 390, "height": 844})
    sign_in(page, demo)
    page.get_by_role("searchbox", name="Find a caller").fill(demo.gone.split()[-1])

    expect(page.locator(".candidate").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing should scroll sideways on a phone"
    look(page, "search-narrow")
