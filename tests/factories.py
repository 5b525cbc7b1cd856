"""Payload builders for tests: valid TMF documents with sensible defaults."""

import itertools

from tests.conftest import CUSTOMER_API, PARTY_API

_counter = itertools.count(1)
# Generated people live in different cities (and have their own phone and email), so that the
# duplicate check on customer creation sees different people, as they are meant to be.
CITIES = (
    "Hamburg", "Bremen", "Dresden", "Leipzig", "Kiel", "Mainz", "Trier", "Ulm", "Passau",
    "Rostock", "Erfurt", "Jena", "Potsdam", "Lübeck", "Görlitz", "Bamberg", "Konstanz",
    "Freiburg", "Augsburg", "Regensburg", "Würzburg", "Kassel", "Marburg", "Gießen",
    "Osnabrück", "Oldenburg", "Emden", "Husum", "Flensburg", "Schwerin", "Wismar",
    "Stralsund", "Cottbus", "Halle", "Magdeburg", "Wernigerode", "Fulda", "Coburg", "Hof",
    "Bayreuth",
)  # fmt: skip


def individual_payload(**overrides) -> dict:
    n = next(_counter)
    payload = {
        "@type": "Individual",
        "givenName": "Anna",
        "familyName": f"Schmidt{n}",
        "contactMedium": [
            {
                "@type": "PhoneContactMedium",
                "phoneNumber": f"+49 171 {1000000 + n}",
                "preferred": True,
            },
            {"@type": "EmailContactMedium", "emailAddress": f"anna.schmidt{n}@example.org"},
            {
                "@type": "GeographicAddressContactMedium",
                "city": CITIES[n % len(CITIES)],
                "country": "DE",
            },
        ],
    }
    payload.update(overrides)
    return payload


def create_individual(client, **overrides) -> dict:
    response = client.post(f"{PARTY_API}/individual", json=individual_payload(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def create_organization(client, **overrides) -> dict:
    payload = {"@type": "Organization", "name": f"Acme {next(_counter)} GmbH"}
    payload.update(overrides)
    response = client.post(f"{PARTY_API}/organization", json=payload)
    assert response.status_code == 201, response.text
    return response.json()


def create_customer(client, party: dict | None = None, force: bool = False, **overrides) -> dict:
    """``force``: past the duplicate check, for a test that seeds a lookalike on purpose."""
    party = party or create_individual(client)
    payload = {
        "@type": "Customer",
        "name": party.get("name") or f"{party.get('givenName')} {party.get('familyName')}",
        "engagedParty": {"id": party["id"], "@referredType": party["@type"]},
    }
    payload.update(overrides)
    params = {"force": "true"} if force else None
    response = client.post(f"{CUSTOMER_API}/customer", json=payload, params=params)
    assert response.status_code == 201, response.text
    return response.json()


def customer_number(customer: dict) -> str:
    return next(c["value"] for c in customer["characteristic"] if c["name"] == "customerNumber")


def person_payload(
    given: str,
    family: str,
    *,
    city: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    phone_valid_for: dict | None = None,
    **overrides,
) -> dict:
    """An individual with exactly the contact media given (no generated phone or email)."""
    media: list[dict] = []
    if phone:
        medium = {"@type": "PhoneContactMedium", "phoneNumber": phone}
        if phone_valid_for:
            medium["validFor"] = phone_valid_for
        media.append(medium)
    if email:
        media.append({"@type": "EmailContactMedium", "emailAddress": email})
    if city:
        media.append({"@type": "GeographicAddressContactMedium", "city": city, "country": "DE"})
    payload = {
        "@type": "Individual",
        "givenName": given,
        "familyName": family,
        "contactMedium": media,
    }
    payload.update(overrides)
    return payload


def create_person(client, given: str, family: str, **options) -> dict:
    response = client.post(f"{PARTY_API}/individual", json=person_payload(given, family, **options))
    assert response.status_code == 201, response.text
    return response.json()


def create_person_customer(client, given: str, family: str, force: bool = False, **options) -> dict:
    """A customer whose engaged party is a new individual made by ``create_person``."""
    return create_customer(client, create_person(client, given, family, **options), force)


def set_customer_status(client, customer: dict, status: str) -> dict:
    response = client.patch(f"{CUSTOMER_API}/customer/{customer['id']}", json={"status": status})
    assert response.status_code == 200, response.text
    return response.json()


def customer_payload(party: dict, **overrides) -> dict:
    """A valid customer document engaging ``party`` (not posted)."""
    payload = {
        "@type": "Customer",
        "name": party.get("name") or f"{party.get('givenName')} {party.get('familyName')}",
        "engagedParty": {"id": party["id"], "@referredType": party["@type"]},
    }
    payload.update(overrides)
    return payload


TMF_ERROR_KEYS = {"@type", "code", "reason", "message", "status"}


def assert_tmf_error(response, status: int, *names: str) -> dict:
    """``response`` is a ``status`` answer in exactly the TMF error shape, naming ``names``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == TMF_ERROR_KEYS, body
    assert body["@type"] == "Error"
    assert body["status"] == str(status)
    for key in ("code", "reason", "message"):
        assert isinstance(body[key], str) and body[key].strip(), body
    for name in names:
        assert name in body["message"], f"{name!r} not named in {body['message']!r}"
    return body


def total_count(client, collection: str, **filters) -> int:
    """X-Total-Count of a TMF collection (a full path), optionally filtered."""
    response = client.get(collection, params=filters)
    assert response.status_code == 200, response.text
    return int(response.headers["X-Total-Count"])
