"""The TMF conventions every Parley TMF API shares: fields=, paging, filters and error shapes."""

import pytest

from tests.conftest import CUSTOMER_API, PARTY_API
from tests.factories import (
    assert_tmf_error,
    create_customer,
    create_individual,
    create_organization,
    customer_number,
    individual_payload,
    total_count,
)
from tests.interactions.helpers import API as INTERACTION_API
from tests.interactions.helpers import V4_API as INTERACTION_V4_API
from tests.interactions.helpers import log_interaction

INDIVIDUALS = f"{PARTY_API}/individual"
ORGANIZATIONS = f"{PARTY_API}/organization"
CUSTOMERS = f"{CUSTOMER_API}/customer"
INTERACTIONS = f"{INTERACTION_API}/partyInteraction"
INTERACTIONS_V4 = f"{INTERACTION_V4_API}/partyInteraction"
ALWAYS = {"id", "href", "@type"}


def _make(client, collection: str) -> dict:
    if collection == INDIVIDUALS:
        return create_individual(client)
    if collection == ORGANIZATIONS:
        return create_organization(client)
    if collection in (INTERACTIONS, INTERACTIONS_V4):
        made = log_interaction(client)
        return client.get(f"{collection}/{made['id']}").json()
    return create_customer(client)


# -- fields= -----------------------------------------------------------------------------


def test_fields_on_a_list_keeps_id_href_type_and_the_named_attributes(client):
    for _ in range(3):
        create_individual(client)

    items = client.get(INDIVIDUALS, params={"fields": "givenName,status"}).json()

    assert len(items) == 3
    assert all(set(item) == ALWAYS | {"givenName", "status"} for item in items)


def test_fields_on_retrieve_create_and_patch(client):
    created = client.post(
        INDIVIDUALS, params={"fields": "familyName"}, json=individual_payload(familyName="Ott")
    )
    assert created.status_code == 201, created.text
    assert created.json() == {
        "id": created.json()["id"],
        "href": created.headers["Location"],
        "@type": "Individual",
        "familyName": "Ott",
    }
    path = f"{INDIVIDUALS}/{created.json()['id']}"
    assert client.get(path).json()["contactMedium"]  # the whole document was stored

    retrieved = client.get(path, params={"fields": "id"}).json()
    assert set(retrieved) == ALWAYS

    patched = client.patch(path, params={"fields": "givenName"}, json={"givenName": "Jana"})
    assert patched.json() == {**retrieved, "givenName": "Jana"}


def test_fields_naming_a_nested_attribute_keeps_its_top_level_attribute(client):
    person = create_individual(client)

    body = client.get(
        f"{INDIVIDUALS}/{person['id']}", params={"fields": "contactMedium.phoneNumber"}
    ).json()

    assert set(body) == ALWAYS | {"contactMedium"}


def test_fields_on_customers(client):
    customer = create_customer(client)

    items = client.get(CUSTOMERS, params={"fields": "name,characteristic"}).json()

    assert items == [{k: customer[k] for k in ALWAYS | {"name", "characteristic"}}]


BAD_FIELDS = [
    "shoeSize",
    "",
    ",",
    "givenName,,familyName",
    "given name",
    "1givenName",
    "givenName;familyName",
    "contactMedium..phoneNumber",
    "givenName,shoeSize",
]


@pytest.mark.parametrize("fields", BAD_FIELDS)
def test_unknown_or_malformed_fields_is_refused_everywhere(client, fields):
    person = create_individual(client)
    path = f"{INDIVIDUALS}/{person['id']}"

    assert_tmf_error(client.get(INDIVIDUALS, params={"fields": fields}), 400, "fields")
    assert_tmf_error(client.get(path, params={"fields": fields}), 400, "fields")
    created = client.post(INDIVIDUALS, params={"fields": fields}, json=individual_payload())
    assert_tmf_error(created, 400, "fields")
    patched = client.patch(path, params={"fields": fields}, json={"givenName": "Changed"})
    assert_tmf_error(patched, 400, "fields")

    assert total_count(client, INDIVIDUALS) == 1
    assert client.get(path).json() == person


