"""TMF688: the domain event store as an integrator pulls it (filters, paging by offset, cursor
and after an event, retrieval), who sees which events, and the hub on it."""

from datetime import timedelta

import pytest

from parley.db.base import utcnow
from tests.auth.helpers import headers_for
from tests.contract.official_schemas import problems
from tests.events.conftest import deliver_all, subscribe
from tests.factories import assert_tmf_error, create_customer, create_individual

EVENTS = "/tmf-api/event/v4/event"
HUB = "/tmf-api/event/v4/hub"
CUSTOMER_API = "/tmf-api/customerManagement/v5/customer"


def _customer_with_history(client) -> dict:
    customer = create_customer(client, create_individual(client))
    client.patch(f"{CUSTOMER_API}/{customer['id']}", json={"name": "Anna S."})
    client.patch(f"{CUSTOMER_API}/{customer['id']}", json={"status": "suspended"})
    return customer


def _of_customer(events: list[dict], customer: dict) -> list[dict]:
    return [e for e in events if e["event"].get("customer", {}).get("id") == customer["id"]]


def test_the_store_lists_every_change_oldest_first_as_tmf688_events(client):
    customer = _customer_with_history(client)

    answer = client.get(EVENTS, params={"domain": "customerManagement", "limit": 100})

    assert answer.status_code == 200, answer.text
    events = _of_customer(answer.json(), customer)
    assert [e["eventType"] for e in events] == [
        "CustomerCreateEvent",
        "CustomerAttributeValueChangeEvent",
        "CustomerStateChangeEvent",
    ]
    created = events[0]
    assert created["@type"] == "Event"
    assert created["id"] == created["eventId"]
    assert created["href"] == f"http://testserver{EVENTS}/{created['id']}"
    assert created["domain"] == "customerManagement"
    assert created["timeOcurred"] == created["eventTime"]
    assert created["event"]["customer"]["href"].endswith(f"/customer/{customer['id']}")
    assert events[2]["description"] == "changed: status"
    assert events[2]["event"]["customer"]["status"] == "suspended"
    assert client.get(f"{EVENTS}/{created['id']}").json() == created
    assert [problems("TMF688-Event-v4.0.0.swagger.json", "Event", e) for e in events] == [[]] * 3


def test_event_type_and_time_filters(client):
    before = (utcnow() - timedelta(seconds=1)).isoformat()
    customer = _customer_with_history(client)
    after = (utcnow() + timedelta(seconds=1)).isoformat()

    states = client.get(EVENTS, params={"eventType": "CustomerStateChangeEvent"}).json()
    both = client.get(
        EVENTS, params={"eventType": "CustomerCreateEvent,CustomerStateChangeEvent"}
    ).json()
    since = client.get(EVENTS, params={"eventTime.gte": before, "domain": "customerManagement"})
    later = client.get(EVENTS, params={"eventTime.gt": after}).json()

    assert [e["eventType"] for e in _of_customer(states, customer)] == ["CustomerStateChangeEvent"]
    assert len(_of_customer(both, customer)) == 2
    assert len(_of_customer(since.json(), customer)) == 3
    assert later == []
    assert since.headers["X-Total-Count"] == str(len(since.json()))


@pytest.mark.parametrize(
    "params",
    [
        {"eventType": "NoSuchEvent"},
        {"domain": "nowhere"},
        {"eventTime.gt": "yesterday"},
        {"title": "x"},
        {"eventType.gt": "CustomerCreateEvent"},
        {"after": "no-such-event"},
        {"sort": "title"},
    ],
)
def test_bad_queries_are_a_400_never_an_empty_list(client, params):
    assert_tmf_error(client.get(EVENTS, params=params), 400)


