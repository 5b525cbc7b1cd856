"""Links at the edge: stored documents hold ids; every href Parley answers or delivers is made
from the base URL of the moment, so a changed PARLEY_BASE_URL leaves nothing stale behind."""

import json
import uuid

import sqlalchemy as sa
from fastapi.testclient import TestClient

from parley.app import create_app
from parley.links import Links
from parley.settings import Settings
from tests.accounts.helpers import API as ACCOUNT_API
from tests.accounts.helpers import create_account
from tests.events.conftest import CUSTOMER_HUB, INTERACTION_HUB, deliver_all, subscribe
from tests.factories import create_customer, create_individual
from tests.interactions.helpers import API as INTERACTION_API
from tests.interactions.helpers import log_interaction
from tests.requests.helpers import raise_request

OLD, NEW = "http://testserver", "https://crm.example.net"
CUSTOMER_API = "/tmf-api/customerManagement/v5/customer"
TICKET_API = "/tmf-api/troubleTicket/v5/troubleTicket"
DOCUMENT_TABLES = (
    "party",
    "customer",
    "billing_account",
    "party_interaction",
    "sales_lead",
    "communication_message",
    "request_type",
    "customer_request",
)


def _hrefs(value) -> list[str]:
    if isinstance(value, list):
        return [h for item in value for h in _hrefs(item)]
    if isinstance(value, dict):
        own = [value["href"]] if isinstance(value.get("href"), str) else []
        return own + [h for item in value.values() for h in _hrefs(item)]
    return []


def test_every_href_follows_the_base_url_and_none_is_stored(
    client, settings, session, engine, listener, make_worker
):
    subscribe(client, CUSTOMER_HUB, f"{listener.url}/crm")
    subscribe(client, INTERACTION_HUB, f"{listener.url}/crm")
    person = create_individual(client)
    customer = create_customer(client, person)
    account = create_account(client, customer["id"], person)
    interaction = log_interaction(client, customer)
    ticket = raise_request(client, customer)
    assert customer["engagedParty"]["href"].startswith(OLD + "/")

    moved = create_app(settings.model_copy(update={"base_url": NEW}))
    try:
        with TestClient(moved, raise_server_exceptions=False) as other:
            other.headers.update(client.headers)
            answers = [
                other.get(f"{CUSTOMER_API}/{customer['id']}"),
                other.get(f"{ACCOUNT_API}/billingAccount/{account['id']}"),
                other.get(f"{INTERACTION_API}/partyInteraction/{interaction['id']}"),
                other.get(f"{TICKET_API}/{ticket['id']}"),
                other.get(CUSTOMER_API),
            ]
    finally:
        moved.state.engine.dispose()
    assert [a.status_code for a in answers] == [200] * 5
    hrefs = [h for a in answers for h in _hrefs(a.json())]
    assert len(hrefs) >= 10
    assert all(h.startswith(NEW + "/") for h in hrefs), hrefs
    # The same references, only the base changed.
    first = answers[0].json()
    assert first["engagedParty"]["href"] == customer["engagedParty"]["href"].replace(OLD, NEW)

    deliver_all(make_worker(base_url=NEW))
    delivered = [h for got in listener.received for h in _hrefs(got.json())]
    assert len(listener.received) >= 3 and delivered
    assert all(h.startswith(NEW + "/") for h in delivered), delivered

    with engine.connect() as connection:
        for table in DOCUMENT_TABLES:
            for (document,) in connection.execute(sa.text(f"SELECT document FROM {table}")):
                text = document if isinstance(document, str) else json.dumps(document)
                assert OLD not in text and NEW not in text, (table, text)


