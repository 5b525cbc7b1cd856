"""TMF620 productOffering: administrators manage the catalogue; lists page and filter like
every TMF API; bad input is a TMF error that changes nothing; answers fit the official spec."""

import pytest

from parley.api.tmf.kit.spec import load_spec
from parley.api.tmf.product_catalog.routes import product_catalog_spec
from tests.auth.helpers import headers_for
from tests.factories import assert_tmf_error
from tests.offers.helpers import API, OFFERINGS, create_offering, offering_payload, segments

OFFICIAL = "TMF620-ProductCatalog-v5.0.0.oas.yaml"


def test_an_offering_is_created_read_changed_and_deleted(client):
    made = create_offering(client, marketSegment=segments("residential"))
    assert made["href"].endswith(f"{API}/productOffering/{made['id']}")
    assert made["@type"] == "ProductOffering" and made["lastUpdate"]
    read = client.get(f"{OFFERINGS}/{made['id']}").json()
    assert read["productOfferingPrice"][0]["price"] == {"unit": "EUR", "value": 5.0}

    changed = client.patch(f"{OFFERINGS}/{made['id']}", json={"lifecycleStatus": "Retired"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["lifecycleStatus"] == "Retired"
    assert client.delete(f"{OFFERINGS}/{made['id']}").status_code == 204
    assert_tmf_error(client.get(f"{OFFERINGS}/{made['id']}"), 404, made["id"])


def test_an_offering_on_sale_is_retired_not_deleted(client):
    made = create_offering(client)
    assert_tmf_error(client.delete(f"{OFFERINGS}/{made['id']}"), 409, "retired")


def test_answers_are_documents_of_the_official_spec(client):
    made = create_offering(
        client,
        marketSegment=segments("business"),
        validFor={"startDateTime": "2026-01-01T00:00:00Z"},
    )
    official = load_spec(OFFICIAL)
    official.validate(made, "ProductOffering")
    for listed in client.get(OFFERINGS).json():
        official.validate(listed, "ProductOffering")


def test_lists_page_filter_and_select_fields(client):
    for name in ("Alpha", "Beta", "Gamma"):
        create_offering(client, name)
    create_offering(client, "Old", lifecycleStatus="Retired")

    page = client.get(OFFERINGS, params={"limit": 2, "offset": 0})
    assert page.status_code == 200
    assert [o["name"] for o in page.json()] == ["Alpha", "Beta"]
    assert page.headers["X-Total-Count"] == "4" and page.headers["X-Result-Count"] == "2"
    retired = client.get(OFFERINGS, params={"lifecycleStatus": "Retired"}).json()
    assert [o["name"] for o in retired] == ["Old"]
    named = client.get(OFFERINGS, params={"name": "Gamma", "fields": "name"}).json()
    assert named == [
        {
            "id": named[0]["id"],
            "href": named[0]["href"],
            "@type": "ProductOffering",
            "name": "Gamma",
        }
    ]


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"name": " "}, ["name"]),
        ({"lifecycleStatus": "Sold out"}, ["lifecycleStatus"]),
        (
            {
                "validFor": {
                    "startDateTime": "2027-02-01T00:00:00Z",
                    "endDateTime": "2027-01-01T00:00:00Z",
                }
            },
            ["validFor"],
        ),
        ({"marketSegment": segments("business", "business")}, ["marketSegment"]),
        (
            {
                "productOfferingPrice": [
                    {
                        "@type": "ProductOfferingPrice",
                        "name": "x",
                        "priceType": "recurring",
                        "price": {"unit": "euro", "value": 5},
                    }
                ]
            },
            ["unit"],
        ),
        (
            {
                "productOfferingPrice": [
                    {
                        "@type": "ProductOfferingPrice",
                        "name": "x",
                        "priceType": "gift",
                        "price": {"unit": "EUR", "value": 5},
                    }
                ]
            },
            ["priceType"],
        ),
        ({"isSellable": "yes"}, ["isSellable"]),
        ({"colour": "red"}, ["colour"]),
    ],
)
def test_bad_offerings_are_refused_and_nothing_is_kept(client, change, names):
    response = client.post(OFFERINGS, json=offering_payload(**change))
    assert_tmf_error(response, 400, *names)
    assert client.get(OFFERINGS).json() == []


def test_the_bss_id_is_one_offering(client):
    ref = [{"@type": "ExternalIdentifier", "id": "BSS-1", "owner": "BSS"}]
    create_offering(client, externalIdentifier=ref)
    assert_tmf_error(
        client.post(OFFERINGS, json=offering_payload(externalIdentifier=ref)), 409, "BSS-1"
    )


def test_only_administrators_manage_the_catalogue(client, session, settings):
    agent = headers_for(client, session, settings, "agent")
    assert client.get(OFFERINGS, headers=agent).status_code == 200
    assert_tmf_error(client.post(OFFERINGS, json=offering_payload(), headers=agent), 403)


def test_the_other_collections_are_not_served(client):
    assert_tmf_error(client.get(f"{API}/productSpecification"), 501)


def test_the_shipped_spec_is_the_official_one_relaxed_where_documented():
    relaxed = product_catalog_spec()
    relaxed.validate(offering_payload(), "ProductOffering_FVO")
    with pytest.raises(ValueError, match="lastUpdate"):
        load_spec(OFFICIAL).validate(offering_payload(), "ProductOffering_FVO")
