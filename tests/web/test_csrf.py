"""Every request that changes something carries its page's CSRF token; one that does not is
refused with a readable page, and nothing changes."""

from tests.auth.helpers import PASSWORD
from tests.web.conftest import CONSOLE, csrf_in, main_text, sign_in


def _still_signed_in(browser) -> bool:
    return browser.get(f"{CONSOLE}/").status_code == 200


def test_a_form_posted_without_its_token_is_refused_and_changes_nothing(signed_in):
    response = signed_in.post(f"{CONSOLE}/sign-out", data={})

    assert response.status_code == 403
    assert "This form has expired" in main_text(response.text)
    assert response.headers["content-type"].startswith("text/html")
    assert _still_signed_in(signed_in)


def test_another_sessions_token_is_refused(new_browser, agent, users):
    other = new_browser()
    sign_in(other, users.make("agent").user.username)
    foreign = csrf_in(other.get(f"{CONSOLE}/").text)
    browser = new_browser()
    sign_in(browser, agent.user.username)

    response = browser.post(f"{CONSOLE}/sign-out", data={"csrf_token": foreign})

    assert response.status_code == 403 and _still_signed_in(browser)


def test_each_session_has_its_own_token(new_browser, agent):
    tokens = set()
    for _ in range(2):
        browser = new_browser()
        sign_in(browser, agent.user.username)
        tokens.add(csrf_in(browser.get(f"{CONSOLE}/").text))
    assert len(tokens) == 2


def test_htmx_sends_the_token_in_a_header(signed_in):
    token = csrf_in(signed_in.get(f"{CONSOLE}/").text)
    assert f'<meta name="csrf-token" content="{token}">' in signed_in.get(f"{CONSOLE}/").text

    response = signed_in.post(
        f"{CONSOLE}/language",
        data={"language": "de", "next": "/"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )

    assert response.status_code == 303


def test_the_sign_in_form_is_protected_too(browser, agent):
    page = browser.get(f"{CONSOLE}/sign-in")
    form = {"csrf_token": csrf_in(page.text), "username": agent.user.username}

    forged = browser.post(f"{CONSOLE}/sign-in", data={**form, "csrf_token": "forged"})
    browser.cookies.clear()  # the browser's secret, which the form's token was made from
    no_cookie = browser.post(f"{CONSOLE}/sign-in", data={**form, "password": PASSWORD})

    assert forged.status_code == 403 and no_cookie.status_code == 403
    assert not _still_signed_in(browser)


def test_a_request_the_browser_marks_as_cross_site_is_refused_even_with_a_token(signed_in):
    token = csrf_in(signed_in.get(f"{CONSOLE}/").text)

    response = signed_in.post(
        f"{CONSOLE}/sign-out", data={"csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"}
    )

    assert response.status_code == 403 and _still_signed_in(signed_in)


def test_a_form_larger_than_any_form_is_refused(signed_in):
    token = csrf_in(signed_in.get(f"{CONSOLE}/").text)

    response = signed_in.post(
        f"{CONSOLE}/language", data={"csrf_token": token, "language": "x" * 70_000}
    )

    assert response.status_code == 413
    assert "Too much at once" in main_text(response.text)
