"""Administering users in the console through the TestClient: create a staff user, grant and
revoke roles, disable and enable, set a new password; wrong input beside the field, a stale
form refused; all through UserService (audited), and only for administrators."""

import re
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from parley.auth.models import User
from parley.changes.models import AuditEntry
from parley.web.forms import FORM
from tests.auth.helpers import PASSWORD
from tests.web.conftest import CONSOLE, csrf_in, main_text, sign_in
from tests.web.helpers import error_beside

NEW_PASSWORD = "Plum-Harbour-2031!"


@pytest.fixture
def admin(new_browser, users):
    made = users.make("administrator", username="alex.admin")
    browser = new_browser()
    assert sign_in(browser, made.user.username).status_code == 303
    return browser


def _post(browser, path: str, page: str, data: dict | list):
    html = browser.get(f"{CONSOLE}{page}").text
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    stamp = re.search(r'name="updated" value="([^"]+)"', html)
    if stamp and not any(k == "updated" for k, _ in pairs):
        pairs.append(("updated", stamp.group(1)))
    body = urlencode([("csrf_token", csrf_in(html)), *pairs])
    return browser.post(f"{CONSOLE}{path}", content=body, headers={"content-type": FORM})


def _user(session, username: str) -> SimpleNamespace | None:
    """The user as stored now (plain values, read in a transaction of its own)."""
    session.rollback()
    query = select(User).where(User.username == username)
    row = session.scalar(query.execution_options(populate_existing=True))
    found = row and SimpleNamespace(id=row.id, disabled=row.disabled)
    session.rollback()
    return found


def test_an_administrator_creates_a_user_who_can_sign_in(admin, users, session, new_browser):
    made = _post(
        admin,
        "/admin/users",
        "/admin/users/new",
        [
            ("username", "Lea.Fischer"),
            ("display_name", "Lea Fischer"),
            ("password", NEW_PASSWORD),
            ("role", "agent"),
            ("role", "supervisor"),
        ],
    )

    assert made.status_code == 303, main_text(made.text)[:600]
    page = main_text(admin.get(made.headers["location"]).text)
    assert "The user is created" in page and "Lea Fischer lea.fischer Active" in page
    assert "Roles Agent, Supervisor" in page
    browser = new_browser()
    assert sign_in(browser, "lea.fischer", NEW_PASSWORD).status_code == 303


def test_wrong_input_is_said_beside_the_field(admin, session):
    nothing = _post(admin, "/admin/users", "/admin/users/new", {"username": "", "password": ""})
    weak = _post(
        admin,
        "/admin/users",
        "/admin/users/new",
        [("username", "ben"), ("password", "aaaaaaaaaaaaaaaa"), ("role", "agent")],
    )
    taken = _post(
        admin,
        "/admin/users",
        "/admin/users/new",
        [("username", "alex.admin"), ("password", NEW_PASSWORD), ("role", "agent")],
    )
    unknown = _post(
        admin,
        "/admin/users",
        "/admin/users/new",
        [("username", "ben"), ("password", NEW_PASSWORD), ("role", "wizard")],
    )

    assert {r.status_code for r in (nothing, weak, taken, unknown)} == {422}
    assert error_beside(nothing.text, "user-username") == "Required."
    assert "Give at least one role." in nothing.text
    assert "too easy to guess" in error_beside(weak.text, "user-password")
    assert NEW_PASSWORD not in taken.text and "aaaaaaaaaaaaaaaa" not in weak.text
    assert "exists already" in main_text(taken.text)
    assert "no role wizard" in main_text(unknown.text)
    assert _user(session, "ben") is None


def test_roles_granted_and_revoked_disable_enable_and_a_new_password(
    admin, users, session, new_browser
):
    kim = users.make("agent", username="kim.agent")
    page = f"/admin/users/{kim.user.id}"

    granted = _post(admin, f"{page}/roles", page, [("role", "agent"), ("role", "supervisor")])
    assert granted.status_code == 303
    assert "Roles Agent, Supervisor" in main_text(admin.get(granted.headers["location"]).text)
    revoked = _post(admin, f"{page}/roles", page, [("role", "supervisor")])
    assert revoked.status_code == 303
    assert "Roles Supervisor" in main_text(admin.get(f"{CONSOLE}{page}").text)

    elsewhere = new_browser()
    assert sign_in(elsewhere, "kim.agent").status_code == 303
    assert _post(admin, f"{page}/disable", page, {}).status_code == 303
    assert _user(session, "kim.agent").disabled
    assert elsewhere.get(f"{CONSOLE}/").status_code == 303  # signed out at once
    assert _post(admin, f"{page}/enable", page, {}).status_code == 303
    assert not _user(session, "kim.agent").disabled

    weak = _post(admin, f"{page}/password", page, {"password": "kim.agent-1234"})
    assert weak.status_code == 422
    assert "must not contain the username" in error_beside(weak.text, "user-password-password")
    assert _post(admin, f"{page}/password", page, {"password": NEW_PASSWORD}).status_code == 303
    assert sign_in(new_browser(), "kim.agent", PASSWORD).status_code == 422
    assert sign_in(new_browser(), "kim.agent", NEW_PASSWORD).status_code == 303
    actions = set(
        session.scalars(select(AuditEntry.action).where(AuditEntry.resource_id == kim.user.id))
    )
    session.rollback()
    assert {"permission_change", "update"} <= actions or len(actions) >= 2


