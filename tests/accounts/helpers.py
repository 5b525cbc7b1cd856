"""Building billing accounts in tests."""

API = "/tmf-api/accountManagement/v5"

ADDRESS = {
    "@type": "GeographicAddressContactMedium",
    "street1": "Lange Reihe 12",
    "postCode": "20099",
    "city": "Hamburg",
    "country": "DE",
}


def owner_ref(customer_id: str) -> dict:
    return {
        "@type": "RelatedPartyRefOrPartyRoleRef",
        "role": "owner",
        "partyOrPartyRole": {
            "@type": "PartyRoleRef",
            "id": customer_id,
            "@referredType": "Customer",
        },
    }


def contact(party: dict | None = None, role: str = "primary", **overrides) -> dict:
    entry = {"@type": "Contact", "contactType": role}
    if party is not None:
        entry["relatedParty"] = {
            "@type": "RelatedPartyRefOrPartyRoleRef",
            "role": role,
            "partyOrPartyRole": {
                "@type": "PartyRef",
                "id": party["id"],
                "@referredType": party["@type"],
            },
        }
    entry.update(overrides)
    return entry


def account_payload(customer_id: str, party: dict | None = None, **overrides) -> dict:
    """A valid billing account: the primary contact ``party`` with a full address and email."""
    media = [
        dict(ADDRESS),
        {"@type": "EmailContactMedium", "emailAddress": "bills@example.org"},
    ]
    payload = {
        "@type": "BillingAccount",
        "name": "Main account",
        "relatedParty": [owner_ref(customer_id)],
        "contact": [contact(party, contactMedium=media)] if party else [],
        "defaultPaymentMethod": {
            "@type": "PaymentMethodRef",
            "id": "pm-1",
            "@referredType": "BankAccountDebit",
        },
    }
    payload.update(overrides)
    return payload


def create_account(client, customer_id: str, party: dict | None = None, **overrides) -> dict:
    response = client.post(
        f"{API}/billingAccount", json=account_payload(customer_id, party, **overrides)
    )
    assert response.status_code == 201, response.text
    return response.json()
