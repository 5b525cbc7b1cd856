"""Signing in to the console: server-side sessions with safe cookies, a new id at every
sign-in, and revocation, time-outs and role changes that apply at the next request."""

import hashlib

from sqlalchemy import select

from parley.auth.models import WebSession
from parley.changes.models import AuditEntry
from tests.auth.helpers import PASSWORD, make_customer
from tests.web.conftest import CONSOLE, csrf_in, post_form, sign_in


def _cookie_header(response) -> str:
    return next(v for k, v in response.headers.multi_items() if "parley_session=" in v)


def _session_cookie(browser) -> str:
    return browser.cookies.get("parley_session", path="/console")


def _is_signed_in(browser) -> bool:
    return browser.get(f"{CONSOLE}/").status_code == 200


def test_signing_in_starts_a_server_side_session_with_a_safe_cookie(browser, agent, session):
    response = sign_in(browser, agent.user.username)

    assert response.status_code == 303 and response.headers["location"] == "/console/"
    cookie = _cookie_header(response).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/console" in cookie
    assert "secure" not in cookie  # plain HTTP here: a Secure cookie would never come back
    token = _session_cookie(browser)
    stored = session.scalars(select(WebSession).where(WebSession.user_id == agent.user.id)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.channel == "console" and stored.ended_at is None
    home = browser.get(f"{CONSOLE}/")
    assert home.status_code == 200 and "kim.agent" in home.text


def test_over_https_the_cookie_is_secure_and_browsers_are_told_to_stay_on_https(new_browser, agent):
    browser = new_browser(base_url="https://testserver")

    response = sign_in(browser, agent.user.username)

    assert "secure" in _cookie_header(response).lower()
    assert "max-age=" in browser.get(f"{CONSOLE}/").headers["strict-transport-security"]


def test_each_sign_in_gets_a_new_session_id_and_ends_the_one_before(new_browser, agent):
    browser = new_browser()
    sign_in(browser, agent.user.username)
    first = _session_cookie(browser)

    # The same browser signs in again (another tab's form, or switching user).
    post_form(browser, "/sign-in", {"username": agent.user.username, "password": PASSWORD})

    assert _session_cookie(browser) != first
    replay = new_browser(cookies={"parley_session": first})
    assert replay.get(f"{CONSOLE}/").status_code == 303  # the old id is worth nothing


def test_a_session_id_planted_before_sign_in_is_never_taken_on(new_browser, agent, session):
    planted = "attacker-chosen-session-id-0123456789abcdefghij"
    browser = new_browser(cookies={"parley_session": planted})

    sign_in(browser, agent.user.username)

    assert _session_cookie(browser) != planted
    hashes = session.scalars(select(WebSession.token_hash)).all()
    assert hashlib.sha256(planted.encode()).hexdigest() not in hashes


def test_signing_out_ends_the_session_at_once_and_is_audited(new_browser, signed_in, session):
    token = _session_cookie(signed_in)

    response = post_form(signed_in, "/sign-out", {})

    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?signed-out"
    assert "You have signed out." in signed_in.get(response.headers["location"]).text
    replay = new_browser(cookies={"parley_session": token})
    assert replay.get(f"{CONSOLE}/").status_code == 303
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.channel == "console").order_by(AuditEntry.at)
    ).all()
    assert actions == ["login", "logout"]


def test_disabling_a_user_ends_their_session_at_the_next_request(signed_in, agent, users):
    users.service().update_user(agent.user.id, disabled=True)
    users.commit()

    assert not _is_signed_in(signed_in)


def test_a_new_password_ends_the_users_sessions(signed_in, agent, users):
    users.service().set_password(agent.user.id, "Another-Good-Passphrase-7")
    users.commit()

    assert not _is_signed_in(signed_in)


def test_a_role_granted_or_taken_applies_at_the_next_request(signed_in, agent, users):
    users.make("administrator")  # someone else still manages users when the agent stops
    assert signed_in.get(f"{CONSOLE}/admin/users").status_code == 403

    users.service().update_user(agent.user.id, roles=["agent", "administrator"])
    users.commit()
    assert signed_in.get(f"{CONSOLE}/admin/users").status_code == 200

    users.service().update_user(agent.user.id, roles=["agent"])
    users.commit()
    assert signed_in.get(f"{CONSOLE}/admin/users").status_code == 403


