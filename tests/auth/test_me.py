"""GET /api/v1/me: who the token stands for, with roles, permissions and limits now."""

from parley.auth.permissions import CATALOGUE
from tests.auth.helpers import bearer, client_login, login, make_customer, make_user
from tests.conftest import PARLEY_API
from tests.factories import assert_tmf_error

ME = f"{PARLEY_API}/me"


def test_me_shows_a_supervisor_their_roles_permissions_and_limits(client, session, settings):
    user = make_user(session, settings, "supervisor", username="sam").user

    response = client.get(ME, headers=bearer(login(client, "sam")["access_token"]))

    assert response.status_code == 200, response.text
    me = response.json()
    assert me["id"] == user.id and me["username"] == "sam" and me["kind"] == "staff"
    assert me["displayName"] == "sam" and me["roles"] == ["supervisor"]
    assert "request:approve" in me["permissions"] and "user:admin" not in me["permissions"]
    assert me["limits"] == {"adjustmentLimit": 1000.0, "currency": "EUR"}
    assert me["customerId"] is None and me["tokenExpiresAt"]


def test_an_administrator_holds_every_permission_of_the_catalogue(client, session, settings):
    make_user(session, settings, "administrator", username="root")

    me = client.get(ME, headers=bearer(login(client, "root")["access_token"])).json()

    assert set(me["permissions"]) == set(CATALOGUE)


def test_me_shows_a_customer_log_in_the_customer_it_acts_for(client, session, settings):
    customer = make_customer(session, settings)
    make_user(
        session, settings, "customer", username="anna", kind="customer", customer_id=customer.id
    )

    me = client.get(ME, headers=bearer(login(client, "anna")["access_token"])).json()

    assert me["kind"] == "customer" and me["customerId"] == customer.id
    assert me["roles"] == ["customer"] and me["limits"] == {}


def test_me_shows_a_client_its_client_id(client, session, settings):
    made = make_user(session, settings, "integration", username="crm", kind="client")

    token = client_login(client, "crm", made.client_secret)["access_token"]
    me = client.get(ME, headers=bearer(token)).json()

    assert me["kind"] == "client" and me["clientId"] == "crm"


def test_me_without_a_token_is_401(client):
    assert_tmf_error(client.get(ME), 401)