# -- offset / limit ----------------------------------------------------------------------


def test_paging_walks_every_item_once_with_counts_in_headers(client):
    ids = {create_individual(client)["id"] for _ in range(5)}

    seen = []
    for offset in (0, 2, 4):
        response = client.get(INDIVIDUALS, params={"offset": offset, "limit": 2})
        assert response.status_code == 200
        assert response.headers["X-Total-Count"] == "5"
        assert response.headers["X-Result-Count"] == str(len(response.json()))
        seen += [item["id"] for item in response.json()]

    assert len(seen) == 5 and set(seen) == ids


def test_paging_past_the_end_is_an_empty_page(client):
    create_organization(client)

    response = client.get(ORGANIZATIONS, params={"offset": 1, "limit": 1000})

    assert response.status_code == 200
    assert response.json() == []
    assert (response.headers["X-Total-Count"], response.headers["X-Result-Count"]) == ("1", "0")


def test_list_without_paging_answers_everything_with_counts(client):
    for _ in range(3):
        create_customer(client)

    response = client.get(CUSTOMERS)

    assert len(response.json()) == 3
    assert (response.headers["X-Total-Count"], response.headers["X-Result-Count"]) == ("3", "3")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "abc"),
        ("limit", "-1"),
        ("limit", "0"),
        ("limit", "1001"),
        ("limit", "1.5"),
        ("limit", ""),
        ("limit", " 2"),
        ("limit", "²"),
        ("limit", "9" * 30),
        ("offset", "x"),
        ("offset", "-1"),
        ("offset", "1e3"),
        ("offset", "²"),
        ("offset", ""),
        ("offset", "9" * 30),
        ("offset", "9223372036854775808"),
    ],
)
@pytest.mark.parametrize("collection", [INDIVIDUALS, CUSTOMERS])
def test_malformed_or_out_of_range_paging_is_refused(client, collection, name, value):
    assert_tmf_error(client.get(collection, params={name: value}), 400, name)


def test_paging_parameters_given_twice_are_refused(client):
    assert_tmf_error(client.get(f"{INDIVIDUALS}?offset=0&offset=1"), 400, "offset")
    assert_tmf_error(client.get(f"{INDIVIDUALS}?limit=1&limit=2"), 400, "limit")


# -- attribute filters -------------------------------------------------------------------


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.text
    assert response.headers["X-Total-Count"] == str(len(response.json()))
    return {item["id"] for item in response.json()}


def test_individuals_filter_on_names_and_status(client):
    jana = create_individual(client, givenName="Jana", familyName="Ott")
    jonas = create_individual(client, givenName="Jonas", familyName="Ott", status="validated")
    other = create_individual(client, givenName="Jana", familyName="Berg")

    assert _ids(client.get(INDIVIDUALS, params={"familyName": "Ott"})) == {jana["id"], jonas["id"]}
    assert _ids(client.get(INDIVIDUALS, params={"givenName": "Jana"})) == {jana["id"], other["id"]}
    assert _ids(client.get(INDIVIDUALS, params={"givenName": "Jana", "familyName": "Ott"})) == {
        jana["id"]
    }
    assert _ids(client.get(INDIVIDUALS, params={"status": "validated"})) == {jonas["id"]}
    assert _ids(client.get(INDIVIDUALS, params={"status": "initialized"})) == {
        jana["id"],
        other["id"],
    }
    assert _ids(client.get(INDIVIDUALS, params={"familyName": "Nobody"})) == set()


def test_filters_combine_with_paging_and_fields(client):
    for _ in range(3):
        create_individual(client, familyName="Ott")
    create_individual(client, familyName="Berg")

    response = client.get(
        INDIVIDUALS, params={"familyName": "Ott", "limit": 2, "fields": "familyName"}
    )

    assert response.headers["X-Total-Count"] == "3"
    assert response.headers["X-Result-Count"] == "2"
    assert all(
        item["familyName"] == "Ott" and set(item) == ALWAYS | {"familyName"}
        for item in response.json()
    )


def test_organizations_filter_on_name(client):
    acme = create_organization(client, name="Acme GmbH")
    create_organization(client, name="Other AG")

    assert _ids(client.get(ORGANIZATIONS, params={"name": "Acme GmbH"})) == {acme["id"]}