def test_a_stale_form_and_the_last_administrator(admin, users, session):
    kim = users.make("agent", username="kim.agent")
    page = f"/admin/users/{kim.user.id}"
    stale = _post(admin, f"{page}/roles", page, [("role", "supervisor"), ("updated", "2020-01-01")])
    assert stale.status_code == 422
    assert "Someone else changed this" in main_text(stale.text)
    page_words = main_text(admin.get(f"{CONSOLE}{page}").text)
    assert "Roles Agent Last" in page_words

    me = _user(session, "alex.admin")
    own = f"/admin/users/{me.id}"
    assert "This is you" in main_text(admin.get(f"{CONSOLE}{own}").text)
    demoted = _post(admin, f"{own}/roles", own, [("role", "agent")])
    assert demoted.status_code == 422  # the only administrator stays one
    assert "administrator" in main_text(demoted.text).lower()


def test_only_administrators_reach_it(signed_in, agent):
    for path in ("/admin/users", "/admin/users/new", f"/admin/users/{agent.user.id}"):
        assert signed_in.get(f"{CONSOLE}{path}").status_code == 403
    token = csrf_in(signed_in.get(f"{CONSOLE}/").text)
    posted = signed_in.post(
        f"{CONSOLE}/admin/users/{agent.user.id}/roles",
        data={"csrf_token": token, "role": "administrator"},
    )
    assert posted.status_code == 403


def _extension(session, username: str) -> str | None:
    session.rollback()
    query = select(User.extension).where(User.username == username)
    found = session.scalar(query.execution_options(populate_existing=True))
    session.rollback()
    return found


def test_a_staff_users_extension_on_creation_and_on_their_page(admin, users, session):
    users.make("agent", username="kim.agent")
    kim_page = f"/admin/users/{_user(session, 'kim.agent').id}"
    assert _post(admin, f"{kim_page}/extension", kim_page, {"extension": "101"}).status_code == 303

    made = _post(
        admin,
        "/admin/users",
        "/admin/users/new",
        [("username", "lea"), ("password", NEW_PASSWORD), ("role", "agent"), ("extension", "102")],
    )
    assert made.status_code == 303, main_text(made.text)[:600]
    assert "Extension 102" in main_text(admin.get(made.headers["location"]).text)
    assert _extension(session, "lea") == "102"

    lea_page = made.headers["location"].removeprefix(CONSOLE).split("?")[0]
    changed = _post(admin, f"{lea_page}/extension", lea_page, {"extension": "2040"})
    assert changed.status_code == 303
    assert "The extension is saved" in main_text(admin.get(changed.headers["location"]).text)
    assert _extension(session, "lea") == "2040"

    letters = _post(admin, f"{lea_page}/extension", lea_page, {"extension": "12a"})
    taken = _post(admin, f"{lea_page}/extension", lea_page, {"extension": "101"})
    assert (letters.status_code, taken.status_code) == (422, 422)
    said = "2 to 10 digits, or leave it empty."
    assert error_beside(letters.text, "user-extension-extension") == said
    taken_said = error_beside(taken.text, "user-extension-extension")
    assert taken_said == "Another active user has this extension."
    assert _extension(session, "lea") == "2040"  # nothing changed

    clash = _post(
        admin,
        "/admin/users",
        "/admin/users/new",
        [("username", "ben"), ("password", NEW_PASSWORD), ("role", "agent"), ("extension", "101")],
    )
    assert clash.status_code == 422
    assert error_beside(clash.text, "user-extension") == "Another active user has this extension."
    assert _user(session, "ben") is None

    removed = _post(admin, f"{lea_page}/extension", lea_page, {"extension": ""})
    assert removed.status_code == 303 and _extension(session, "lea") is None
