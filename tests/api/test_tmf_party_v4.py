"""TMF632 v4: the individuals and organisations of v5, in v4 shapes, with the same rules."""

from sqlalchemy import select

from parley.parties.models import Customer, Party
from tests.conftest import PARTY_API
from tests.contract.official_schemas import problems
from tests.factories import assert_tmf_error, create_individual, create_organization, total_count

V4 = "/tmf-api/partyManagement/v4"
CUSTOMERS_V4 = "/tmf-api/customerManagement/v4/customer"
OFFICIAL_V4 = "TMF632-Party-v4.0.0.swagger.json"
# What the v4 conformance kit posts.
KIT_INDIVIDUAL = {"familyName": "Lamborgizzia", "givenName": "Jane"}
KIT_ORGANIZATION = {"tradingName": "Coffee Do Brazil Fair Trade"}


def _post(client, collection: str, body: dict) -> dict:
    response = client.post(f"{V4}/{collection}", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_conformance_kit_flow(client):
    for collection, body, kind, keys in (
        ("individual", KIT_INDIVIDUAL, "Individual", {"familyName", "givenName"}),
        ("organization", KIT_ORGANIZATION, "Organization", {"tradingName"}),
    ):
        url = f"{V4}/{collection}"
        made = [_post(client, collection, body) for _ in range(2)]
        for one in made:
            assert one["href"] == f"http://testserver{url}/{one['id']}"
            assert {k: one[k] for k in body} == body
            assert problems(OFFICIAL_V4, kind, one) == []
        listed = client.get(url).json()
        assert {m["id"] for m in made} <= {item["id"] for item in listed}
        assert all(keys | {"id", "href"} <= item.keys() for item in listed)
        for name, value in body.items():
            found = client.get(url, params={name: value}).json()
            assert {item["id"] for item in found} == {m["id"] for m in made}, name
        assert [i["id"] for i in client.get(url, params={"id": made[0]["id"]}).json()] == [
            made[0]["id"]
        ]
        fields = client.get(url, params={"fields": next(iter(keys))}).json()[0]
        assert set(fields) == {"id", "href", "@type", next(iter(keys))}
        assert_tmf_error(client.get(f"{url}/c2df1950-c17c-4576-9c22-e59073a4a86a"), 404)


def test_a_v5_individual_is_read_in_v4_shapes(client):
    person = create_individual(
        client,
        name="Anna Maria Schmidt",
        status="deceased",
        externalReference=[
            {
                "@type": "ExternalIdentifier",
                "id": "C-77",
                "owner": "https://bss.example/party",
                "externalIdentifierType": "bssId",
            }
        ],
        partyCharacteristic=[
            {"@type": "StringArrayCharacteristic", "name": "languages", "value": ["de", "en"]}
        ],
    )

    shown = client.get(f"{V4}/individual/{person['id']}").json()

    assert problems(OFFICIAL_V4, "Individual", shown) == []
    assert (shown["fullName"], shown["status"]) == ("Anna Maria Schmidt", "deceaded")
    assert "name" not in shown
    assert shown["externalReference"] == [
        {"@type": "ExternalReference", "name": "C-77", "externalReferenceType": "bssId"}
    ]
    assert shown["partyCharacteristic"] == [
        {
            "@type": "Characteristic",
            "name": "languages",
            "value": ["de", "en"],
            "valueType": "array",
        }
    ]
    assert [m["mediumType"] for m in shown["contactMedium"]] == [
        "telephoneNumber",
        "email",
        "postalAddress",
    ]


def test_a_v4_individual_is_a_v5_individual(client):
    made = _post(
        client,
        "individual",
        {
            **KIT_INDIVIDUAL,
            "fullName": "Jane Lamborgizzia",
            "status": "validated",
            "contactMedium": [
                {"mediumType": "mobile", "characteristic": {"phoneNumber": "0171 5551234"}}
            ],
            "partyCharacteristic": [{"name": "score", "value": 0.5, "valueType": "number"}],
            "externalReference": [{"name": "C-78", "externalReferenceType": "bssId"}],
            "individualIdentification": [
                {"identificationId": "T22000129", "identificationType": "passport"}
            ],
        },
    )

    as_v5 = client.get(f"{PARTY_API}/individual/{made['id']}").json()

    assert as_v5["name"] == "Jane Lamborgizzia" and "fullName" not in as_v5
    assert as_v5["contactMedium"] == [
        {"@type": "PhoneContactMedium", "phoneNumber": "+491715551234"}
    ]
    assert as_v5["partyCharacteristic"][0]["@type"] == "NumberCharacteristic"
    assert as_v5["externalReference"] == [
        {"@type": "ExternalIdentifier", "id": "C-78", "externalIdentifierType": "bssId"}
    ]
    assert as_v5["individualIdentification"][0]["@type"] == "IndividualIdentification"
    by_full_name = client.get(f"{V4}/individual", params={"fullName": "Jane Lamborgizzia"})
    assert [p["id"] for p in by_full_name.json()] == [made["id"]]


def test_an_organisation_shows_its_name_as_trading_name_where_it_has_none(client):
    named = create_organization(client, name="Nordlicht GmbH")
    trading = _post(client, "organization", KIT_ORGANIZATION)

    shown = client.get(f"{V4}/organization/{named['id']}").json()

    assert shown["tradingName"] == shown["name"] == "Nordlicht GmbH"
    assert problems(OFFICIAL_V4, "Organization", shown) == []
    as_v5 = client.get(f"{PARTY_API}/organization/{trading['id']}").json()
    assert as_v5["name"] == as_v5["tradingName"] == KIT_ORGANIZATION["tradingName"]
    found = client.get(f"{V4}/organization", params={"tradingName": "Nordlicht GmbH"}).json()
    assert [o["id"] for o in found] == [named["id"]]
    # Renamed on v4, the trading name it only showed follows the name; none is stored.
    renamed = client.patch(f"{V4}/organization/{named['id']}", json={"name": "Polarlicht AG"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["tradingName"] == "Polarlicht AG"
    assert "tradingName" not in client.get(f"{PARTY_API}/organization/{named['id']}").json()


def test_a_v4_change_keeps_what_v4_cannot_show(client):
    external = {
        "@type": "ExternalIdentifier",
        "id": "C-79",
        "owner": "https://bss.example/party",
    }
    person = create_individual(client, externalReference=[external])

    patched = client.patch(f"{V4}/individual/{person['id']}", json={"status": "validated"})

    assert patched.status_code == 200, patched.text
    as_v5 = client.get(f"{PARTY_API}/individual/{person['id']}").json()
    assert as_v5["externalReference"] == [external]  # its owner kept
    assert as_v5["status"] == "validated"
    assert as_v5["contactMedium"] == person["contactMedium"]


def test_a_placeholder_is_resolved_by_a_party_made_on_v4(client, session):
    engaged = {"id": "P-501", "@referredType": "Individual", "name": "Ute Kranz"}
    customer = client.post(CUSTOMERS_V4, json={"name": "Ute Kranz", "engagedParty": engaged})
    assert customer.status_code == 201, customer.text
    placeholder = session.scalar(
        select(Customer.party_id).where(Customer.id == customer.json()["id"])
    )

    person = _post(
        client,
        "individual",
        {"givenName": "Ute", "familyName": "Kranz", "externalReference": [{"name": "P-501"}]},
    )

    assert person["id"] == placeholder  # the party took its placeholder's place
    marks = [c["name"] for c in person.get("partyCharacteristic", [])]
    assert "externalReferenceOnly" not in marks
    assert (person["givenName"], person["familyName"]) == ("Ute", "Kranz")


def test_bad_input_names_v4_paths_and_changes_nothing(client, session):
    before = session.query(Party).count()
    for collection, body, named in (
        ("organization", {"name": "No Trading Name"}, "tradingName"),
        ("individual", {"givenName": "Jo"}, "familyName"),
        ("individual", {**KIT_INDIVIDUAL, "externalReference": [{}]}, "externalReference[0].name"),
        ("individual", {**KIT_INDIVIDUAL, "status": "deceased"}, "status"),  # v5's spelling
        (
            "individual",
            {**KIT_INDIVIDUAL, "contactMedium": [{"characteristic": {"emailAddress": "x"}}]},
            "contactMedium[0].characteristic.emailAddress",
        ),
        ("individual", {**KIT_INDIVIDUAL, "partyCharacteristic": [{"name": "x"}]}, "value"),
        ("individual", {**KIT_INDIVIDUAL, "partyCharacteristic": [{"value": 1}]}, "name"),
    ):
        assert_tmf_error(client.post(f"{V4}/{collection}", json=body), 400, named)
    assert session.query(Party).count() == before


def test_a_party_in_use_is_not_deleted_on_v4_either(client):
    made = client.post(CUSTOMERS_V4, json={"name": "X", "engagedParty": {"id": "P-502"}})
    assert_tmf_error(made, 400, "engagedParty.@referredType")
    person = _post(client, "individual", KIT_INDIVIDUAL)
    engaged = {"id": person["id"], "@referredType": "Individual"}
    assert client.post(CUSTOMERS_V4, json={"name": "Y", "engagedParty": engaged}).status_code == 201
    free = _post(client, "individual", {"givenName": "Free", "familyName": "Person"})

    assert_tmf_error(client.delete(f"{V4}/individual/{person['id']}"), 409)
    assert client.delete(f"{V4}/individual/{free['id']}").status_code == 204
    assert total_count(client, f"{V4}/individual", id=free["id"]) == 0
