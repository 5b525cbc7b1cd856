"""TMF632 Party Management v5 through HTTP: individuals and organisations."""

import json

import pytest
from sqlalchemy.exc import IntegrityError

from parley.db.base import new_id, utcnow
from parley.parties.models import Party
from tests.conftest import CUSTOMER_API, PARTY_API
from tests.factories import (
    assert_tmf_error,
    create_customer,
    create_individual,
    create_organization,
    customer_payload,
    individual_payload,
    total_count,
)

INDIVIDUALS = f"{PARTY_API}/individual"
ORGANIZATIONS = f"{PARTY_API}/organization"
MERGE_PATCH = "application/merge-patch+json"


def _phone(document: dict) -> str:
    return next(
        m["phoneNumber"] for m in document["contactMedium"] if m["@type"] == "PhoneContactMedium"
    )


def _patch(client, path: str, body: dict, content_type: str = "application/json"):
    return client.patch(path, content=json.dumps(body), headers={"content-type": content_type})


# -- create ----------------------------------------------------------------------------


def test_create_individual_answers_201_with_server_made_id_and_absolute_href(client):
    response = client.post(INDIVIDUALS, json=individual_payload(givenName="Jana", familyName="Ott"))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] and len(body["id"]) == 36
    assert body["href"] == f"http://testserver{INDIVIDUALS}/{body['id']}"
    assert response.headers["Location"] == body["href"]
    assert body["@type"] == "Individual"
    assert (body["givenName"], body["familyName"]) == ("Jana", "Ott")
    assert body["status"] == "initialized"


def test_create_ignores_a_client_chosen_id_and_href(client):
    payload = individual_payload(id="my-own-id", href="http://elsewhere.example/x")

    body = client.post(INDIVIDUALS, json=payload).json()

    assert body["id"] != "my-own-id"
    assert body["href"].startswith(f"http://testserver{INDIVIDUALS}/")
    assert client.get(f"{INDIVIDUALS}/my-own-id").status_code == 404


def test_create_individual_without_type_gets_the_collection_type(client):
    payload = individual_payload()
    del payload["@type"]

    body = client.post(INDIVIDUALS, json=payload).json()

    assert body["@type"] == "Individual"
    assert all("@type" in medium for medium in body["contactMedium"])


@pytest.mark.parametrize("written", ["0171 2345678", "+49 171 2345678", "00491712345678"])
def test_phone_numbers_are_stored_in_e164_however_written(client, written):
    created = create_individual(
        client, contactMedium=[{"@type": "PhoneContactMedium", "phoneNumber": written}]
    )

    assert _phone(created) == "+491712345678"
    assert _phone(client.get(f"{INDIVIDUALS}/{created['id']}").json()) == "+491712345678"


def test_email_is_trimmed_and_its_domain_lower_cased(client):
    created = create_individual(
        client,
        contactMedium=[
            {"@type": "EmailContactMedium", "emailAddress": "  Jana.Ott@Example.ORG "},
        ],
    )

    stored = client.get(f"{INDIVIDUALS}/{created['id']}").json()
    assert stored["contactMedium"][0]["emailAddress"] == "Jana.Ott@example.org"