def test_customers_filter_on_status_number_and_engaged_party(client):
    person = create_individual(client)
    first = create_customer(client, person)
    # A second customer for the same person is a suspected duplicate: created on purpose.
    second = create_customer(client, person, force=True, status="prospective")
    third = create_customer(client)

    assert _ids(client.get(CUSTOMERS, params={"status": "prospective"})) == {second["id"]}
    assert _ids(client.get(CUSTOMERS, params={"status": "active"})) == {first["id"], third["id"]}
    assert _ids(client.get(CUSTOMERS, params={"customerNumber": customer_number(third)})) == {
        third["id"]
    }
    assert _ids(client.get(CUSTOMERS, params={"engagedParty.id": person["id"]})) == {
        first["id"],
        second["id"],
    }
    assert _ids(
        client.get(CUSTOMERS, params={"engagedParty.id": person["id"], "status": "active"})
    ) == {first["id"]}


@pytest.mark.parametrize(
    ("collection", "name"),
    [
        (INDIVIDUALS, "shoeSize"),
        (INDIVIDUALS, "contactMedium"),
        (ORGANIZATIONS, "ceo"),
        (CUSTOMERS, "engagedParty.shoeSize"),
        (CUSTOMERS, "customer_number"),
        (CUSTOMERS, "foo"),
    ],
)
def test_unknown_filter_is_refused_naming_it(client, collection, name):
    assert_tmf_error(client.get(collection, params={name: "x"}), 400, name)


@pytest.mark.parametrize("collection", [INDIVIDUALS, CUSTOMERS, INTERACTIONS, INTERACTIONS_V4])
def test_an_href_filter_names_the_row_it_is_the_href_of(client, collection):
    made, other = _make(client, collection), _make(client, collection)

    def found(**params) -> list[str]:
        response = client.get(collection, params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()]

    assert found(href=made["href"]) == [made["id"]]
    assert found(href=made["href"], id=made["id"]) == [made["id"]]
    assert found(href=made["href"], id=other["id"]) == []  # no row is both
    # Another collection's href, or a foreign one ending in the id, names nothing here.
    assert found(href=f"https://elsewhere.example/{collection}/{made['id']}") == []
    assert found(href=made["href"].replace(made["id"], f"x/{made['id']}")) == []


def test_filter_given_twice_or_holding_nul_is_refused(client):
    assert_tmf_error(client.get(f"{INDIVIDUALS}?givenName=a&givenName=b"), 400, "givenName")
    assert_tmf_error(client.get(INDIVIDUALS, params={"givenName": "a\x00b"}), 400, "givenName")
    assert_tmf_error(client.get(CUSTOMERS, params={"engagedParty.id": "\x00"}), 400)


# -- errors in the TMF shape ----------------------------------------------------------------

COLLECTIONS = [INDIVIDUALS, ORGANIZATIONS, CUSTOMERS, INTERACTIONS, INTERACTIONS_V4]


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("unknown", ["0b5c3f1e-0000-4000-8000-000000000000", "nope", "a\x00b"])
def test_unknown_id_is_404_for_retrieve_patch_and_delete(client, collection, unknown):
    path = f"{collection}/{unknown.replace(chr(0), '%00')}"
    change = (
        {"description": "x"} if collection in (INTERACTIONS, INTERACTIONS_V4) else {"name": "x"}
    )

    assert_tmf_error(client.get(path), 404)
    assert_tmf_error(client.patch(path, json=change), 404)
    assert_tmf_error(client.delete(path), 404)


@pytest.mark.parametrize(
    "path",
    [
        f"{PARTY_API}/nothing",
        "/tmf-api/unknownManagement/v5/thing",
        f"{CUSTOMERS}/x/notes",
        "/nothing-at-all",
    ],
)
def test_unknown_path_is_404(client, path):
    assert_tmf_error(client.get(path), 404)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_wrong_method_is_405(client, collection):
    item = f"{collection}/{_make(client, collection)['id']}"

    assert_tmf_error(client.put(item, json={}), 405)
    assert_tmf_error(client.post(item, json={}), 405)
    assert_tmf_error(client.delete(collection), 405)
    assert_tmf_error(client.patch(collection, json={}), 405)
    wrong = client.put(collection, json={})
    assert_tmf_error(wrong, 405)
    assert wrong.headers["Allow"] == "GET, POST"
    assert set(client.put(item, json={}).headers["Allow"].split(", ")) >= {"GET", "DELETE"}


