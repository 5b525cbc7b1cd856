"""Building sales leads in tests."""

from tests.factories import create_person

API = "/tmf-api/salesManagement/v4"
LEADS = f"{API}/salesLead"
V1 = "/api/v1/sales-leads"
FULL_ADDRESS = {
    "@type": "GeographicAddressContactMedium",
    "street1": "Lindenstr. 4",
    "postCode": "50674",
    "city": "Köln",
    "country": "DE",
}


def prospect_ref(party: dict) -> dict:
    return {"id": party["id"], "role": "prospect", "@referredType": party["@type"]}


def lead_payload(party: dict, **overrides) -> dict:
    payload = {
        "@type": "SalesLead",
        "name": f"Fibre for {party.get('givenName', party.get('name'))}",
        "description": "Wants 1 Gbit/s fibre at home",
        "channel": {"id": "web", "name": "web"},
        "rating": "hot",
        "priority": "high",
        "productOffering": {"id": "fibre-1000", "name": "Fibre 1000"},
        "relatedParty": [prospect_ref(party)],
    }
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}


def create_lead(client, party: dict, force: bool = False, **overrides) -> dict:
    params = {"force": "true"} if force else {}
    response = client.post(LEADS, json=lead_payload(party, **overrides), params=params)
    assert response.status_code == 201, response.text
    return response.json()


def new_prospect(client, given="Lena", family="Vogt", **options) -> dict:
    options.setdefault("phone", "+49 176 5550101")
    options.setdefault("email", "lena.vogt@example.org")
    person = create_person(client, given, family, **options)
    return person


def reach(client, lead: dict, medium: str = "+49 176 5550101") -> dict:
    response = client.post(
        f"{V1}/{lead['id']}/contacts",
        json={
            "direction": "outbound",
            "channel": "phone",
            "description": "Called back about fibre; confirmed address",
            "medium": medium,
            "reached": True,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()
