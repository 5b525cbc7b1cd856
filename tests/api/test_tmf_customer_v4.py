"""TMF629 v4: the customers of v5, in v4 shapes, with the same rules."""

from parley.parties.models import Customer
from tests.conftest import CUSTOMER_API
from tests.contract.official_schemas import problems
from tests.factories import assert_tmf_error, create_customer, create_individual, total_count

V4 = "/tmf-api/customerManagement/v4/customer"
V5 = f"{CUSTOMER_API}/customer"
V4_PARTY = "/tmf-api/partyManagement/v4/individual"
OFFICIAL_V4 = "TMF629-Customer-v4.0.0.swagger.json"
# What the v4 conformance kit posts: an engaged party Parley does not hold.
KIT_BODY = {
    "name": "Moon Football Club",
    "engagedParty": {"@referredType": "Organization", "id": "500"},
}
KIT_KEYS = {"engagedParty", "@type", "href", "id", "name"}


def _v4_customer(client, person: dict, **extra) -> dict:
    body = {
        "name": f"{person['givenName']} {person['familyName']}",
        "engagedParty": {"id": person["id"], "@referredType": "Individual"},
        **extra,
    }
    response = client.post(V4, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_conformance_kit_flow(client):
    response = client.post(V4, json=KIT_BODY)

    assert response.status_code == 201, response.text
    made = response.json()
    assert made["href"] == f"http://testserver{V4}/{made['id']}"
    assert made.keys() >= KIT_KEYS and made["@type"] == "Customer"
    assert made["engagedParty"] == {"@type": "RelatedParty", **KIT_BODY["engagedParty"]}
    assert problems(OFFICIAL_V4, "Customer", made) == []
    listed = client.get(V4).json()
    assert made["id"] in [c["id"] for c in listed]
    assert all(c.keys() >= KIT_KEYS for c in listed)
    for params in ({"id": made["id"]}, {"name": KIT_BODY["name"]}, {"href": made["href"]}):
        assert [c["id"] for c in client.get(V4, params=params).json()] == [made["id"]], params
    assert set(client.get(V4, params={"fields": "name"}).json()[0]) == {
        "id",
        "href",
        "@type",
        "name",
    }
    patched = client.patch(f"{V4}/{made['id']}", json={"name": "Sun Football Club"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Sun Football Club"
    assert patched.json()["engagedParty"] == made["engagedParty"]
    assert_tmf_error(client.get(f"{V4}/c2df1950-c17c-4576-9c22-e59073a4a86a"), 404)


def test_a_v5_customer_is_read_in_v4_shapes(client):
    person, contact = create_individual(client), create_individual(client)
    customer = create_customer(
        client,
        person,
        contactMedium=[
            {"@type": "PhoneContactMedium", "phoneNumber": "0171 5550123", "contactType": "work"},
            {"@type": "GeographicAddressContactMedium", "city": "Kiel", "country": "DE"},
        ],
        characteristic=[{"@type": "BooleanCharacteristic", "name": "vip", "value": True}],
        relatedParty=[
            {
                "role": "billingContact",
                "partyOrPartyRole": {"id": contact["id"], "@referredType": "Individual"},
            }
        ],
        description="Key account",
    )

    shown = client.get(f"{V4}/{customer['id']}").json()

    assert problems(OFFICIAL_V4, "Customer", shown) == []
    assert shown["engagedParty"] == {
        "@type": "RelatedParty",
        "id": person["id"],
        "href": f"http://testserver/tmf-api/partyManagement/v5/individual/{person['id']}",
        "name": customer["engagedParty"]["name"],
        "@referredType": "Individual",
    }
    assert shown["contactMedium"] == [
        {
            "@type": "ContactMedium",
            "mediumType": "telephoneNumber",
            "characteristic": {"contactType": "work", "phoneNumber": "+491715550123"},
        },
        {
            "@type": "ContactMedium",
            "mediumType": "postalAddress",
            "characteristic": {"city": "Kiel", "country": "DE"},
        },
    ]
    vip = next(c for c in shown["characteristic"] if c["name"] == "vip")
    assert vip == {"@type": "Characteristic", "name": "vip", "value": True, "valueType": "boolean"}
    assert [(p["id"], p["role"], p["@referredType"]) for p in shown["relatedParty"]] == [
        (contact["id"], "billingContact", "Individual")
    ]
    assert "description" not in shown  # v5 only


def test_a_customer_made_on_v4_is_a_v5_customer_with_its_rules(client):
    person, contact = create_individual(client), create_individual(client)
    made = _v4_customer(
        client,
        person,
        contactMedium=[
            {
                "mediumType": "email",
                "preferred": True,
                "characteristic": {"emailAddress": "Kim@Example.ORG", "contactType": "home"},
            }
        ],
        characteristic=[{"name": "segment", "value": "business"}, {"name": "seats", "value": 40}],
        relatedParty=[
            {"id": contact["id"], "@referredType": "Individual", "role": "primaryContact"}
        ],
    )

    as_v5 = client.get(f"{V5}/{made['id']}").json()

    assert as_v5["engagedParty"]["@type"] == "PartyRef"
    assert as_v5["contactMedium"] == [
        {
            "@type": "EmailContactMedium",
            "preferred": True,
            "contactType": "home",
            "emailAddress": "Kim@example.org",
        }
    ]
    kinds = {c["name"]: c["@type"] for c in as_v5["characteristic"]}
    assert kinds == {
        "segment": "StringCharacteristic",
        "seats": "IntegerCharacteristic",
        "customerNumber": "StringCharacteristic",
    }
    assert as_v5["relatedParty"][0]["partyOrPartyRole"]["id"] == contact["id"]
    # A contact of the customer, as on v5; found by it on both versions.
    for api in (V4, V5):
        found = client.get(api, params={"relatedParty.id": contact["id"]}).json()
        assert [c["id"] for c in found] == [made["id"]]
    # The customer number is Parley's, read back in v4's shape.
    number = next(c for c in made["characteristic"] if c["name"] == "customerNumber")
    assert number["@type"] == "Characteristic" and number["valueType"] == "string"


def test_a_v4_change_keeps_what_v4_cannot_show(client):
    customer = create_customer(
        client,
        create_individual(client),
        description="Key account",
        role="businessCustomer",
        contactMedium=[_address("Kiel", "GA-1"), _address("Jena", "GA-2")],
    )
    url = f"{V4}/{customer['id']}"
    shown = client.get(url).json()

    renamed = client.patch(url, json={"name": "Renamed"})
    second = shown["contactMedium"][1]
    assert "geographicAddress" not in second["characteristic"]  # v5 only
    new = {"mediumType": "postalAddress", "characteristic": {"city": "Ulm", "country": "DE"}}
    fewer = client.patch(url, json={"contactMedium": [second, new]})

    assert (renamed.status_code, fewer.status_code) == (200, 200), fewer.text
    as_v5 = client.get(f"{V5}/{customer['id']}").json()
    assert (as_v5["name"], as_v5["description"], as_v5["role"]) == (
        "Renamed",
        "Key account",
        "businessCustomer",
    )
    # Sent back as shown: the stored medium (its address reference kept); a new one as sent.
    assert as_v5["contactMedium"] == [
        _address("Jena", "GA-2"),
        {"@type": "GeographicAddressContactMedium", "city": "Ulm", "country": "DE"},
    ]


def _address(city: str, address_id: str) -> dict:
    return {
        "@type": "GeographicAddressContactMedium",
        "city": city,
        "country": "DE",
        "geographicAddress": {"@type": "GeographicAddressRef", "id": address_id},
    }


def test_what_v5_allows_and_v4_would_not_is_still_changed_on_v4(client):
    """v4 requires a credit profile's date and period, v5 does not: a customer v5 made without
    them is changed on v4 all the same."""
    customer = create_customer(
        client,
        create_individual(client),
        creditProfile=[{"@type": "CreditProfile", "creditScore": 700}],
    )

    patched = client.patch(f"{V4}/{customer['id']}", json={"status": "suspended"})

    assert patched.status_code == 200, patched.text
    assert patched.json()["creditProfile"] == [{"@type": "CreditProfile", "creditScore": 700}]


def test_errors_name_v4_paths_and_change_nothing(client, session):
    person = create_individual(client)
    engaged = {"id": person["id"], "@referredType": "Individual"}
    before = total_count(client, V4)
    for body, named in (
        (
            {"contactMedium": [{"mediumType": "phone", "characteristic": {"phoneNumber": "12"}}]},
            "contactMedium[0].characteristic.phoneNumber",
        ),
        (
            {
                "contactMedium": [
                    {
                        "mediumType": "email",
                        "characteristic": {"emailAddress": "a@example.org", "phoneNumber": "+4930"},
                    }
                ]
            },
            "contactMedium[0].characteristic",
        ),
        ({"characteristic": [{"name": "mixed", "value": [1, "a"]}]}, "characteristic[0].value"),
        ({"relatedParty": [{"id": person["id"], "@referredType": "Individual"}]}, "role"),
        ({"engagedParty": {"id": person["id"]}}, "engagedParty.@referredType"),  # v4 needs it
        ({"colour": "blue"}, "colour"),
    ):
        payload = {"name": "Ada", "engagedParty": engaged, **body}
        assert_tmf_error(client.post(V4, json=payload), 400, named)
    assert total_count(client, V4) == before
    assert session.query(Customer).count() == before


def test_the_duplicate_check_and_its_override(client):
    person = create_individual(client)
    first = _v4_customer(client, person)
    body = {"name": "Again", "engagedParty": {"id": person["id"], "@referredType": "Individual"}}

    refused = client.post(V4, json=body)
    forced = client.post(V4, json=body, params={"force": "true"})

    assert_tmf_error(refused, 409, first["id"])
    assert refused.json()["code"] == "DUPLICATE_SUSPECTED"
    assert forced.status_code == 201, forced.text


def test_filters_sort_and_what_cannot_be_filtered(client):
    person = create_individual(client)
    made = _v4_customer(client, person, status="prospective")

    assert [c["id"] for c in client.get(V4, params={"engagedParty.id": person["id"]}).json()] == [
        made["id"]
    ]
    prospective = client.get(V4, params={"status": "prospective,suspended"}).json()
    assert made["id"] in [c["id"] for c in prospective]
    recent = client.get(V4, params={"creationDate.gte": "2000-01-01", "sort": "-name"})
    assert recent.status_code == 200 and made["id"] in [c["id"] for c in recent.json()]
    names = [c["name"] for c in recent.json()]
    assert names == sorted(names, reverse=True)
    assert_tmf_error(client.get(V4, params={"engagedParty.name": "x"}), 400, "engagedParty.name")


def test_parleys_v4_hrefs_sent_back_name_parleys_own(client):
    person = create_individual(client)
    engaged = {
        "id": person["id"],
        "href": f"http://testserver{V4_PARTY}/{person['id']}",
        "@referredType": "Individual",
    }

    made = client.post(V4, json={"name": "Href Back", "engagedParty": engaged})

    assert made.status_code == 201, made.text
    as_v5 = client.get(f"{V5}/{made.json()['id']}").json()
    # Recognised as Parley's: no foreign href kept; served with Parley's href.
    assert as_v5["engagedParty"]["href"] == person["href"]
    assert as_v5["engagedParty"]["name"] == f"{person['givenName']} {person['familyName']}"


def test_delete_on_v4(client):
    made = client.post(V4, json=KIT_BODY).json()

    assert client.delete(f"{V4}/{made['id']}").status_code == 204
    assert_tmf_error(client.get(f"{V5}/{made['id']}"), 404)
