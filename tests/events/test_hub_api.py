"""The hub endpoints: what a subscription looks like, who may make one, read and remove it (its
creator and administrators), and bad input refused with a 400 in the TMF error shape,
storing nothing."""

import pytest
from sqlalchemy import func, select

from parley.changes.models import AuditEntry
from parley.db.base import utcnow
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


def test_a_subscription_is_read_and_removed_by_its_creator_alone(client, session, settings):
    owner = headers_for(client, session, settings, "integration")
    other = headers_for(client, session, settings, "integration")
    made = client.post(CUSTOMER_HUB, json={"callback": CALLBACK}, headers=owner).json()
    url = f"{CUSTOMER_HUB}/{made['id']}"

    assert_tmf_error(client.get(url, headers=other), 404)
    assert_tmf_error(client.delete(url, headers=other), 404)
    assert client.get(url, headers=owner).json() == made
    assert client.delete(url, headers=owner).status_code == 204
    assert _stored(session) == 0


def test_administrators_read_and_remove_anyones_subscription(client, session, settings):
    integration = headers_for(client, session, settings, "integration")
    administrator = headers_for(client, session, settings, "administrator")
    made = client.post(CUSTOMER_HUB, json={"callback": CALLBACK}, headers=integration).json()
    url = f"{CUSTOMER_HUB}/{made['id']}"

    assert client.get(url, headers=administrator).json() == made
    assert client.delete(url, headers=administrator).status_code == 204
    assert_tmf_error(client.get(url, headers=integration), 404)


def test_a_subscription_without_an_owner_is_for_administrators_only(client, session, settings):
    """Made before owners were kept, by a user since deleted (migration 0015)."""
    orphan = EventSubscription(
        api="TMF629", callback=CALLBACK, created_by="gone", owner_id=None, created_at=utcnow()
    )
    session.add(orphan)
    session.commit()
    url = f"{CUSTOMER_HUB}/{orphan.id}"
    integration = headers_for(client, session, settings, "integration")

    assert_tmf_error(client.get(url, headers=integration), 404)
    assert_tmf_error(client.delete(url, headers=integration), 404)
    assert client.get(url).status_code == 200  # the client fixture is an administrator
    assert client.delete(url).status_code == 204