def test_create_organization_answers_201_with_location_and_type(client):
    response = client.post(
        ORGANIZATIONS,
        json={
            "name": "  Nordwind Logistik GmbH ",
            "isLegalEntity": True,
            "contactMedium": [{"@type": "PhoneContactMedium", "phoneNumber": "040 1234567"}],
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["href"] == f"http://testserver{ORGANIZATIONS}/{body['id']}"
    assert response.headers["Location"] == body["href"]
    assert body["@type"] == "Organization"
    assert body["name"] == "Nordwind Logistik GmbH"
    assert _phone(body) == "+49401234567"


# -- retrieve and list ------------------------------------------------------------------


def test_retrieve_answers_the_document_as_created(client):
    created = create_individual(client, middleName="Maria", birthDate="1980-04-12T00:00:00Z")

    response = client.get(f"{INDIVIDUALS}/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


def test_list_holds_only_its_own_kind(client):
    person = create_individual(client)
    company = create_organization(client)

    individuals = client.get(INDIVIDUALS).json()
    organizations = client.get(ORGANIZATIONS).json()

    assert [p["id"] for p in individuals] == [person["id"]]
    assert [o["id"] for o in organizations] == [company["id"]]
    assert individuals[0] == person
    assert client.get(f"{ORGANIZATIONS}/{person['id']}").status_code == 404
    assert client.get(f"{INDIVIDUALS}/{company['id']}").status_code == 404


# -- patch -----------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/json", MERGE_PATCH])
def test_patch_merges_into_the_stored_document(client, content_type):
    created = create_individual(client, givenName="Jana", middleName="Maria")

    response = _patch(
        client,
        f"{INDIVIDUALS}/{created['id']}",
        {"givenName": "Johanna", "gender": "female"},
        content_type,
    )

    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["givenName"] == "Johanna"
    assert patched["gender"] == "female"
    assert patched["middleName"] == "Maria"
    assert patched["familyName"] == created["familyName"]
    assert patched["contactMedium"] == created["contactMedium"]
    assert (patched["id"], patched["href"], patched["@type"]) == (
        created["id"],
        created["href"],
        "Individual",
    )
    assert client.get(created["href"].removeprefix("http://testserver")).json() == patched


@pytest.mark.parametrize("content_type", ["application/json", MERGE_PATCH])
def test_patch_with_null_removes_the_attribute(client, content_type):
    created = create_individual(client, middleName="Maria", nationality="DE")

    response = _patch(
        client,
        f"{INDIVIDUALS}/{created['id']}",
        {"middleName": None, "contactMedium": None},
        content_type,
    )

    assert response.status_code == 200, response.text
    stored = client.get(f"{INDIVIDUALS}/{created['id']}").json()
    assert "middleName" not in stored
    assert "contactMedium" not in stored
    assert stored["nationality"] == "DE"


def test_patch_replaces_arrays_whole_and_normalises_new_phone_numbers(client):
    created = create_individual(client)

    response = client.patch(
        f"{INDIVIDUALS}/{created['id']}",
        json={
            "contactMedium": [
                {"@type": "PhoneContactMedium", "phoneNumber": "0171 2345678"},
            ]
        },
    )

    assert response.status_code == 200, response.text
    assert response.json()["contactMedium"] == [
        {"@type": "PhoneContactMedium", "phoneNumber": "+491712345678"},
    ]


def test_patch_organization_name(client):
    company = create_organization(client)

    response = client.patch(f"{ORGANIZATIONS}/{company['id']}", json={"name": "Renamed AG"})

    assert response.status_code == 200, response.text
    assert client.get(f"{ORGANIZATIONS}/{company['id']}").json()["name"] == "Renamed AG"


def test_patch_accepts_its_own_answer_sent_back(client):
    created = create_individual(client)
    echoed = {k: v for k, v in created.items() if k not in ("id", "href")}

    response = client.patch(f"{INDIVIDUALS}/{created['id']}", json=echoed)

    assert response.status_code == 200, response.text
    assert response.json() == created


# -- delete ----------------------------------------------------------------------------


@pytest.mark.parametrize("collection", [INDIVIDUALS, ORGANIZATIONS])
def test_delete_answers_204_then_the_party_is_gone(client, collection):
    party = create_individual(client) if collection == INDIVIDUALS else create_organization(client)

    response = client.delete(f"{collection}/{party['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert_tmf_error(client.get(f"{collection}/{party['id']}"), 404, party["id"])
    assert_tmf_error(client.delete(f"{collection}/{party['id']}"), 404)
    assert total_count(client, collection) == 0


def test_deleting_the_engaged_party_of_a_customer_is_refused_and_changes_nothing(client):
    person = create_individual(client)
    customer = create_customer(client, person)

    assert_tmf_error(client.delete(f"{INDIVIDUALS}/{person['id']}"), 409, person["id"])

    assert client.get(f"{INDIVIDUALS}/{person['id']}").json() == person
    assert client.get(f"{CUSTOMER_API}/customer/{customer['id']}").json() == customer


def test_deleting_a_contact_of_a_customer_is_refused(client):
    company = create_organization(client)
    contact = create_individual(client)
    create_customer(
        client,
        company,
        relatedParty=[
            {"role": "primaryContact", "partyOrPartyRole": {"id": contact["id"]}},
        ],
    )

    assert_tmf_error(client.delete(f"{INDIVIDUALS}/{contact['id']}"), 409)
    assert_tmf_error(client.delete(f"{ORGANIZATIONS}/{company['id']}"), 409)
    assert total_count(client, INDIVIDUALS) == 1
    assert total_count(client, ORGANIZATIONS) == 1


def test_a_party_can_be_deleted_once_its_customer_is_gone(client):
    person = create_individual(client)
    customer = client.post(f"{CUSTOMER_API}/customer", json=customer_payload(person)).json()

    assert client.delete(f"{CUSTOMER_API}/customer/{customer['id']}").status_code == 204
    assert client.delete(f"{INDIVIDUALS}/{person['id']}").status_code == 204


# -- bad input ---------------------------------------------------------------------------

_PHONE = {"@type": "PhoneContactMedium", "phoneNumber": "+491712345678"}
_VALID_FOR_BACKWARDS = {
    "startDateTime": "2025-01-01T00:00:00Z",
    "endDateTime": "2024-01-01T00:00:00Z",
}
BAD_INDIVIDUALS = {
    "given name not a string": ({"givenName": 42}, "givenName"),
    "family name a list": ({"familyName": ["Ott"]}, "familyName"),
    "contact media not an array": ({"contactMedium": "+491712345678"}, "contactMedium"),
    "unknown top-level field": ({"shoeSize": 42}, "shoeSize"),
    "unknown field in a contact medium": (
        {"contactMedium": [{**_PHONE, "extension": "12"}]},
        "contactMedium[0].extension",
    ),
    "preferred not a boolean": (
        {"contactMedium": [{**_PHONE, "preferred": "yes"}]},
        "contactMedium[0].preferred",
    ),
    "phone number too short": (
        {"contactMedium": [{**_PHONE, "phoneNumber": "12345"}]},
        "contactMedium[0].phoneNumber",
    ),
    "phone number in words": (
        {"contactMedium": [{**_PHONE, "phoneNumber": "call me"}]},
        "contactMedium[0].phoneNumber",
    ),
    "phone medium without a number": (
        {"contactMedium": [{"@type": "PhoneContactMedium"}]},
        "contactMedium[0].phoneNumber",
    ),
    "email without domain": (
        {"contactMedium": [{"@type": "EmailContactMedium", "emailAddress": "anna@"}]},
        "contactMedium[0].emailAddress",
    ),
    "email without @": (
        {"contactMedium": [{"@type": "EmailContactMedium", "emailAddress": "anna.example.org"}]},
        "contactMedium[0].emailAddress",
    ),
    "missing given name": ({"givenName": None}, "givenName"),
    "missing family name": ({"familyName": None}, "familyName"),
    "blank given name": ({"givenName": "   "}, "givenName"),
    "empty family name": ({"familyName": ""}, "familyName"),
    "blank formatted name": ({"formattedName": " "}, "formattedName"),
    "unknown status": ({"status": "retired"}, "status"),
    "birth date not a date-time": ({"birthDate": "12.04.1980"}, "birthDate"),
    "validity ending before it starts": (
        {"contactMedium": [{**_PHONE, "validFor": _VALID_FOR_BACKWARDS}]},
        "contactMedium[0].validFor",
    ),
    "validity without time zone": (
        {"contactMedium": [{**_PHONE, "validFor": {"startDateTime": "2024-01-01T00:00:00"}}]},
        "contactMedium[0].validFor.startDateTime",
    ),
    "type of another resource": ({"@type": "Organization"}, "@type"),
    "type of a customer": ({"@type": "Customer"}, "@type"),
    "given name longer than stored": ({"givenName": "A" * 151}, "givenName"),
    "city longer than stored": (
        {"contactMedium": [{"@type": "GeographicAddressContactMedium", "city": "C" * 151}]},
        "contactMedium[0].city",
    ),
    "identification id longer than stored": (
        {
            "individualIdentification": [
                {"identificationId": "X" * 321, "identificationType": "passport"}
            ]
        },
        "individualIdentification[0].identificationId",
    ),
}


def _without_nulls(payload: dict) -> dict:
    return {k: v for k, v in payload.items() if v is not None}


@pytest.mark.parametrize(("change", "field"), BAD_INDIVIDUALS.values(), ids=BAD_INDIVIDUALS)
def test_bad_individual_is_refused_naming_the_field_and_nothing_is_written(client, change, field):
    payload = _without_nulls(individual_payload(**change))

    assert_tmf_error(client.post(INDIVIDUALS, json=payload), 400, field)

    assert total_count(client, INDIVIDUALS) == 0


@pytest.mark.parametrize(("change", "field"), BAD_INDIVIDUALS.values(), ids=BAD_INDIVIDUALS)
def test_bad_patch_is_refused_naming_the_field_and_the_document_is_unchanged(client, change, field):
    created = create_individual(client)

    response = client.patch(f"{INDIVIDUALS}/{created['id']}", json=change)

    assert_tmf_error(response, 400, field)
    assert client.get(f"{INDIVIDUALS}/{created['id']}").json() == created


@pytest.mark.parametrize("read_only", ["id", "href"])
def test_patch_cannot_change_id_or_href(client, read_only):
    created = create_individual(client)

    response = client.patch(f"{INDIVIDUALS}/{created['id']}", json={read_only: "other"})

    assert_tmf_error(response, 400, read_only)
    assert client.get(f"{INDIVIDUALS}/{created['id']}").json() == created


BAD_ORGANIZATIONS = {
    "missing name": ({}, "name"),
    "blank name": ({"name": "  "}, "name"),
    "name not a string": ({"name": 7}, "name"),
    "unknown field": ({"name": "Acme", "ceo": "X"}, "ceo"),
    "legal entity flag not a boolean": ({"name": "Acme", "isLegalEntity": "yes"}, "isLegalEntity"),
    "existence not a date-time": (
        {"name": "Acme", "existsDuring": {"startDateTime": "1999"}},
        "existsDuring.startDateTime",
    ),
    "existence ending before it starts": (
        {"name": "Acme", "existsDuring": _VALID_FOR_BACKWARDS},
        "existsDuring",
    ),
    "type of another resource": ({"@type": "Individual", "name": "Acme"}, "@type"),
    "name longer than stored": ({"name": "N" * 301}, "name"),
    "external reference longer than stored": (
        {"name": "Acme", "externalReference": [{"id": "E" * 400, "owner": "crm"}]},
        "externalReference[0]",
    ),
    "invalid email": (
        {"name": "Acme", "contactMedium": [{"@type": "EmailContactMedium", "emailAddress": "@"}]},
        "contactMedium[0].emailAddress",
    ),
}


@pytest.mark.parametrize(("payload", "field"), BAD_ORGANIZATIONS.values(), ids=BAD_ORGANIZATIONS)
def test_bad_organization_is_refused_naming_the_field_and_nothing_is_written(
    client, payload, field
):
    assert_tmf_error(client.post(ORGANIZATIONS, json=payload), 400, field)

    assert total_count(client, ORGANIZATIONS) == 0


# -- the database guards the mandatory details too ------------------------------------------


def _party(**columns) -> Party:
    values = {
        "id": new_id(),
        "kind": "Individual",
        "status": "initialized",
        "display_name": "Jana Ott",
        "search_text": "jana ott",
        "document": {},
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }
    values.update(columns)
    return Party(**values)


@pytest.mark.parametrize(
    "columns",
    [
        {"display_name": None},
        {"display_name": ""},
        {"kind": "Robot"},
        {"status": None},
    ],
    ids=["null display name", "empty display name", "unknown kind", "null status"],
)
def test_the_database_refuses_a_party_without_its_mandatory_details(session, columns):
    session.add(_party(**columns))

    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()

    session.add(_party())
    session.flush()  # the session is usable again, and a complete party is accepted
    session.rollback()