def test_an_integrator_pulls_what_it_missed_after_an_event_and_by_cursor(client):
    first = _customer_with_history(client)
    seen = _of_customer(client.get(EVENTS).json(), first)[-1]
    second = _customer_with_history(client)

    missed = client.get(EVENTS, params={"after": seen["id"]}).json()
    page = client.get(EVENTS, params={"after": seen["id"], "limit": 2})
    rest = client.get(EVENTS, params={"cursor": page.headers["X-Next-Cursor"]}).json()
    by_offset = client.get(EVENTS, params={"after": seen["id"], "offset": 2}).json()

    assert _of_customer(missed, first) == []
    assert len(_of_customer(missed, second)) == 3
    assert [e["id"] for e in page.json() + rest] == [e["id"] for e in missed]
    assert [e["id"] for e in by_offset] == [e["id"] for e in missed[2:]]
    newest_first = client.get(EVENTS, params={"sort": "-eventTime"}).json()
    assert newest_first[0]["id"] == missed[-1]["id"]


def test_readers_see_the_events_of_the_apis_they_may_read(client, session, settings):
    customer = _customer_with_history(client)
    # Making a user grants it a role: a TMF672 PermissionCreateEvent, administrators' only.
    integration = headers_for(client, session, settings, "integration")

    theirs = client.get(EVENTS, params={"limit": 1000}, headers=integration).json()

    assert len(_of_customer(theirs, customer)) == 3
    assert {e["domain"] for e in theirs}.isdisjoint({"userRolesAndPermissions"})
    mine = client.get(EVENTS, params={"domain": "userRolesAndPermissions"}).json()
    role_event = next(e for e in mine if "permission" in e["event"])
    hidden = client.get(f"{EVENTS}/{role_event['id']}", headers=integration)
    assert_tmf_error(hidden, 404)
    refused = client.get(EVENTS, params={"domain": "userRolesAndPermissions"}, headers=integration)
    assert_tmf_error(refused, 400)
    agent = headers_for(client, session, settings, "agent")  # no event:read
    assert_tmf_error(client.get(EVENTS, headers=agent), 403)
    assert_tmf_error(client.get(f"{EVENTS}/no-such-id"), 404)


@pytest.mark.usefixtures("public_dns")
def test_the_hub_narrows_a_subscription_to_what_its_subscriber_may_read(client, session, settings):
    integration = headers_for(client, session, settings, "integration")
    agent = headers_for(client, session, settings, "agent")
    callback = "https://crm.example.net/tmf"

    everything = client.post(HUB, json={"callback": callback})
    narrowed = client.post(
        HUB,
        json={"callback": callback, "query": "eventType=CustomerCreateEvent"},
        headers=integration,
    )

    assert everything.status_code == narrowed.status_code == 201
    assert "query" not in everything.json()
    query = narrowed.json()["query"]
    assert query.startswith("domain=") and query.endswith("&eventType=CustomerCreateEvent")
    assert "customerManagement" in query and "userRolesAndPermissions" not in query
    assert_tmf_error(client.post(HUB, json={"callback": callback}, headers=agent), 403)
    bad = {"callback": callback, "query": ["eventType=CustomerCreateEvent"]}
    assert_tmf_error(client.post(HUB, json=bad, headers=integration), 400)


def test_a_hub_subscriber_gets_every_api_s_events(client, listener, make_worker):
    subscribe(client, HUB, f"{listener.url}/all", query="domain=customerManagement")
    customer = _customer_with_history(client)

    deliver_all(make_worker())

    paths = [got.path for got in listener.received]
    assert paths == [
        "/all/listener/customerCreateEvent",
        "/all/listener/customerAttributeValueChangeEvent",
        "/all/listener/customerAttributeValueChangeEvent",
        "/all/listener/customerStateChangeEvent",
    ]
    created = listener.received[0].json()
    assert created["domain"] == "customerManagement"
    assert created["event"]["customer"]["id"] == customer["id"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "offset=-1",
        "cursor=not-a-cursor",
        "cursor=WzFd",
        "offset=1&cursor=WzFd",
        "after=",
        "eventType=",
        "domain=a%00b",
        "eventTime.gte=2026-01-01&eventTime.lt=2026-01-01T00:00:00",
        "fields=nothing",
        "sort=-eventTime,-eventTime",
    ],
)
def test_odd_queries_are_answered_4xx_never_5xx(client, query):
    _customer_with_history(client)

    answer = client.get(f"{EVENTS}?{query}")

    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["@type"] == "Error"
