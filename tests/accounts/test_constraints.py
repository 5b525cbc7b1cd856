"""The key information of a billing account is required by the database itself: a row written
past the service (a script, a bug, another system) without it is refused."""

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from parley.db.base import new_id, utcnow
from parley.parties.models import BillingAccount, BillingAccountContact
from tests.accounts.helpers import create_account
from tests.factories import create_customer, create_individual


@pytest.fixture
def complete(client):
    person = create_individual(client)
    customer = create_customer(client, person)
    now = utcnow()
    return {
        "id": new_id(),
        "customer_id": customer["id"],
        "contact_party_id": person["id"],
        "name": "Direct",
        "state": "active",
        "payment_method": "BankAccountDebit",
        "bill_delivery": "postal",
        "bill_delivery_email": None,
        "billing_street": "Hauptstr. 1",
        "billing_postcode": "10115",
        "billing_city": "Berlin",
        "billing_country": "DE",
        "credit_limit": 0,
        "currency": "EUR",
        "document": {},
        "created_at": now,
        "updated_at": now,
        "state_changed_at": now,
    }


def _insert(session, values) -> None:
    try:
        session.execute(insert(BillingAccount), values)
        session.flush()
    finally:
        session.rollback()


def test_a_complete_row_is_accepted(session, complete):
    session.execute(insert(BillingAccount), complete)
    session.commit()


@pytest.mark.parametrize(
    "column, value",
    [
        ("payment_method", None),
        ("payment_method", "Barter"),
        ("contact_party_id", None),
        ("billing_street", None),
        ("billing_street", ""),
        ("billing_city", ""),
        ("billing_postcode", None),
        ("billing_country", ""),
        ("customer_id", None),
        ("customer_id", "00000000-0000-4000-8000-000000000000"),
        ("contact_party_id", "00000000-0000-4000-8000-000000000000"),
        ("bill_delivery", "fax"),
        ("bill_delivery", "email"),  # without an address to send to
        ("state", "frozen"),
        ("credit_limit", -1),
        ("currency", "EU"),
        ("name", ""),
    ],
)
def test_missing_or_invalid_key_information_is_refused(session, complete, column, value):
    with pytest.raises(IntegrityError):
        _insert(session, {**complete, column: value})


def test_an_account_has_at_most_one_primary_contact(client, session):
    person = create_individual(client)
    account = create_account(
        client,
        create_customer(client, person)["id"],
        None,
        contact=[
            {
                "@type": "Contact",
                "contactType": "billing",
                "contactName": "Bills",
                "contactMedium": [
                    {
                        "@type": "GeographicAddressContactMedium",
                        "street1": "Am Markt 3",
                        "postCode": "04109",
                        "city": "Leipzig",
                        "country": "DE",
                    }
                ],
            }
        ],
    )
    second = {
        "account_id": account["id"],
        "party_id": person["id"],
        "role": "primary",
        "name": "Another primary",
        "is_primary": True,
    }
    with pytest.raises(IntegrityError):
        try:
            session.execute(insert(BillingAccountContact), second)
            session.flush()
        finally:
            session.rollback()
    with pytest.raises(IntegrityError):
        try:
            session.execute(
                insert(BillingAccountContact), {**second, "is_primary": False, "role": ""}
            )
            session.flush()
        finally:
            session.rollback()
