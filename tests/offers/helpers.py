"""Building offerings and customers of a segment in tests."""

from tests.auth.helpers import bearer, login, make_user
from tests.factories import create_customer

API = "/tmf-api/productCatalogManagement/v5"
OFFERINGS = f"{API}/productOffering"


def offering_payload(name: str = "Roaming EU 5 GB", **overrides) -> dict:
    payload = {
        "@type": "ProductOffering",
        "name": name,
        "description": "5 GB of data in the EU for 30 days",
        "lifecycleStatus": "Active",
        "productOfferingPrice": [
            {
                "@type": "ProductOfferingPrice",
                "name": "Monthly fee",
                "priceType": "recurring",
                "recurringChargePeriodType": "month",
                "price": {"unit": "EUR", "value": 5.0},
            }
        ],
    }
    payload.update(overrides)
    return payload


def segments(*ids: str) -> list[dict]:
    return [{"@type": "MarketSegmentRef", "id": s, "name": s} for s in ids]


def create_offering(client, name: str = "Roaming EU 5 GB", **overrides) -> dict:
    response = client.post(OFFERINGS, json=offering_payload(name, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


def segment_customer(client, segment: str | None) -> dict:
    extra = {}
    if segment is not None:
        extra["characteristic"] = [
            {"@type": "StringCharacteristic", "name": "segment", "value": segment}
        ]
    return create_customer(client, **extra)


def customer_headers(client, session, settings, customer: dict) -> dict:
    user = make_user(session, settings, "customer", kind="customer", customer_id=customer["id"])
    return bearer(login(client, user.user.username)["access_token"])


def set_segment(client, customer: dict, segment: str) -> dict:
    """The customer's segment (the service keeps its customer number beside it)."""
    characteristic = [{"@type": "StringCharacteristic", "name": "segment", "value": segment}]
    response = client.patch(
        f"/tmf-api/customerManagement/v5/customer/{customer['id']}",
        json={"characteristic": characteristic},
    )
    assert response.status_code == 200, response.text
    return response.json()
