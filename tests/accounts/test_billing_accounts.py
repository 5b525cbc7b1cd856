"""Billing accounts (TMF666): owner, contacts, billing address, delivery, payment, credit limit
and state, with the key information required by the service and by the database."""

import pytest
from sqlalchemy import func, select

from parley.parties.models import BillingAccount, BillingAccountContact
from tests.accounts.helpers import ADDRESS, API, account_payload, contact, create_account
from tests.factories import assert_tmf_error, create_customer, create_individual

URL = f"{API}/billingAccount"


@pytest.fixture
def owner(client):
    person = create_individual(client)
    return person, create_customer(client, person)


def _count(session, model=BillingAccount) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_an_account_is_created_with_its_key_information(client, session, owner):
    person, customer = owner
    account = create_account(client, customer["id"], person)

    assert account["@type"] == "BillingAccount"
    assert account["href"].endswith(f"/billingAccount/{account['id']}")
    assert account["state"] == "active"
    assert account["creditLimit"] == {"unit": "EUR", "value": 0}
    assert account["billStructure"]["presentationMedia"][0]["name"] == "email"
    assert "lastUpdate" in account
    assert client.get(f"{URL}/{account['id']}").json() == account
    row = session.get(BillingAccount, account["id"])
    assert (row.customer_id, row.contact_party_id) == (customer["id"], person["id"])
    assert (row.billing_city, row.billing_postcode, row.payment_method) == (
        "Hamburg",
        "20099",
        "BankAccountDebit",
    )
    assert row.bill_delivery_email == "bills@example.org"


def test_several_contacts_with_roles_and_one_primary(client, session, owner):
    person, customer = owner
    accountant = create_individual(client, givenName="Rita")
    contacts = [
        contact(person, contactMedium=[dict(ADDRESS)]),
        contact(accountant, role="accounting"),
        contact(role="technical", contactName="Front desk"),
    ]
    account = create_account(
        client,
        customer["id"],
        contact=contacts,
        billStructure={"presentationMedia": [{"@type": "BillPresentationMedia", "name": "paper"}]},
    )

    rows = session.scalars(
        select(BillingAccountContact).where(BillingAccountContact.account_id == account["id"])
    ).all()
    assert sorted((r.role, r.is_primary) for r in rows) == [
        ("accounting", False),
        ("primary", True),
        ("technical", False),
    ]
    assert session.get(BillingAccount, account["id"]).bill_delivery == "postal"


def test_without_a_primary_contact_the_customers_person_is_taken(client, owner):
    person, customer = owner
    # The person has no complete postal address: the account names one on another contact.
    account = create_account(
        client,
        customer["id"],
        contact=[contact(role="billing", contactName="Bills", contactMedium=[dict(ADDRESS)])],
    )
    primary = account["contact"][0]
    assert primary["contactType"] == "primary"
    assert primary["relatedParty"]["partyOrPartyRole"]["id"] == person["id"]


