"""/api/v1/users: provisioning users from elsewhere (an identity system, a PBX handing out
extensions) with the console's rules, audited, for administrators only."""

import pytest

from parley.changes.models import AuditEntry
from tests.auth.helpers import PASSWORD, headers_for
from tests.factories import assert_tmf_error

USERS = "/api/v1/users"


@pytest.fixture
def admin(client, session, settings) -> dict:
    return headers_for(client, session, settings, "administrator")


def _create(client, admin, **body) -> dict:
    response = client.post(USERS, json={"password": PASSWORD, **body}, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


def test_an_agent_is_created_with_an_extension_listed_and_changed(client, admin, session):
    kim = _create(client, admin, username="kim.berger", roles=["agent"], extension="101")
    assert kim["kind"] == "staff" and kim["roles"] == ["agent"] and kim["extension"] == "101"
    assert "password" not in kim and "secretHash" not in kim

    listed = client.get(USERS, params={"kind": "staff"}, headers=admin)
    assert listed.status_code == 200
    assert "kim.berger" in [u["username"] for u in listed.json()]
    assert int(listed.headers["X-Total-Count"]) >= 2  # kim and the administrator

    changed = client.patch(
        f"{USERS}/{kim['id']}",
        json={
            "extension": "2040",
            "displayName": "Kim Berger",
            "roles": ["supervisor"],
            "email": "kim@example.org",
        },
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["extension"] == "2040" and changed.json()["roles"] == ["supervisor"]
    assert changed.json()["email"] == "kim@example.org"
    assert client.get(f"{USERS}/{kim['id']}", headers=admin).json()["displayName"] == "Kim Berger"
    audited = session.query(AuditEntry).filter_by(resource_type="user", resource_id=kim["id"]).all()
    assert {entry.action for entry in audited} >= {"create", "permission_change"}


def test_an_integration_clients_secret_is_shown_once(client, admin):
    bridge = client.post(
        USERS,
        json={"username": "pbx-bridge", "kind": "client", "roles": ["integration"]},
        headers=admin,
    )
    assert bridge.status_code == 201, bridge.text
    assert len(bridge.json()["clientSecret"]) >= 32
    again = client.get(f"{USERS}/{bridge.json()['id']}", headers=admin).json()
    assert "clientSecret" not in again


def test_refusals_say_why_and_change_nothing(client, admin):
    kim = _create(client, admin, username="kim.berger", roles=["agent"], extension="101")
    count = int(client.get(USERS, headers=admin).headers["X-Total-Count"])

    taken = client.post(
        USERS,
        json={"username": "lea", "roles": ["agent"], "password": PASSWORD, "extension": "101"},
        headers=admin,
    )
    assert_tmf_error(taken, 409, "101")
    assert_tmf_error(
        client.post(
            USERS, json={"username": "lea", "roles": ["agent"], "password": "short"}, headers=admin
        ),
        400,
        "password",
    )
    assert_tmf_error(
        client.post(
            USERS, json={"username": "lea", "roles": ["pope"], "password": PASSWORD}, headers=admin
        ),
        400,
        "pope",
    )
    assert_tmf_error(
        client.patch(f"{USERS}/{kim['id']}", json={"extension": "1x"}, headers=admin),
        400,
        "extension",
    )
    assert_tmf_error(
        client.patch(f"{USERS}/{kim['id']}", json={"colour": "red"}, headers=admin), 400
    )
    assert_tmf_error(client.get(f"{USERS}/no-such-user", headers=admin), 404)
    assert int(client.get(USERS, headers=admin).headers["X-Total-Count"]) == count
    assert client.get(f"{USERS}/{kim['id']}", headers=admin).json()["extension"] == "101"
