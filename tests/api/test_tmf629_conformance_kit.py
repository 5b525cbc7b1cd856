"""The TMF629 v5 conformance kit's flow (shared/tmf/ctk/TMF629/v5), replayed with its own
payloads: its Cypress runner can't run here, so its nine requests and checks are mirrored."""

from sqlalchemy import select

from parley.api.tmf.customer.routes import SPEC_FILE
from parley.api.tmf.kit.spec import load_spec
from parley.db.base import new_id
from parley.parties.models import Customer
from tests.conftest import CUSTOMER_API

POST_PAYLOAD = {
    "@type": "Customer",
    "name": "Mary Doe",
    "engagedParty": {
        "@type": "PartyRef",
        "href": "https://host:port/tmf-api/partyManagement/v5/organization/502",
        "id": "502",
        "name": "Another Travellers",
        "@referredType": "Organization",
    },
}
PATCH_PAYLOAD = {
    "@type": "Customer",
    "name": "John Doe",
    "engagedParty": {
        "@type": "PartyRef",
        "href": "https://host:port/tmf-api/partyManagement/v5/organization/500",
        "id": "500",
        "name": "Happy Travellers",
        "@referredType": "Organization",
    },
}
MANDATORY = ("@type", "href", "id", "name")


def _conforms(customer: dict) -> None:
    load_spec(SPEC_FILE).validate(customer, "Customer")
    for key in MANDATORY:
        assert key in customer, key
    assert "@type" in customer["engagedParty"]


def test_conformance_kit_flow(client):
    created = client.post(f"{CUSTOMER_API}/customer", json=POST_PAYLOAD)
    assert created.status_code == 201
    customer = created.json()
    _conforms(customer)
    assert customer["engagedParty"] == POST_PAYLOAD["engagedParty"]  # an external reference

    listed = client.get(f"{CUSTOMER_API}/customer")
    assert listed.status_code == 200
    for item in listed.json():
        _conforms(item)

    by_name = client.get(f"{CUSTOMER_API}/customer", params={"name": "Mary Doe"})
    assert [c["id"] for c in by_name.json()] == [customer["id"]]

    one = client.get(f"{CUSTOMER_API}/customer/{customer['id']}").json()
    assert {k: one[k] for k in MANDATORY} == {k: customer[k] for k in MANDATORY}

    name_only = client.get(f"{CUSTOMER_API}/customer/{customer['id']}", params={"fields": "name"})
    assert set(name_only.json()) == {"@type", "href", "id", "name"}
    engaged = client.get(
        f"{CUSTOMER_API}/customer/{customer['id']}", params={"fields": "engagedParty"}
    ).json()
    assert set(engaged) == {"@type", "href", "id", "engagedParty"}

    patched = client.patch(f"{CUSTOMER_API}/customer/{customer['id']}", json=PATCH_PAYLOAD)
    assert patched.status_code == 200
    _conforms(patched.json())
    assert patched.json()["name"] == "John Doe"
    assert patched.json()["engagedParty"] == PATCH_PAYLOAD["engagedParty"]

    assert client.delete(f"{CUSTOMER_API}/customer/{customer['id']}").status_code == 204
    assert client.get(f"{CUSTOMER_API}/customer/{customer['id']}").status_code == 404


def test_the_same_foreign_party_is_recorded_once(client, session):
    first = client.post(f"{CUSTOMER_API}/customer", json=POST_PAYLOAD).json()
    second = client.post(f"{CUSTOMER_API}/customer", json=POST_PAYLOAD).json()
    engaged = session.scalars(
        select(Customer.party_id).where(Customer.id.in_([first["id"], second["id"]]))
    ).all()
    assert len(engaged) == 2 and len(set(engaged)) == 1


def test_an_unknown_party_of_parley_form_is_still_refused(client):
    payload = {**POST_PAYLOAD, "engagedParty": {"id": new_id(), "@referredType": "Organization"}}
    response = client.post(f"{CUSTOMER_API}/customer", json=payload)
    assert response.status_code == 400
    assert "engagedParty.id" in response.json()["message"]
