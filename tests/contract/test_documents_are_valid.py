"""Every document Parley writes is valid against the official TMF schemas, in both versions:
the demo data, and what Parley makes itself (the interaction of a request raised without one,
of a message delivered; a lead's owner; the placeholder party behind another system's), and
what a v4 client writes, read back through the APIs of both versions as integrators read
them."""

import pytest

from parley.demo import loader as demo_loader
from parley.demo.loader import load_demo
from tests.contract.official_schemas import problems
from tests.factories import create_customer
from tests.interactions.helpers import API as INTERACTIONS_V5
from tests.interactions.helpers import V4_API as INTERACTIONS_V4
from tests.interactions.helpers import log_interaction
from tests.leads.helpers import LEADS, create_lead, new_prospect
from tests.notifications.test_communication_api import (  # noqa: F401 (fixtures)
    API as MESSAGES,
)
from tests.notifications.test_communication_api import _sms, run_worker, transports  # noqa: F401
from tests.requests.helpers import TICKETS, raise_request

CUSTOMERS = "/tmf-api/customerManagement/v5/customer"
CUSTOMERS_V4 = "/tmf-api/customerManagement/v4/customer"
PARTIES = "/tmf-api/partyManagement"
# (list URL, official file, schema)
COLLECTIONS = (
    (CUSTOMERS, "TMF629-CustomerManagement-v5.0.1.oas.yaml", "Customer"),
    (f"{PARTIES}/v5/individual", "TMF632-PartyManagement-v5.0.0.oas.yaml", "Individual"),
    (f"{PARTIES}/v5/organization", "TMF632-PartyManagement-v5.0.0.oas.yaml", "Organization"),
    (CUSTOMERS_V4, "TMF629-Customer-v4.0.0.swagger.json", "Customer"),
    (f"{PARTIES}/v4/individual", "TMF632-Party-v4.0.0.swagger.json", "Individual"),
    (f"{PARTIES}/v4/organization", "TMF632-Party-v4.0.0.swagger.json", "Organization"),
    (
        f"{INTERACTIONS_V5}/partyInteraction",
        "TMF683-PartyInteraction-v5.0.0.oas.yaml",
        "PartyInteraction",
    ),
    (
        f"{INTERACTIONS_V4}/partyInteraction",
        "TMF683-PartyInteraction-v4.0.0.swagger.json",
        "PartyInteraction",
    ),
    (TICKETS, "TMF621-TroubleTicket-v5.0.1.oas.yaml", "TroubleTicket"),
    (MESSAGES, "TMF681-Communication-v4.0.0.swagger.json", "CommunicationMessage"),
    (LEADS, "TMF699-Sales-v4.0.0.swagger.json", "SalesLead"),
)


@pytest.fixture
def documents(client, session, settings, monkeypatch, run_worker, transports) -> dict:  # noqa: F811
    monkeypatch.setattr(demo_loader, "SECURED_CUSTOMERS", 1)  # argon2 is slow; one shows it
    load_demo(session, settings, 6, seed=7, if_empty=False)
    session.commit()
    customer = client.get(CUSTOMERS, params={"limit": 1}).json()[0]
    raise_request(client, customer)  # Parley logs its interaction
    reachable = create_customer(client)  # one with a mobile number
    sent = client.post(MESSAGES, json=_sms(reachable))
    assert sent.status_code == 201, sent.text
    url = f"{MESSAGES}/{sent.json()['id']}"
    for _ in range(50):  # the demo's events go first: passes until the message has gone
        run_worker()
        if client.get(url).json()["state"] == "completed":
            break
    else:
        raise AssertionError("the message was never delivered")
    logged = f"{INTERACTIONS_V5}/partyInteraction"
    assert client.get(logged, params={"relatedParty.id": reachable["id"]}).json(), "not logged"
    log_interaction(client, customer)  # through v5, read back in v4 too
    create_lead(client, new_prospect(client))
    _through_v4(client)
    found = {}
    for url, _, _ in COLLECTIONS:
        answer = client.get(url, params={"limit": 1000})
        assert answer.status_code == 200, answer.text
        found[url] = answer.json()
    return found


def _through_v4(client) -> None:
    """A customer of another system's party (Parley makes the placeholder party behind it)
    and a person with v4's contact media, characteristics and identifiers, made on v4."""
    engaged = {"@referredType": "Organization", "id": "500", "name": "Moon Ltd"}
    made = client.post(CUSTOMERS_V4, json={"name": "Moon Football Club", "engagedParty": engaged})
    assert made.status_code == 201, made.text
    person = {
        "givenName": "Jane",
        "familyName": "Lamborgizzia",
        "contactMedium": [
            {"mediumType": "email", "characteristic": {"emailAddress": "jane@example.org"}},
            {"mediumType": "postalAddress", "characteristic": {"city": "Kiel", "street1": "Weg 1"}},
        ],
        "partyCharacteristic": [{"name": "languages", "value": ["de", "en"]}],
        "externalReference": [{"name": "C-1", "externalReferenceType": "bssId"}],
    }
    made = client.post(f"{PARTIES}/v4/individual", json=person)
    assert made.status_code == 201, made.text


@pytest.mark.usefixtures("transports")
@pytest.mark.parametrize(("url", "filename", "schema"), COLLECTIONS, ids=lambda v: str(v)[-30:])
def test_every_document_is_valid_against_the_official_schema(documents, url, filename, schema):
    assert documents[url], f"no {schema} to check"
    wrong = {
        document["id"]: found
        for document in documents[url]
        if (found := problems(filename, schema, document))
    }
    distinct = sorted({problem for found in wrong.values() for problem in found})
    assert wrong == {}, f"{len(wrong)} of {len(documents[url])} invalid: {distinct}"


def test_the_discriminator_decides_which_schema_a_reference_meets():
    v5 = "TMF683-PartyInteraction-v5.0.0.oas.yaml"
    party = {"@type": "RelatedPartyOrPartyRole", "role": "customer"}
    ok = {**party, "partyOrPartyRole": {"@type": "PartyRoleRef", "id": "c-1"}}
    unknown = {**party, "partyOrPartyRole": {"@type": "Nobody", "id": "c-1"}}
    untyped = {**party, "partyOrPartyRole": {"id": "c-1"}}

    assert problems(v5, "RelatedPartyOrPartyRole", ok) == []
    assert problems(v5, "RelatedPartyOrPartyRole", unknown) != []
    assert problems(v5, "RelatedPartyOrPartyRole", untyped) != []


@pytest.mark.usefixtures("transports")
def test_users_and_channels_are_referred_to_by_their_urn(documents, client):
    lead = documents[LEADS][0]
    (owner,) = [p for p in lead["relatedParty"] if p["role"] == "owner"]
    interaction = documents[f"{INTERACTIONS_V4}/partyInteraction"][0]
    channel = interaction["channel"][0]

    assert owner["href"] == f"urn:parley:user:{owner['id']}"
    assert channel["href"] == f"urn:parley:channel:{channel['id']}"
    # Sent back, they are recognised as Parley's and not stored as foreign hrefs.
    url = f"{INTERACTIONS_V4}/partyInteraction/{interaction['id']}"
    v5 = client.get(url.replace(INTERACTIONS_V4, INTERACTIONS_V5)).json()
    assert "href" not in v5["relatedChannel"][0]["channel"]
    kept = client.patch(f"{LEADS}/{lead['id']}", json={"relatedParty": lead["relatedParty"]})
    assert kept.status_code == 200, kept.text
    (again,) = [p for p in kept.json()["relatedParty"] if p["role"] == "owner"]
    assert again["href"] == owner["href"]
