"""A customer's log-in sees and changes only that customer's own data: any other customer's
record is simply not there (404), whatever the query, filter or field selection."""

import pytest

from tests.auth.helpers import bearer, headers_for, login, make_customer, make_user
from tests.conftest import CUSTOMER_API, PARLEY_API, PARTY_API


@pytest.fixture
def two_customers(client, session, settings):
    mine, theirs = make_customer(session, settings), make_customer(session, settings)
    user = make_user(session, settings, "customer", kind="customer", customer_id=mine.id)
    return mine, theirs, bearer(login(client, user.user.username)["access_token"])


def test_a_customer_reads_its_own_record(client, two_customers):
    mine, _, headers = two_customers
    response = client.get(f"{CUSTOMER_API}/customer/{mine.id}", headers=headers)
    assert response.status_code == 200
    assert response.json()["id"] == mine.id


def test_another_customer_is_not_found(client, two_customers):
    _, theirs, headers = two_customers
    for params in ({}, {"fields": "name"}, {"fields": "engagedParty,status"}):
        response = client.get(
            f"{CUSTOMER_API}/customer/{theirs.id}", headers=headers, params=params
        )
        assert response.status_code == 404, params
        assert theirs.name not in response.text


@pytest.mark.parametrize(
    "params",
    [{}, {"fields": "name"}, {"status": "active"}, {"limit": "1000"}, {"offset": "1"}],
)
def test_listing_shows_only_the_own_customer(client, two_customers, params):
    mine, theirs, headers = two_customers
    response = client.get(f"{CUSTOMER_API}/customer", headers=headers, params=params)
    assert response.status_code == 200
    ids = [c["id"] for c in response.json()]
    assert theirs.id not in ids
    assert ids == ([] if params.get("offset") else [mine.id])
    assert response.headers["X-Total-Count"] == "1"


def test_filtering_into_another_customer_finds_nothing(client, two_customers):
    _, theirs, headers = two_customers
    for params in (
        {"id": theirs.id},
        {"name": theirs.name},
        {"customerNumber": theirs.customer_number},
        {"engagedParty.id": theirs.party_id},
        {"href": f"http://testserver{CUSTOMER_API}/customer/{theirs.id}"},
    ):
        response = client.get(f"{CUSTOMER_API}/customer", headers=headers, params=params)
        assert response.status_code == 200
        assert response.json() == [], params
        assert response.headers["X-Total-Count"] == "0"


def test_a_customer_sees_its_own_party_but_not_another(client, two_customers):
    mine, theirs, headers = two_customers
    own = client.get(f"{PARTY_API}/individual/{mine.party_id}", headers=headers)
    other = client.get(f"{PARTY_API}/individual/{theirs.party_id}", headers=headers)
    listed = client.get(f"{PARTY_API}/individual", headers=headers)
    assert own.status_code == 200
    assert other.status_code == 404
    assert [p["id"] for p in listed.json()] == [mine.party_id]


def test_a_customer_cannot_change_or_delete_any_record(client, session, settings, two_customers):
    mine, theirs, headers = two_customers
    for customer in (mine, theirs):
        patch = client.patch(
            f"{CUSTOMER_API}/customer/{customer.id}", headers=headers, json={"name": "Changed"}
        )
        delete = client.delete(f"{CUSTOMER_API}/customer/{customer.id}", headers=headers)
        assert (patch.status_code, delete.status_code) == (403, 403)
    admin = headers_for(client, session, settings, "administrator")
    stored = client.get(f"{CUSTOMER_API}/customer/{theirs.id}", headers=admin).json()
    assert stored["name"] == theirs.name


def test_a_customer_manages_its_own_security_only(client, session, settings, two_customers):
    mine, theirs, headers = two_customers
    body = {"pin": "4711"}
    own = client.put(f"{PARLEY_API}/customers/{mine.id}/security", headers=headers, json=body)
    other = client.put(f"{PARLEY_API}/customers/{theirs.id}/security", headers=headers, json=body)
    assert own.status_code == 200 and own.json()["hasPin"] is True
    assert other.status_code == 404
    admin = headers_for(client, session, settings, "administrator")
    staff_view = client.get(f"{PARLEY_API}/customers/{theirs.id}/security", headers=admin).json()
    assert staff_view["hasPin"] is False


def test_notes_and_identification_are_for_staff(client, two_customers):
    mine, _, headers = two_customers
    assert client.get(f"{PARLEY_API}/customers/{mine.id}/notes", headers=headers).status_code == 403
    assert (
        client.get(f"{PARLEY_API}/identify", headers=headers, params={"q": "x"}).status_code == 403
    )
