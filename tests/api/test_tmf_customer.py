"""TMF629 Customer Management v5 through HTTP: customers, their numbers, status and contacts."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from parley.db.base import new_id, utcnow
from parley.parties.models import Customer, CustomerContact
from tests.conftest import CUSTOMER_API, PARLEY_API, PARTY_API
from tests.factories import (
    assert_tmf_error,
    create_customer,
    create_individual,
    create_organization,
    customer_number,
    customer_payload,
    total_count,
)

CUSTOMERS = f"{CUSTOMER_API}/customer"


def _luhn_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def _numbers(customer: dict) -> list[str]:
    return [c["value"] for c in customer["characteristic"] if c["name"] == "customerNumber"]


def _get(client, customer: dict) -> dict:
    response = client.get(f"{CUSTOMERS}/{customer['id']}")
    assert response.status_code == 200, response.text
    return response.json()


# -- create ----------------------------------------------------------------------------


def test_create_customer_of_an_individual(client):
    person = create_individual(client)

    response = client.post(CUSTOMERS, json=customer_payload(person, name="Anna Schmidt"))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["href"] == f"http://testserver{CUSTOMERS}/{body['id']}"
    assert response.headers["Location"] == body["href"]
    assert body["@type"] == "Customer"
    assert body["name"] == "Anna Schmidt"
    assert body["status"] == "active"
    assert body["engagedParty"]["id"] == person["id"]
    assert body["engagedParty"]["@referredType"] == "Individual"
    assert _get(client, body) == body


def test_create_customer_of_an_organisation(client):
    company = create_organization(client, name="Nordwind Logistik GmbH")

    body = create_customer(client, company)

    assert body["engagedParty"]["id"] == company["id"]
    assert body["engagedParty"]["@referredType"] == "Organization"
    assert body["name"] == "Nordwind Logistik GmbH"


def test_customer_number_is_ten_luhn_valid_digits_and_unique(client):
    customers = [create_customer(client) for _ in range(6)]

    numbers = [customer_number(c) for c in customers]
    for customer, number in zip(customers, numbers, strict=True):
        assert _numbers(customer) == [number]
        assert len(number) == 10 and number.isdigit()
        assert _luhn_valid(number), number
        assert _numbers(_get(client, customer)) == [number]
    assert len(set(numbers)) == len(numbers)


def test_client_cannot_choose_the_customer_number(client):
    person = create_individual(client)
    chosen = {
        "@type": "StringCharacteristic",
        "name": "customerNumber",
        "valueType": "string",
        "value": "1234567897",
    }
    segment = {
        "@type": "StringCharacteristic",
        "name": "segment",
        "valueType": "string",
        "value": "gold",
    }

    body = create_customer(client, person, characteristic=[chosen, segment])

    assert _numbers(body) != ["1234567897"]
    assert len(_numbers(body)) == 1 and _luhn_valid(_numbers(body)[0])
    assert segment in body["characteristic"]
    assert total_count(client, CUSTOMERS, customerNumber="1234567897") == 0


@pytest.mark.parametrize(
    "characteristic",
    [
        [{"@type": "StringCharacteristic", "name": "customerNumber", "value": "1234567897"}],
        [{"name": "customerNumber", "value": "1234567897"}],
        None,
    ],
    ids=["typed", "untyped", "removed"],
)
def test_patch_cannot_change_or_remove_the_customer_number(client, characteristic):
    customer = create_customer(client)
    number = customer_number(customer)

    response = client.patch(
        f"{CUSTOMERS}/{customer['id']}", json={"characteristic": characteristic}
    )

    assert response.status_code == 200, response.text
    assert _numbers(response.json()) == [number]
    assert _numbers(_get(client, customer)) == [number]


def test_patch_keeps_the_customer_number_beside_other_characteristics(client):
    customer = create_customer(client)
    segment = {"@type": "StringCharacteristic", "name": "segment", "value": "gold"}

    patched = client.patch(
        f"{CUSTOMERS}/{customer['id']}", json={"characteristic": [segment], "description": "VIP"}
    ).json()

    assert patched["description"] == "VIP"
    assert _numbers(patched) == [customer_number(customer)]
    assert any(c.get("value") == "gold" for c in patched["characteristic"])


def test_customer_answer_sent_back_as_a_patch_is_accepted(client):
    customer = create_customer(
        client, contactMedium=[{"@type": "PhoneContactMedium", "phoneNumber": "0171 2345678"}]
    )
    echoed = {k: v for k, v in customer.items() if k not in ("id", "href")}

    response = client.patch(f"{CUSTOMERS}/{customer['id']}", json=echoed)

    assert response.status_code == 200, response.text
    assert response.json() == customer
    assert customer["contactMedium"][0]["phoneNumber"] == "+491712345678"


# -- status lifecycle --------------------------------------------------------------------

ALLOWED_WALK = [
    "active",
    "suspended",
    "active",
    "disconnected",
    "active",
    "suspended",
    "disconnected",
    "closed",
]


def test_customer_walks_its_lifecycle_from_prospective_to_closed(client):
    customer = create_customer(client, status="prospective")

    for status in ALLOWED_WALK:
        response = client.patch(f"{CUSTOMERS}/{customer['id']}", json={"status": status})
        assert response.status_code == 200, (status, response.text)
        assert _get(client, customer)["status"] == status


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("active", "prospective"),
        ("suspended", "prospective"),
        ("prospective", "suspended"),
        ("prospective", "disconnected"),
        ("disconnected", "suspended"),
        ("closed", "active"),
        ("closed", "disconnected"),
        ("closed", "prospective"),
    ],
)
def test_forbidden_status_transition_is_a_conflict_and_changes_nothing(client, current, target):
    customer = create_customer(client, status=current)

    response = client.patch(
        f"{CUSTOMERS}/{customer['id']}", json={"status": target, "description": "changed"}
    )

    assert_tmf_error(response, 409, current, target)
    assert _get(client, customer) == customer


@pytest.mark.parametrize("status", ["gold", "Active", "", "deleted"])
def test_unknown_status_is_refused_on_create_and_patch(client, status):
    person = create_individual(client)
    assert_tmf_error(
        client.post(CUSTOMERS, json=customer_payload(person, status=status)), 400, "status"
    )
    assert total_count(client, CUSTOMERS) == 0

    customer = create_customer(client, person)
    assert_tmf_error(
        client.patch(f"{CUSTOMERS}/{customer['id']}", json={"status": status}), 400, "status"
    )
    assert _get(client, customer) == customer


def test_disconnected_customer_keeps_its_record_and_stays_findable(client):
    customer = create_customer(client)
    number = customer_number(customer)

    client.patch(f"{CUSTOMERS}/{customer['id']}", json={"status": "disconnected"})

    stored = _get(client, customer)
    assert stored["status"] == "disconnected"
    assert _numbers(stored) == [number]
    assert stored["engagedParty"] == customer["engagedParty"]
    found = client.get(CUSTOMERS, params={"customerNumber": number}).json()
    assert [c["id"] for c in found] == [customer["id"]]
    assert total_count(client, CUSTOMERS, status="disconnected") == 1


# -- contacts ----------------------------------------------------------------------------


def _contact(party: dict, role: str) -> dict:
    return {"role": role, "partyOrPartyRole": {"id": party["id"], "@referredType": party["@type"]}}


def test_customer_has_one_primary_contact_and_others(client, session):
    company = create_organization(client)
    primary, billing, technical = (create_individual(client) for _ in range(3))

    customer = create_customer(
        client,
        company,
        relatedParty=[
            _contact(primary, "primaryContact"),
            _contact(billing, "billingContact"),
            _contact(technical, "technicalContact"),
        ],
    )

    roles = {r["partyOrPartyRole"]["id"]: r["role"] for r in customer["relatedParty"]}
    assert roles == {
        primary["id"]: "primaryContact",
        billing["id"]: "billingContact",
        technical["id"]: "technicalContact",
    }
    rows = session.scalars(
        select(CustomerContact).where(CustomerContact.customer_id == customer["id"])
    ).all()
    assert {(r.party_id, r.is_primary) for r in rows} == {
        (primary["id"], True),
        (billing["id"], False),
        (technical["id"], False),
    }


def test_a_second_primary_contact_is_refused(client):
    company = create_organization(client)
    first, second = create_individual(client), create_individual(client)

    response = client.post(
        CUSTOMERS,
        json=customer_payload(
            company,
            relatedParty=[_contact(first, "primaryContact"), _contact(second, "primaryContact")],
        ),
    )

    assert_tmf_error(response, 400, "relatedParty", "primaryContact")
    assert total_count(client, CUSTOMERS) == 0


def test_adding_a_second_primary_contact_by_patch_is_refused(client):
    company = create_organization(client)
    first, second = create_individual(client), create_individual(client)
    customer = create_customer(client, company, relatedParty=[_contact(first, "primaryContact")])

    response = client.patch(
        f"{CUSTOMERS}/{customer['id']}",
        json={
            "relatedParty": [_contact(first, "primaryContact"), _contact(second, "primaryContact")]
        },
    )

    assert_tmf_error(response, 400, "relatedParty")
    assert _get(client, customer) == customer


def test_the_primary_contact_can_be_replaced(client, session):
    company = create_organization(client)
    first, second = create_individual(client), create_individual(client)
    customer = create_customer(client, company, relatedParty=[_contact(first, "primaryContact")])

    response = client.patch(
        f"{CUSTOMERS}/{customer['id']}",
        json={
            "relatedParty": [_contact(first, "formerContact"), _contact(second, "primaryContact")]
        },
    )

    assert response.status_code == 200, response.text
    primary = session.scalars(
        select(CustomerContact.party_id).where(
            CustomerContact.customer_id == customer["id"], CustomerContact.is_primary
        )
    ).all()
    assert primary == [second["id"]]


def test_unknown_contact_party_is_refused_naming_the_field(client):
    company = create_organization(client)
    known = create_individual(client)
    ghost = {"id": new_id(), "@type": "Individual"}

    response = client.post(
        CUSTOMERS,
        json=customer_payload(
            company,
            relatedParty=[_contact(known, "billingContact"), _contact(ghost, "primaryContact")],
        ),
    )

    assert_tmf_error(response, 400, "relatedParty[1].partyOrPartyRole.id", ghost["id"])
    assert total_count(client, CUSTOMERS) == 0


def test_unknown_engaged_party_is_refused_naming_the_field(client):
    ghost = new_id()

    response = client.post(CUSTOMERS, json={"name": "Nobody", "engagedParty": {"id": ghost}})

    assert_tmf_error(response, 400, "engagedParty.id", ghost)
    assert total_count(client, CUSTOMERS) == 0
    assert total_count(client, f"{PARTY_API}/individual") == 0
    assert total_count(client, f"{PARTY_API}/organization") == 0


# -- delete ------------------------------------------------------------------------------


def test_customer_without_history_can_be_deleted(client):
    customer = create_customer(client)

    assert client.delete(f"{CUSTOMERS}/{customer['id']}").status_code == 204

    assert_tmf_error(client.get(f"{CUSTOMERS}/{customer['id']}"), 404, customer["id"])
    assert_tmf_error(client.delete(f"{CUSTOMERS}/{customer['id']}"), 404)
    assert total_count(client, CUSTOMERS) == 0


def test_customer_with_notes_cannot_be_deleted(client):
    customer = create_customer(client)
    note = client.post(
        f"{PARLEY_API}/customers/{customer['id']}/notes",
        json={"text": "Asked about roaming charges"},
    )
    assert note.status_code == 201, note.text

    assert_tmf_error(client.delete(f"{CUSTOMERS}/{customer['id']}"), 409)

    assert _get(client, customer) == customer
    notes = client.get(f"{PARLEY_API}/customers/{customer['id']}/notes").json()
    assert [n["text"] for n in notes] == ["Asked about roaming charges"]


# -- bad input ---------------------------------------------------------------------------

_BACKWARDS = {"startDateTime": "2025-01-01T00:00:00Z", "endDateTime": "2024-01-01T00:00:00Z"}
_PHONE = {"@type": "PhoneContactMedium", "phoneNumber": "+491712345678"}
# change(person, company) -> payload changes; the field the error must name
BAD_CUSTOMERS = {
    "missing engaged party": (lambda p, c: {"engagedParty": None}, "engagedParty"),
    "missing name": (lambda p, c: {"name": None}, "name"),
    "blank name": (lambda p, c: {"name": "   "}, "name"),
    "name not a string": (lambda p, c: {"name": 5}, "name"),
    "name longer than stored": (lambda p, c: {"name": "N" * 301}, "name"),
    "engaged party not an object": (lambda p, c: {"engagedParty": p["id"]}, "engagedParty"),
    "engaged party without id": (
        lambda p, c: {"engagedParty": {"@referredType": "Individual"}},
        "engagedParty.id",
    ),
    "unknown engaged party": (lambda p, c: {"engagedParty": {"id": new_id()}}, "engagedParty.id"),
    "engaged party of another kind": (
        lambda p, c: {"engagedParty": {"id": p["id"], "@referredType": "Organization"}},
        "engagedParty.@referredType",
    ),
    "unknown field in engaged party": (
        lambda p, c: {"engagedParty": {"id": p["id"], "nickname": "A"}},
        "engagedParty.nickname",
    ),
    "unknown top-level field": (lambda p, c: {"loyaltyTier": "gold"}, "loyaltyTier"),
    "unknown field in a contact medium": (
        lambda p, c: {"contactMedium": [{**_PHONE, "extension": "1"}]},
        "contactMedium[0].extension",
    ),
    "invalid phone": (
        lambda p, c: {"contactMedium": [{**_PHONE, "phoneNumber": "0000"}]},
        "contactMedium[0].phoneNumber",
    ),
    "invalid email": (
        lambda p, c: {"contactMedium": [{"@type": "EmailContactMedium", "emailAddress": "a@b"}]},
        "contactMedium[0].emailAddress",
    ),
    "unknown status": (lambda p, c: {"status": "gold"}, "status"),
    "status not a string": (lambda p, c: {"status": 1}, "status"),
    "validity not a date-time": (
        lambda p, c: {"validFor": {"startDateTime": "soon"}},
        "validFor.startDateTime",
    ),
    "validity ending before it starts": (lambda p, c: {"validFor": _BACKWARDS}, "validFor"),
    "type of another resource": (lambda p, c: {"@type": "Individual"}, "@type"),
    "characteristic not an array": (lambda p, c: {"characteristic": "gold"}, "characteristic"),
    "contact without role": (
        lambda p, c: {"relatedParty": [{"partyOrPartyRole": {"id": c["id"]}}]},
        "relatedParty[0].role",
    ),
    "contact role longer than stored": (
        lambda p, c: {"relatedParty": [_contact(c, "r" * 65)]},
        "relatedParty[0].role",
    ),
    "unknown contact": (
        lambda p, c: {
            "relatedParty": [{"role": "billingContact", "partyOrPartyRole": {"id": new_id()}}]
        },
        "relatedParty[0].partyOrPartyRole.id",
    ),
    "two primary contacts": (
        lambda p, c: {
            "relatedParty": [_contact(p, "primaryContact"), _contact(c, "primaryContact")]
        },
        "relatedParty",
    ),
    "account id longer than stored": (lambda p, c: {"account": [{"id": "A" * 121}]}, "account[0]"),
}
# A merge patch of {"engagedParty": {...}} keeps the stored id, so this one is create-only.
BAD_PATCHES = {k: v for k, v in BAD_CUSTOMERS.items() if k != "engaged party without id"}


@pytest.mark.parametrize(("change", "field"), BAD_CUSTOMERS.values(), ids=BAD_CUSTOMERS)
def test_bad_customer_is_refused_naming_the_field_and_nothing_is_written(client, change, field):
    person, company = create_individual(client), create_organization(client)
    payload = customer_payload(person, **change(person, company))

    response = client.post(CUSTOMERS, json={k: v for k, v in payload.items() if v is not None})

    assert_tmf_error(response, 400, field)
    assert total_count(client, CUSTOMERS) == 0
    assert total_count(client, f"{PARTY_API}/individual") == 1
    assert total_count(client, f"{PARTY_API}/organization") == 1


@pytest.mark.parametrize(("change", "field"), BAD_PATCHES.values(), ids=BAD_PATCHES)
def test_bad_customer_patch_is_refused_naming_the_field_and_changes_nothing(client, change, field):
    person, company = create_individual(client), create_organization(client)
    customer = create_customer(client, person)

    response = client.patch(f"{CUSTOMERS}/{customer['id']}", json=change(person, company))

    assert_tmf_error(response, 400, field)
    assert _get(client, customer) == customer


# -- the database guards the mandatory details too ------------------------------------------


@pytest.mark.parametrize(
    "columns",
    [
        {"status": "gold"},
        {"status": None},
        {"name": None},
        {"customer_number": "12"},
    ],
    ids=["unknown status", "null status", "null name", "short customer number"],
)
def test_the_database_refuses_a_customer_without_its_mandatory_details(client, session, columns):
    person = create_individual(client)
    values = {
        "id": new_id(),
        "customer_number": "7992739871",
        "party_id": person["id"],
        "status": "active",
        "name": "Anna",
        "document": {},
        "created_at": utcnow(),
        "updated_at": utcnow(),
        "status_changed_at": utcnow(),
    }

    session.add(Customer(**{**values, **columns}))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()

    session.add(Customer(**values))
    session.flush()  # the same customer with its details complete is accepted
    session.rollback()
