"""Protected routes: 401 without a valid token (expired, forged, revoked, of a disabled or
deleted user), 403 without the permission, both in the TMF error shape; permissions are read
from the current roles, so a change applies to tokens already issued."""

from datetime import timedelta

import jwt
import pytest
from fastapi import APIRouter

from parley.auth.permissions import CUSTOMER_READ, USER_ADMIN
from parley.auth.principal import Principal
from parley.auth.roles import RoleService
from parley.auth.tokens import issue_access_token
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.db.base import utcnow
from tests.auth.helpers import SYSTEM, bearer, login, make_user
from tests.factories import assert_tmf_error

READ = "/test-protected/customers"
ADMIN = "/test-protected/admin"


@pytest.fixture(autouse=True)
def protected_routes(app):
    """Routes of these tests, on the app (shared by the run) for the test's length only."""
    routes = list(app.router.routes)
    api = APIRouter(prefix="/test-protected")

    @api.get("/customers", dependencies=[require_read])
    def read_customers():
        return {"ok": True}

    @api.get("/admin")
    def admin_only(principal: Principal = require_admin):
        return {"user": principal.username, "limits": principal.limits}

    app.include_router(api)
    yield
    app.router.routes[:] = routes


from parley.api.security import require  # noqa: E402

require_read = require(CUSTOMER_READ)
require_admin = require(USER_ADMIN)


def unauthorized(response, *names: str) -> dict:
    body = assert_tmf_error(response, 401, *names)
    assert response.headers["www-authenticate"].startswith("Bearer")
    return body


def agent_token(client, session, settings, username: str = "kim") -> tuple[str, str]:
    user = make_user(session, settings, "agent", username=username).user
    return user.id, login(client, username)["access_token"]


def test_a_valid_token_with_the_permission_passes(client, session, settings):
    _, token = agent_token(client, session, settings)

    assert client.get(READ, headers=bearer(token)).json() == {"ok": True}


def test_no_token_is_401_with_a_bearer_challenge(client):
    response = client.get(READ)

    unauthorized(response, "Bearer access token")
    assert response.headers["www-authenticate"] == 'Bearer realm="parley"'


def test_a_token_without_the_permission_is_403(client, session, settings):
    _, token = agent_token(client, session, settings)

    body = assert_tmf_error(client.get(ADMIN, headers=bearer(token)), 403, USER_ADMIN, "agent")

    assert body["code"] == "FORBIDDEN"


def test_an_expired_token_is_401(client, session, settings):
    user = make_user(session, settings, "agent", username="kim").user
    old = issue_access_token(
        settings,
        user_id=user.id,
        username="kim",
        kind="staff",
        roles=["agent"],
        permissions=[CUSTOMER_READ],
        now=utcnow() - timedelta(minutes=20),
    )

    response = client.get(READ, headers=bearer(old.token))

    unauthorized(response, "expired")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_forged_and_unsigned_tokens_are_401(client, session, settings):
    _, token = agent_token(client, session, settings)
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["roles"] = ["administrator"]

    forged = jwt.encode(claims, "a-key-an-attacker-chose-" + "x" * 20, algorithm="HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")

    unauthorized(client.get(READ, headers=bearer(forged)), "signature")
    unauthorized(client.get(READ, headers=bearer(unsigned)), "HS256")
    unauthorized(client.get(READ, headers={"Authorization": "Basic a2ltOmtpbQ=="}))


def test_the_token_of_a_disabled_user_is_refused_at_once(client, session, settings):
    user_id, token = agent_token(client, session, settings)
    UserService(UnitOfWork(session, settings, SYSTEM)).update_user(user_id, disabled=True)
    session.commit()

    unauthorized(client.get(READ, headers=bearer(token)), "disabled")


def test_the_token_of_a_deleted_user_is_refused(client, session, settings):
    user_id, token = agent_token(client, session, settings)
    UserService(UnitOfWork(session, settings, SYSTEM)).delete_user(user_id)
    session.commit()

    unauthorized(client.get(READ, headers=bearer(token)), "no longer exists")


def test_taking_a_permission_from_a_role_applies_to_live_tokens(client, session, settings):
    _, token = agent_token(client, session, settings)
    roles = RoleService(UnitOfWork(session, settings, SYSTEM))
    remaining = [p for p in roles.get_role("agent").permissions if p != CUSTOMER_READ]

    roles.update_role("agent", permissions=remaining)
    session.commit()

    assert_tmf_error(client.get(READ, headers=bearer(token)), 403, CUSTOMER_READ)


def test_giving_a_role_applies_to_live_tokens_with_its_limits(client, session, settings):
    user_id, token = agent_token(client, session, settings)
    assert client.get(ADMIN, headers=bearer(token)).status_code == 403

    UserService(UnitOfWork(session, settings, SYSTEM)).update_user(
        user_id, roles=["agent", "administrator"]
    )
    session.commit()

    response = client.get(ADMIN, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "user": "kim",
        "limits": {"adjustmentLimit": 1000.0, "currency": "EUR"},
    }


def test_require_refuses_a_permission_outside_the_catalogue():
    with pytest.raises(ValueError, match="catalogue"):
        require("customer:reed")