def test_parleys_own_hrefs_are_stripped_and_foreign_ones_kept(settings):
    links = Links(settings)
    c1 = "0b5c3f1e-0000-4000-8000-0000000000c1"  # Parley's customers have UUID ids
    own = links.href("Customer", c1)
    document = {
        "relatedParty": [
            {"id": c1, "href": own, "@referredType": "Customer"},
            {"id": "p9", "href": "https://other.example/party/p9", "@referredType": "Individual"},
            {"id": "t1", "href": links.href("TroubleTicket", "t1")},  # untyped: still ours
        ],
        "billingAccount": {"@type": "BillingAccountRef", "id": "a1"},
    }
    stripped = links.strip(json.loads(json.dumps(document)))
    assert stripped["relatedParty"] == [
        {"id": c1, "@referredType": "Customer"},
        document["relatedParty"][1],
        {"id": "t1"},
    ]
    filled = links.fill(stripped)
    assert filled["relatedParty"][0] == document["relatedParty"][0]
    assert filled["relatedParty"][1] == document["relatedParty"][1]  # foreign: as sent
    assert filled["billingAccount"]["href"] == links.href("BillingAccount", "a1")
    assert list(filled["billingAccount"]) == ["@type", "id", "href"]


def test_a_party_reference_by_another_systems_id_gets_no_parley_href(settings):
    """A customer or party id not of Parley's form names another system's (an external
    reference, parties/external.py): no href to a Parley resource that is not there."""
    external = {"id": "500", "@referredType": "Individual"}
    assert Links(settings).fill(external) == external


def test_hrefs_of_the_v4_views_are_parleys_own_too(settings):
    """The v4 APIs serve the same parties, customers and interactions: a v4 client sending
    their v4 hrefs back names Parley's own, as with the v5 hrefs."""
    links, party_id = Links(settings), str(uuid.uuid4())
    for path, kind in (
        ("partyManagement/v4/individual", "Individual"),
        ("partyManagement/v4/organization", "Organization"),
        ("customerManagement/v4/customer", "Customer"),
        ("partyInteraction/v4/partyInteraction", "PartyInteraction"),
    ):
        href = f"{settings.base_url}/tmf-api/{path}/{party_id}"
        assert links.own({"id": party_id, "href": href, "@referredType": kind}), kind
        assert links.own({"id": party_id, "href": href}), kind
        assert not links.own({"id": party_id, "href": href, "@referredType": "SalesLead"})
        foreign = f"https://bss.example/tmf-api/{path}/{party_id}"
        assert not links.own({"id": party_id, "href": foreign, "@referredType": kind})
    # Answers link to the v5 collections.
    assert links.fill({"id": party_id, "@referredType": "Individual"})["href"] == (
        f"{settings.base_url}/tmf-api/partyManagement/v5/individual/{party_id}"
    )


def test_a_duplicate_names_its_suspects_with_hrefs_of_the_base_url(client, settings):
    person = create_individual(client)
    create_customer(client, person)
    response = client.post(
        CUSTOMER_API,
        json={
            "@type": "Customer",
            "name": "Another customer of the same person",
            "engagedParty": {
                "@type": "PartyRef",
                "id": person["id"],
                "@referredType": "Individual",
            },
        },
    )
    assert response.status_code == 409, response.text
    assert f"{OLD}{CUSTOMER_API}/" in response.json()["message"]


def test_links_need_nothing_but_settings():
    links = Links(Settings(base_url="https://x.example/", _env_file=None))
    assert links.href("Individual", "i1") == (
        "https://x.example/tmf-api/partyManagement/v5/individual/i1"
    )
    assert links.href("Approval", "a1") == "https://x.example/api/v1/approvals/a1"


def test_references_in_nested_lists_get_their_hrefs_and_the_document_stays_as_stored(settings):
    """fill copies the containers it walks: a reference in a list of lists gets its href, the
    stored document (a row's, reused by the session) keeps none."""
    links, party_id = Links(settings), str(uuid.uuid4())
    reference = {"id": party_id, "@referredType": "Individual", "name": "Ada"}
    stored = {"groups": [[reference, "text", 3]], "validFor": {"startDateTime": "2026-01-01"}}
    filled = links.fill(stored)
    assert filled["groups"][0][0] == {
        "id": party_id,
        "href": links.href("Individual", party_id),
        "@referredType": "Individual",
        "name": "Ada",
    }
    assert list(filled["groups"][0][0]) == ["id", "href", "@referredType", "name"]
    assert filled["groups"][0][1:] == ["text", 3] and filled["validFor"] == stored["validFor"]
    assert "href" not in reference and stored["groups"][0][0] is reference
