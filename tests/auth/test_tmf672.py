"""TMF672 v4 through the API: userRole = a role, permission = one user's holding of one role."""

import pytest
from sqlalchemy import event

from parley.auth.audit import AuditFilter, AuditTrail
from parley.auth.permissions import BUILTIN_ROLES
from tests.auth.helpers import bearer, headers_for, login, make_user

API = "/tmf-api/userRolesAndPermissions/v4"


@pytest.fixture
def admin(client, session, settings) -> dict:
    return headers_for(client, session, settings, "administrator")


def _entitlements(*permissions: str) -> list[dict]:
    return [
        {"function": p.split(":")[0], "action": p.split(":")[1], "@type": "Entitlement"}
        for p in permissions
    ]


def _grant_body(user_id: str, role_id: str) -> dict:
    return {
        "user": {"id": user_id, "@referredType": "User"},
        "assetUserRole": [{"manageableAsset": {"id": "parley"}, "userRole": {"id": role_id}}],
        "validFor": {"startDateTime": "2026-01-01T00:00:00Z"},
    }


def _audit(session, **filters):
    session.expire_all()
    return AuditTrail(session).query(AuditFilter(**filters))[0]


def _assert_error(response, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["@type"] == "Error" and body["status"] == str(status)


def test_built_in_roles_are_listed_with_their_entitlements(client, admin):
    response = client.get(f"{API}/userRole", headers=admin)
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == str(len(BUILTIN_ROLES))
    by_name = {role["involvementRole"]: role for role in response.json()}
    for spec in BUILTIN_ROLES:
        role = by_name[spec.name]
        assert role["@type"] == "UserRole"
        assert role["href"] == f"http://testserver{API}/userRole/{role['id']}"
        granted = {f"{e['function']}:{e['action']}" for e in role["entitlement"]}
        assert granted == set(spec.permissions)

    one = client.get(f"{API}/userRole", params={"involvementRole": "agent"}, headers=admin)
    assert [r["involvementRole"] for r in one.json()] == ["agent"]
    assert one.headers["X-Result-Count"] == "1"
    page = client.get(f"{API}/userRole", params={"limit": 2, "fields": "id"}, headers=admin)
    assert len(page.json()) == 2 and "entitlement" not in page.json()[0]
    agent = by_name["agent"]
    got = client.get(f"{API}/userRole/{agent['id']}", headers=admin)
    assert got.status_code == 200 and got.json() == agent


def test_a_custom_role_is_created_patched_and_deleted(client, admin, session):
    body = {"involvementRole": "auditor", "entitlement": _entitlements("audit:read")}
    created = client.post(f"{API}/userRole", json=body, headers=admin)
    assert created.status_code == 201, created.text
    role = created.json()
    assert created.headers["Location"] == role["href"]
    assert role["entitlement"] == _entitlements("audit:read")

    patch = {"involvementRole": "reviewer", "entitlement": _entitlements("note:read", "audit:read")}
    patched = client.patch(f"{API}/userRole/{role['id']}", json=patch, headers=admin)
    assert patched.status_code == 200, patched.text
    assert patched.json()["involvementRole"] == "reviewer"
    assert {e["function"] for e in patched.json()["entitlement"]} == {"audit", "note"}

    assert client.delete(f"{API}/userRole/{role['id']}", headers=admin).status_code == 204
    _assert_error(client.get(f"{API}/userRole/{role['id']}", headers=admin), 404)
    actions = [e.action for e in _audit(session, resource_type="role", resource_id=role["id"])]
    assert sorted(actions) == ["create", "delete", "permission_change"]


def _role_count(client, admin) -> int:
    return int(client.get(f"{API}/userRole", headers=admin).headers["X-Total-Count"])


def test_refusals_write_nothing(client, admin, session, settings):
    before = _role_count(client, admin)
    unknown = {"involvementRole": "x-role", "entitlement": _entitlements("note:read", "moon:land")}
    response = client.post(f"{API}/userRole", json=unknown, headers=admin)
    _assert_error(response, 400)
    assert (
        "entitlement[1]" in response.json()["message"] and "moon:land" in response.json()["message"]
    )
    bad = {"involvementRole": "x-role", "entitlement": "all", "colour": "red"}
    response = client.post(f"{API}/userRole", json=bad, headers=admin)
    _assert_error(response, 400)
    assert "colour: unknown property" in response.json()["message"]
    nameless = client.post(f"{API}/userRole", json={"entitlement": []}, headers=admin)
    _assert_error(nameless, 400)
    assert _role_count(client, admin) == before

    roles = {r["involvementRole"]: r for r in client.get(f"{API}/userRole", headers=admin).json()}
    agent = roles["agent"]
    _assert_error(client.delete(f"{API}/userRole/{agent['id']}", headers=admin), 409)
    renamed = client.patch(
        f"{API}/userRole/{agent['id']}", json={"involvementRole": "csr"}, headers=admin
    )
    _assert_error(renamed, 409)

    body = {"involvementRole": "helper", "entitlement": _entitlements("note:read")}
    helper = client.post(f"{API}/userRole", json=body, headers=admin).json()
    make_user(session, settings, "agent", "helper")
    _assert_error(client.delete(f"{API}/userRole/{helper['id']}", headers=admin), 409)
    assert client.get(f"{API}/userRole/{helper['id']}", headers=admin).status_code == 200
    assert [e.action for e in _audit(session, resource_type="role")] == ["create"]


def test_a_grant_takes_effect_on_the_next_request_and_a_revoke_too(
    client, admin, session, settings
):
    kim = make_user(session, settings, "agent", username="agent.kim").user
    token = bearer(login(client, "agent.kim")["access_token"])
    assert client.get("/api/v1/audit", headers=token).status_code == 403
    roles = {r["involvementRole"]: r for r in client.get(f"{API}/userRole", headers=admin).json()}

    granted = client.post(
        f"{API}/permission", json=_grant_body(kim.id, roles["administrator"]["id"]), headers=admin
    )
    assert granted.status_code == 201, granted.text
    permission = granted.json()
    assert permission["user"]["id"] == kim.id and permission["user"]["name"] == "agent.kim"
    assert permission["assetUserRole"][0]["userRole"]["id"] == roles["administrator"]["id"]
    assert permission["validFor"]["startDateTime"]
    assert permission["granter"]["@referredType"] == "User"
    assert client.get("/api/v1/audit", headers=token).status_code == 200  # same token

    mine = client.get(f"{API}/permission", params={"user.id": kim.id}, headers=admin)
    assert mine.headers["X-Total-Count"] == "2"
    assert permission["id"] in {p["id"] for p in mine.json()}
    got = client.get(f"{API}/permission/{permission['id']}", headers=admin)
    assert got.json() == permission
    patched = client.patch(f"{API}/permission/{permission['id']}", json={}, headers=admin)
    _assert_error(patched, 405)
    assert patched.headers["Allow"] == "DELETE, GET"  # what is served there, both routes

    assert client.delete(f"{API}/permission/{permission['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/audit", headers=token).status_code == 403
    _assert_error(client.get(f"{API}/permission/{permission['id']}", headers=admin), 404)
    changes = _audit(session, resource_type="user", resource_id=kim.id, action="permission_change")
    assert [(e.before["roles"], e.after["roles"]) for e in reversed(changes)] == [
        (["agent"], ["administrator", "agent"]),
        (["administrator", "agent"], ["agent"]),
    ]


def test_grants_are_checked(client, admin, session, settings):
    kim = make_user(session, settings, "agent").user
    roles = {r["involvementRole"]: r for r in client.get(f"{API}/userRole", headers=admin).json()}
    no_user = client.post(
        f"{API}/permission", json=_grant_body("nobody", roles["agent"]["id"]), headers=admin
    )
    _assert_error(no_user, 400)
    assert "user.id" in no_user.json()["message"]
    no_role = client.post(f"{API}/permission", json=_grant_body(kim.id, "nope"), headers=admin)
    _assert_error(no_role, 400)
    assert "assetUserRole[0].userRole.id" in no_role.json()["message"]
    held = client.post(
        f"{API}/permission", json=_grant_body(kim.id, roles["agent"]["id"]), headers=admin
    )
    _assert_error(held, 409)
    only = client.get(f"{API}/permission", params={"user.id": kim.id}, headers=admin).json()
    _assert_error(client.delete(f"{API}/permission/{only[0]['id']}", headers=admin), 409)
    assert (
        _audit(session, resource_type="user", resource_id=kim.id, action="permission_change") == []
    )


def test_only_administrators_may_use_it(client, session, settings):
    supervisor = headers_for(client, session, settings, "supervisor")
    for method, path in (("GET", "userRole"), ("GET", "permission"), ("POST", "userRole")):
        response = client.request(method, f"{API}/{path}", headers=supervisor, json={})
        _assert_error(response, 403)
    _assert_error(client.get(f"{API}/userRole"), 401)


def _statements_listing_permissions(client, admin, session, limit: int) -> int:
    """Statements a GET of a page of permissions sends (the caller's principal cached)."""
    client.get(f"{API}/permission", headers=admin)
    sent = []

    def count(*_):
        sent.append(1)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(f"{API}/permission", params={"limit": limit}, headers=admin)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(page.json()) == limit
    return len(sent)


def test_a_page_of_permissions_costs_the_same_statements_however_many_it_shows(
    client, admin, session, settings
):
    for _ in range(10):
        make_user(session, settings, "agent", "supervisor")
    one = _statements_listing_permissions(client, admin, session, 1)
    assert _statements_listing_permissions(client, admin, session, 20) == one