@pytest.mark.parametrize(
    "accept",
    ["application/xml", "text/html", "application/json;q=0, application/xml"],
)
def test_an_accept_admitting_no_json_is_406(client, accept):
    assert_tmf_error(client.get(COLLECTIONS[0], headers={"Accept": accept}), 406)


@pytest.mark.parametrize(
    "accept",
    ["application/json", "*/*", "application/xml, application/json;q=0.5", "application/*"],
)
def test_an_accept_admitting_json_is_answered(client, accept):
    assert client.get(COLLECTIONS[0], headers={"Accept": accept}).status_code == 200


def test_invalid_input_has_one_reason(client):
    not_an_object = client.post(
        COLLECTIONS[0], content=b"[]", headers={"Content-Type": "application/json"}
    )
    from_the_spec = client.post(COLLECTIONS[0], json={"@type": "Individual", "gender": 5})
    reasons = {not_an_object.json()["reason"], from_the_spec.json()["reason"]}
    assert {not_an_object.json()["code"], from_the_spec.json()["code"]} == {"INVALID_INPUT"}
    assert reasons == {"Invalid input"}


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        None,
    ],
)
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_wrong_content_type_is_refused_and_nothing_changes(client, collection, content_type):
    existing = _make(client, collection)
    headers = {"content-type": content_type} if content_type else {}
    body = b'{"name": "Changed", "givenName": "Changed"}'

    created = client.post(collection, content=body, headers=headers)
    patched = client.patch(f"{collection}/{existing['id']}", content=body, headers=headers)

    assert_tmf_error(created, 415)
    assert_tmf_error(patched, 415)
    assert total_count(client, collection) == 1
    assert client.get(f"{collection}/{existing['id']}").json() == existing


BAD_BODIES = {
    "invalid JSON": (b'{"givenName": ', "JSON"),
    "trailing garbage": (b'{"givenName": "A"} x', "JSON"),
    "array": (b'[{"givenName": "A"}]', "object"),
    "string": (b'"Anna"', "object"),
    "number": (b"42", "object"),
    "null": (b"null", "object"),
    "empty body": (b"", "body"),
    "not UTF-8": (b'{"givenName": "\xff\xfe"}', "body"),
    "NaN": (b'{"givenName": "A", "familyName": "B", "@schemaLocation": "s", "x": NaN}', "x"),
    "Infinity": (
        b'{"givenName": "A", "familyName": "B", "@schemaLocation": "s", "x": -Infinity}',
        "x",
    ),
    "NUL in a value": (b'{"givenName": "A\\u0000", "familyName": "B"}', "givenName"),
    "NUL in a property name": (
        b'{"givenName": "A", "familyName": "B", "@schemaLocation": "s", "\\u0000": 1}',
        "body",
    ),
    "unpaired surrogate": (b'{"givenName": "\\ud800", "familyName": "B"}', "givenName"),
    "deep nesting": (
        b'{"givenName": "A", "familyName": "B", "@schemaLocation": "s", "x": '
        + b"[" * 60
        + b"]" * 60
        + b"}",
        "nested",
    ),
}


@pytest.mark.parametrize(("body", "named"), BAD_BODIES.values(), ids=BAD_BODIES)
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_unreadable_or_unstorable_body_is_400_and_nothing_changes(client, collection, body, named):
    existing = _make(client, collection)
    headers = {"content-type": "application/json"}

    assert_tmf_error(client.post(collection, content=body, headers=headers), 400, named)
    patched = client.patch(f"{collection}/{existing['id']}", content=body, headers=headers)
    assert_tmf_error(patched, 400, named)

    assert total_count(client, collection) == 1
    assert client.get(f"{collection}/{existing['id']}").json() == existing