def test_a_session_ends_after_the_idle_time_out(signed_in, clock, settings):
    idle = settings.web_idle_minutes

    clock.advance(minutes=idle - 5)
    assert _is_signed_in(signed_in)  # a request: the idle time starts again
    clock.advance(minutes=idle - 5)
    assert _is_signed_in(signed_in)
    clock.advance(minutes=idle + 1)

    response = signed_in.get(f"{CONSOLE}/search?q=anna")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?next=/search%3Fq%3Danna"


def test_a_session_ends_at_its_lifetime_however_busy(signed_in, clock, settings):
    for _ in range(settings.web_session_hours * 3 - 1):
        clock.advance(minutes=20)
        assert _is_signed_in(signed_in)

    clock.advance(minutes=21)
    assert not _is_signed_in(signed_in)


def test_a_page_asked_for_by_htmx_after_the_session_ended_sends_the_browser_to_sign_in(browser):
    response = browser.get(f"{CONSOLE}/search?q=anna", headers={"HX-Request": "true"})

    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/console/sign-in?next=/"


def test_after_signing_in_the_agent_goes_back_to_the_page_asked_for(browser, agent):
    asked = browser.get(f"{CONSOLE}/search?q=anna").headers["location"]
    page = browser.get(asked)
    form = {"csrf_token": csrf_in(page.text), "username": agent.user.username}
    next_field = 'name="next" value="/search?q=anna"'
    assert next_field in page.text

    response = browser.post(
        f"{CONSOLE}/sign-in", data={**form, "password": PASSWORD, "next": "/search?q=anna"}
    )

    assert response.headers["location"] == "/console/search?q=anna"


def test_sign_in_never_sends_the_browser_to_another_site(new_browser, agent):
    for target in ("//evil.example/x", "https://evil.example/", "\\\\evil.example"):
        response = sign_in(new_browser(), agent.user.username, next=target)
        assert response.headers["location"] == "/console/", target


def test_a_wrong_password_is_said_beside_the_password_field(browser, agent, session):
    response = sign_in(browser, agent.user.username, "not-the-password")

    assert response.status_code == 422
    assert 'aria-describedby="password-error"' in response.text
    assert 'id="password-error" class="field-error">The username or password is not right.' in (
        response.text
    )
    assert 'value="kim.agent"' in response.text  # kept, so only the password is typed again
    failed = session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")).one()
    assert (failed.channel, failed.after["reason"]) == ("console", "wrong secret")


def test_empty_fields_are_named_and_nothing_is_tried(browser, session):
    response = sign_in(browser, "", "")

    assert response.status_code == 422
    assert "Enter your username." in response.text and "Enter your password." in response.text
    assert session.scalars(select(AuditEntry).where(AuditEntry.channel == "console")).all() == []


def test_repeated_failures_lock_the_account_as_the_api_does(browser, agent, settings):
    for _ in range(settings.login_max_failures):
        sign_in(browser, agent.user.username, "not-the-password")

    response = sign_in(browser, agent.user.username)  # the right password, too late

    assert response.status_code == 422
    assert "Too many failed attempts: this account is locked until" in response.text


def test_customer_log_ins_and_clients_cannot_sign_in_to_the_console(
    browser, users, session, settings
):
    customer = users.make(
        "customer", kind="customer", customer_id=make_customer(session, settings).id
    )
    client = users.make("integration", kind="client")

    for username, secret in ((customer.user.username, PASSWORD), (client.user.username, "x")):
        response = sign_in(browser, username, secret)
        assert response.status_code == 422
        assert "The username or password is not right." in response.text


def test_a_nul_in_the_sign_in_form_is_a_wrong_username_not_an_error(browser, agent):
    response = sign_in(browser, "kim\x00.agent", "x\x00y")

    assert response.status_code == 422
