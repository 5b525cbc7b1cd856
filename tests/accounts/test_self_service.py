"""A customer logged in for self-service creates billing accounts for its own customer only, and
changes their contacts, nothing else; another customer's accounts are not there for it."""

import pytest
from sqlalchemy import func, select

from parley.parties.models import BillingAccount
from tests.accounts.helpers import ADDRESS, API, account_payload, contact, create_account
from tests.auth.helpers import bearer, login, make_user
from tests.factories import assert_tmf_error, create_customer, create_individual

URL = f"{API}/billingAccount"


@pytest.fixture
def two(client, session, settings):
    """(my person, my customer, their customer, their account, my headers)."""
    mine_person = create_individual(client)
    mine = create_customer(client, mine_person)
    theirs_person = create_individual(client)
    theirs = create_customer(client, theirs_person)
    their_account = create_account(client, theirs["id"], theirs_person)
    user = make_user(session, settings, "customer", kind="customer", customer_id=mine["id"])
    headers = bearer(login(client, user.user.username)["access_token"])
    return mine_person, mine, theirs, their_account, headers


def _count(session) -> int:
    count = session.scalar(select(func.count()).select_from(BillingAccount))
    session.rollback()
    return count


def test_a_customer_creates_its_own_account(client, two):
    person, mine, _, _, headers = two
    response = client.post(URL, json=account_payload(mine["id"], person), headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["creditLimit"]["value"] == 0
    listed = client.get(URL, headers=headers).json()
    assert [a["id"] for a in listed] == [response.json()["id"]]


def test_a_customer_cannot_create_an_account_for_another(client, session, two):
    person, _, theirs, _, headers = two
    response = client.post(URL, json=account_payload(theirs["id"], person), headers=headers)
    assert_tmf_error(response, 403, "own")
    assert _count(session) == 1


def test_a_customer_cannot_name_another_persons_party_as_contact(client, session, two):
    _, mine, _, their_account, headers = two
    stranger = create_individual(client)
    payload = account_payload(mine["id"], stranger)
    assert_tmf_error(client.post(URL, json=payload, headers=headers), 400, stranger["id"])
    assert _count(session) == 1


def test_a_customer_cannot_set_its_own_credit_limit_or_state(client, session, two):
    person, mine, _, _, headers = two
    for extra in ({"creditLimit": {"unit": "EUR", "value": 10000}}, {"state": "suspended"}):
        payload = account_payload(mine["id"], person, **extra)
        assert_tmf_error(client.post(URL, json=payload, headers=headers), 403)
    assert _count(session) == 1


def test_a_customer_edits_the_contacts_of_its_account_and_nothing_else(client, two):
    person, mine, _, _, headers = two
    created = client.post(URL, json=account_payload(mine["id"], person), headers=headers).json()
    url = f"{URL}/{created['id']}"
    contacts = [
        contact(person, contactMedium=[dict(ADDRESS)]),
        contact(role="technical", contactName="Neighbour Jo"),
    ]

    changed = client.patch(url, json={"contact": contacts}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert [c["contactType"] for c in changed.json()["contact"]] == ["primary", "technical"]
    for forbidden in (
        {"creditLimit": {"unit": "EUR", "value": 500}},
        {"state": "closed"},
        {"defaultPaymentMethod": {"id": "pm-2", "@referredType": "BankCard"}},
    ):
        assert_tmf_error(client.patch(url, json=forbidden, headers=headers), 403)
    assert_tmf_error(client.delete(url, headers=headers), 403)


def test_another_customers_account_is_not_found(client, two):
    _, _, _, their_account, headers = two
    url = f"{URL}/{their_account['id']}"
    assert client.get(url, headers=headers).status_code == 404
    assert client.patch(url, json={"contact": []}, headers=headers).status_code == 404
    assert client.get(URL, params={"id": their_account["id"]}, headers=headers).json() == []