@pytest.mark.parametrize(
    "change, named",
    [
        ({"defaultPaymentMethod": None}, "defaultPaymentMethod"),
        (
            {"defaultPaymentMethod": {"id": "x", "@referredType": "Gold"}},
            "defaultPaymentMethod.@referredType",
        ),
        ({"name": "  "}, "name"),
        ({"relatedParty": []}, "relatedParty"),
        ({"creditLimit": {"unit": "EUR", "value": -5}}, "creditLimit.value"),
        ({"creditLimit": {"unit": "EURO", "value": 5}}, "creditLimit.unit"),
        ({"state": "frozen"}, "state"),
        (
            {
                "billStructure": {
                    "presentationMedia": [{"@type": "BillPresentationMedia", "name": "fax"}]
                }
            },
            "presentationMedia",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(client, session, owner, change, named):
    person, customer = owner
    payload = account_payload(customer["id"], person)
    for key, value in change.items():
        if value is None:
            payload.pop(key)
        else:
            payload[key] = value

    assert_tmf_error(client.post(URL, json=payload), 400, named)
    assert _count(session) == 0


def test_a_billing_address_is_required(client, session, owner):
    person, customer = owner  # the factory's person has a city but no street
    payload = account_payload(customer["id"], None, contact=[contact(person)])
    assert_tmf_error(client.post(URL, json=payload), 400, "billing address")
    assert _count(session) == 0


def test_an_unknown_owner_or_contact_party_is_a_bad_request(client, session, owner):
    person, customer = owner
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_tmf_error(client.post(URL, json=account_payload(unknown, person)), 400, unknown)
    ghost = {"id": unknown, "@type": "Individual"}
    assert_tmf_error(client.post(URL, json=account_payload(customer["id"], ghost)), 400, unknown)
    assert _count(session) == 0


def test_state_follows_its_lifecycle_and_a_closed_account_stays_closed(client, owner):
    person, customer = owner
    account = create_account(client, customer["id"], person)
    url = f"{URL}/{account['id']}"

    assert client.patch(url, json={"state": "suspended"}).json()["state"] == "suspended"
    assert client.patch(url, json={"state": "closed"}).json()["state"] == "closed"
    assert_tmf_error(client.patch(url, json={"state": "active"}), 409)
    assert_tmf_error(client.patch(url, json={"name": "Other"}), 409, "closed")


def test_only_a_closed_account_may_be_deleted(client, owner):
    person, customer = owner
    account = create_account(client, customer["id"], person)
    url = f"{URL}/{account['id']}"
    assert_tmf_error(client.delete(url), 409, "closed")
    client.patch(url, json={"state": "closed"})
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_the_owner_cannot_change(client, owner):
    person, customer = owner
    other = create_customer(client)
    account = create_account(client, customer["id"], person)
    moved = account_payload(other["id"])["relatedParty"]
    assert_tmf_error(client.patch(f"{URL}/{account['id']}", json={"relatedParty": moved}), 409)


def test_staff_set_the_credit_limit_and_list_by_owner(client, owner):
    person, customer = owner
    account = create_account(
        client, customer["id"], person, creditLimit={"unit": "eur", "value": 250.5}
    )
    assert account["creditLimit"] == {"unit": "EUR", "value": 250.5}
    create_account(
        client,
        create_customer(client)["id"],
        create_individual(client),
        contact=[contact(create_individual(client), contactMedium=[dict(ADDRESS)])],
    )

    listed = client.get(URL, params={"relatedParty.partyOrPartyRole.id": customer["id"]})
    assert [a["id"] for a in listed.json()] == [account["id"]]
    assert client.get(URL, params={"state": "active"}).headers["X-Total-Count"] == "2"


def test_every_write_is_audited(client, owner):
    person, customer = owner
    account = create_account(client, customer["id"], person)
    client.patch(f"{URL}/{account['id']}", json={"name": "Renamed"})
    params = {"resourceType": "billingAccount", "resourceId": account["id"]}
    actions = sorted(e["action"] for e in client.get("/api/v1/audit", params=params).json())
    assert actions == ["create", "update"]


@pytest.mark.parametrize(
    "name", ["partyAccount", "financialAccount", "settlementAccount", "billFormat"]
)
def test_the_collections_of_tmf666_not_served_answer_501(client, name):
    base = f"/tmf-api/accountManagement/v5/{name}"
    for method, path in (
        ("GET", base),
        ("POST", base),
        ("GET", f"{base}/1"),
        ("PATCH", f"{base}/1"),
        ("DELETE", f"{base}/1"),
    ):
        answer = client.request(method, path, json={} if method in ("POST", "PATCH") else None)
        assert answer.status_code == 501, (method, path, answer.text)
        body = answer.json()
        assert (body["code"], body["@type"]) == ("NOT_IMPLEMENTED", "Error")
        assert name in body["message"]
    assert client.get("/tmf-api/accountManagement/v5/nothingAccount").status_code == 404
