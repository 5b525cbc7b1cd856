"""Building interactions in tests."""

API = "/tmf-api/partyInteractionManagement/v5"
V4_API = "/tmf-api/partyInteraction/v4"


def interaction_payload(customer: dict | None = None, **overrides) -> dict:
    payload = {
        "@type": "PartyInteraction",
        "direction": "inbound",
        "reason": "billing.enquiry",
        "description": "Asked why the November bill is higher",
        "relatedChannel": [
            {"role": "contact", "channel": {"@type": "ChannelRef", "id": "phone", "name": "phone"}}
        ],
    }
    if customer is not None:
        payload["relatedParty"] = [customer_ref(customer)]
    payload.update(overrides)
    return payload


def customer_ref(customer: dict, role: str = "customer") -> dict:
    return {
        "@type": "RelatedPartyOrPartyRole",
        "role": role,
        "partyOrPartyRole": {
            "@type": "PartyRoleRef",
            "id": customer["id"],
            "@referredType": "Customer",
        },
    }


def log_interaction(client, customer: dict | None = None, **overrides) -> dict:
    response = client.post(
        f"{API}/partyInteraction", json=interaction_payload(customer, **overrides)
    )
    assert response.status_code == 201, response.text
    return response.json()
