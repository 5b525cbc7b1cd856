"""Building up-sell histories in tests: offerings, rules, and a customer's contacts so many
days ago, through the APIs."""

from datetime import timedelta

from parley.db.base import iso, utcnow
from tests.interactions.helpers import log_interaction
from tests.offers.helpers import create_offering, segments

RULES = "/api/v1/upsell-rules"
ACCEPTANCE = "/api/v1/analytics/upsell-acceptance"


def next_offer_url(customer: dict) -> str:
    return f"/api/v1/customers/{customer['id']}/next-offer"


def answer_url(customer: dict, offer: dict) -> str:
    return f"/api/v1/customers/{customer['id']}/offers/{offer['id']}/answer"


def data_offering(client, name: str = "Extra 10 GB", segment: str | None = None, **extra) -> dict:
    if segment:
        extra["marketSegment"] = segments(segment)
    return create_offering(
        client,
        name,
        description="10 GB more data this month",
        productOfferingPrice=[
            {
                "@type": "ProductOfferingPrice",
                "name": "Once",
                "priceType": "oneTime",
                "price": {"unit": "EUR", "value": 9.99},
            }
        ],
        **extra,
    )


def rule_payload(offering: dict, **overrides) -> dict:
    payload = {
        "code": "data-test",
        "name": "Data add-on after data-limit enquiries",
        "productOffering": {"id": offering["id"]},
        "signals": [{"kind": "interaction", "code": "usage.data", "weight": 1}],
        "windowDays": 30,
        "halfLifeDays": 14,
        "threshold": 1.5,
        "suppressionDays": 90,
    }
    payload.update(overrides)
    return payload


def create_rule(client, offering: dict, **overrides) -> dict:
    response = client.post(RULES, json=rule_payload(offering, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


def contact(client, customer: dict, days_ago: float, reason: str = "usage.data") -> dict:
    """An inbound call on ``reason`` that happened ``days_ago`` days ago (completed)."""
    start = utcnow() - timedelta(days=days_ago)
    moment = {"startDateTime": iso(start), "endDateTime": iso(start + timedelta(minutes=4))}
    return log_interaction(
        client,
        customer,
        reason=reason,
        description="Asked how much data is left this month",
        status="completed",
        interactionDate=moment,
    )


def next_offer(client, customer: dict, **headers) -> dict:
    response = client.get(next_offer_url(customer), headers=headers or None)
    assert response.status_code == 200, response.text
    return response.json()


def answer(client, customer: dict, offer: dict, said: str, **body) -> dict:
    response = client.post(answer_url(customer, offer), json={"answer": said, **body})
    assert response.status_code == 200, response.text
    return response.json()
