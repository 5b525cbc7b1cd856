"""The hub endpoints: what a subscription looks like, who may make one, and bad input refused
with a 400 in the TMF error shape, storing nothing."""

import pytest
from sqlalchemy import func, select

from parley.changes.models import AuditEntry
from parley.events.models import EventSubscription
from tests.auth.helpers import headers_for
from tests.events.conftest import CUSTOMER_HUB, INTERACTION_V4_HUB, SECRET
from tests.factories import assert_tmf_error

# Partners' callbacks resolve to a public address, as on the Internet.
pytestmark = pytest.mark.usefixtures("public_dns")

ROLES_HUB = "/tmf-api/userRolesAndPermissions/v4/hub"
CALLBACK = "https://crm.example.net/tmf"


def _stored(session) -> int:
    return session.scalar(select(func.count()).select_from(EventSubscription))


def test_a_v5_hub_answers_the_hub_shape_and_keeps_the_secret_to_itself(client, session):
    made = client.post(
        CUSTOMER_HUB,
        json={"callback": CALLBACK, "query": "eventType=CustomerCreateEvent", "secret": SECRET},
    )

    assert made.status_code == 201, made.text
    body = made.json()
    assert body == {
        "id": body["id"],
        "callback": CALLBACK,
        "query": "eventType=CustomerCreateEvent",
        "href": f"http://testserver{CUSTOMER_HUB}/{body['id']}",
        "@type": "Hub",
    }
    assert made.headers["Location"] == body["href"]
    assert client.get(f"{CUSTOMER_HUB}/{body['id']}").json() == body
    assert client.delete(f"{CUSTOMER_HUB}/{body['id']}").status_code == 204
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.resource_type == "eventSubscription")
    ).all()
    assert sorted(actions) == ["create", "delete"]
    assert SECRET not in str(session.scalars(select(AuditEntry.after)).all())


def test_a_v4_hub_answers_the_event_subscription_shape(client):
    made = client.post(INTERACTION_V4_HUB, json={"callback": CALLBACK})

    assert made.status_code == 201
    assert made.json() == {"id": made.json()["id"], "callback": CALLBACK}


def test_a_subscription_belongs_to_its_api(client):
    made = client.post(CUSTOMER_HUB, json={"callback": CALLBACK}).json()

    assert_tmf_error(client.get(f"{INTERACTION_V4_HUB}/{made['id']}"), 404)
    assert_tmf_error(client.delete(f"{INTERACTION_V4_HUB}/{made['id']}"), 404)
    assert_tmf_error(client.delete(f"{CUSTOMER_HUB}/no-such-id"), 404)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"callback": "ftp://crm.example.net/tmf"},
        {"callback": "crm.example.net"},
        {"callback": "https://crm.example.net/" + "x" * 2000},
        {"callback": 42},
        {"callback": CALLBACK, "query": "status"},
        {"callback": CALLBACK, "query": "event..customer=1"},
        {"callback": CALLBACK, "query": "eventType="},
        {"callback": CALLBACK, "query": "eventType=PartyInteractionCreateEvent"},
        {"callback": CALLBACK, "query": ["eventType=CustomerCreateEvent"]},
        {"callback": CALLBACK, "secret": "short"},
    ],
)
def test_bad_input_is_a_400_and_stores_nothing(client, session, body):
    answer = client.post(CUSTOMER_HUB, json=body)

    assert_tmf_error(answer, 400)
    assert _stored(session) == 0


def test_a_body_that_is_not_an_object_is_a_400(client, session):
    assert_tmf_error(client.post(CUSTOMER_HUB, json=["callback"]), 400)
    assert_tmf_error(
        client.post(CUSTOMER_HUB, content=b"{", headers={"Content-Type": "application/json"}), 400
    )
    assert _stored(session) == 0


def test_subscribing_needs_event_subscribe_and_the_apis_read_permission(client, session, settings):
    agent = headers_for(client, session, settings, "agent")  # reads customers, no subscribe
    integration = headers_for(client, session, settings, "integration")

    refused = client.post(CUSTOMER_HUB, json={"callback": CALLBACK}, headers=agent)
    assert_tmf_error(refused, 403)
    # An integration subscribes to customers, but may not read roles: no roles' events.
    assert (
        client.post(CUSTOMER_HUB, json={"callback": CALLBACK}, headers=integration).status_code
        == 201
    )
    assert_tmf_error(client.post(ROLES_HUB, json={"callback": CALLBACK}, headers=integration), 403)
    assert _stored(session) == 1
