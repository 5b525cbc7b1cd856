"""Hub callbacks reach a real HTTP listener: signed, at <callback>/listener/<eventName>, in the
TMF envelope, for creates, attribute changes, state/status changes and deletes."""

import pytest
from sqlalchemy import func, select

from parley.changes.recorder import EVENT_KIND
from parley.db.base import utcnow
from parley.events.fanout import EventFanOut, listener_url
from parley.events.models import EventSubscription
from parley.keyfile import read_or_make
from parley.outbox.channels import Message
from parley.outbox.models import OutboxMessage
from tests.events.conftest import (
    CUSTOMER_HUB,
    INTERACTION_HUB,
    INTERACTION_V4_HUB,
    deliver_all,
    signed_by,
    subscribe,
)
from tests.factories import assert_tmf_error, create_customer, create_individual
from tests.interactions.helpers import V4_API, log_interaction

CUSTOMER_API = "/tmf-api/customerManagement/v5/customer"
CUSTOMER_V4_API = "/tmf-api/customerManagement/v4/customer"
CUSTOMER_V4_HUB = "/tmf-api/customerManagement/v4/hub"
PARTY_V4_HUB = "/tmf-api/partyManagement/v4/hub"
INTERACTION_API = "/tmf-api/partyInteractionManagement/v5/partyInteraction"


def _customer_lifecycle(client) -> dict:
    customer = create_customer(client, create_individual(client))
    renamed = client.patch(f"{CUSTOMER_API}/{customer['id']}", json={"name": "Anna S."})
    suspended = client.patch(f"{CUSTOMER_API}/{customer['id']}", json={"status": "suspended"})
    deleted = client.delete(f"{CUSTOMER_API}/{customer['id']}")
    assert (renamed.status_code, suspended.status_code, deleted.status_code) == (200, 200, 204)
    return customer


def test_a_customer_subscriber_gets_every_change_signed_in_the_tmf_envelope(
    client, listener, make_worker
):
    subscribe(client, CUSTOMER_HUB, f"{listener.url}/crm/")
    customer = _customer_lifecycle(client)

    deliver_all(make_worker())

    paths = [got.path for got in listener.received]
    assert paths == [
        "/crm/listener/customerCreateEvent",
        "/crm/listener/customerAttributeValueChangeEvent",
        "/crm/listener/customerAttributeValueChangeEvent",
        "/crm/listener/customerStateChangeEvent",
        "/crm/listener/customerDeleteEvent",
    ]
    assert all(signed_by(got) for got in listener.received)
    bodies = [got.json() for got in listener.received]
    created, renamed, _, state, deleted = bodies
    assert created["eventType"] == created["@type"] == "CustomerCreateEvent"
    assert created["timeOccurred"] == created["eventTime"]
    shown = created["event"]["customer"]
    assert shown["id"] == customer["id"]
    assert shown["href"] == f"http://testserver{CUSTOMER_API}/{customer['id']}"
    assert shown["@type"] == "Customer" and shown["status"] == "active"
    assert renamed["event"]["customer"]["name"] == "Anna S."
    assert "name" in renamed["description"]
    assert state["event"]["customer"]["status"] == "suspended"
    assert deleted["event"]["customer"]["id"] == customer["id"]
    # Each TMF event has its own id; the delivery key joins it to the subscription.
    assert len({body["eventId"] for body in bodies}) == 5
    assert all(got.key.startswith(got.json()["eventId"] + ":") for got in listener.received)


def test_v5_and_v4_interaction_subscribers_get_their_own_shapes(client, listener, make_worker):
    subscribe(client, INTERACTION_HUB, f"{listener.url}/v5")
    subscribe(client, INTERACTION_V4_HUB, f"{listener.url}/v4")
    customer = create_customer(client, create_individual(client))
    logged = log_interaction(client, customer)
    completed = client.patch(
        f"{INTERACTION_API}/{logged['id']}",
        json={"status": "completed", "interactionDate": {"endDateTime": logged["creationDate"]}},
    )
    assert completed.status_code == 200, completed.text
    assert client.delete(f"{INTERACTION_API}/{logged['id']}").status_code == 204

    deliver_all(make_worker())

    by_path = {}
    for got in listener.received:
        assert signed_by(got)
        by_path.setdefault(got.path, []).append(got.json())
    for version in ("v5", "v4"):
        assert sorted(p for p in by_path if p.startswith(f"/{version}/")) == [
            f"/{version}/listener/{name}"
            for name in (
                "partyInteractionAttributeValueChangeEvent",
                "partyInteractionCreateEvent",
                "partyInteractionDeleteEvent",
                "partyInteractionStatusChangeEvent",
            )
        ]
    (v5,) = by_path["/v5/listener/partyInteractionCreateEvent"]
    (v4,) = by_path["/v4/listener/partyInteractionCreateEvent"]
    assert v5["@type"] == "PartyInteractionCreateEvent" and "timeOccurred" in v5
    assert "@type" not in v4 and v4["timeOcurred"] == v4["eventTime"]  # v4's spelling
    v5_shown, v4_shown = v5["event"]["partyInteraction"], v4["event"]["partyInteraction"]
    assert v5_shown["id"] == v4_shown["id"] == logged["id"]
    assert "relatedChannel" in v5_shown and "channel" not in v5_shown
    assert "channel" in v4_shown and "relatedChannel" not in v4_shown
    assert v4_shown["href"] == f"http://testserver{V4_API}/partyInteraction/{logged['id']}"
    assert v5_shown["creationDate"] == logged["creationDate"]
    (status,) = by_path["/v4/listener/partyInteractionStatusChangeEvent"]
    assert status["event"]["partyInteraction"]["status"] == "completed"


def test_v4_party_and_customer_subscribers_get_v4_shapes(client, listener, make_worker):
    subscribe(client, CUSTOMER_V4_HUB, f"{listener.url}/customers")
    subscribe(client, PARTY_V4_HUB, f"{listener.url}/parties", "eventType=IndividualCreateEvent")
    person = create_individual(client, status="deceased")
    customer = _customer_lifecycle(client)

    deliver_all(make_worker())

    by_path = {}
    for got in listener.received:
        by_path.setdefault(got.path, []).append(got.json())
    assert sorted(by_path) == [
        "/customers/listener/customerAttributeValueChangeEvent",
        "/customers/listener/customerCreateEvent",
        "/customers/listener/customerDeleteEvent",
        "/customers/listener/customerStateChangeEvent",
        "/parties/listener/individualCreateEvent",
    ]
    (created,) = by_path["/customers/listener/customerCreateEvent"]
    assert "@type" not in created and created["timeOcurred"] == created["eventTime"]
    shown = created["event"]["customer"]
    assert shown["href"] == f"http://testserver{CUSTOMER_V4_API}/{customer['id']}"
    assert shown["engagedParty"]["@type"] == "RelatedParty"
    assert shown["characteristic"][0]["@type"] == "Characteristic"
    individuals = [
        e["event"]["individual"] for e in by_path["/parties/listener/individualCreateEvent"]
    ]
    (deceased,) = [i for i in individuals if i["id"] == person["id"]]
    assert deceased["status"] == "deceaded"  # v4's spelling
    assert deceased["contactMedium"][0]["mediumType"] == "telephoneNumber"


def test_the_query_filters_by_event_type_and_by_attribute(client, listener, make_worker):
    subscribe(client, CUSTOMER_HUB, f"{listener.url}/created", "eventType=CustomerCreateEvent")
    subscribe(
        client,
        CUSTOMER_HUB,
        f"{listener.url}/suspended",
        "event.customer.status=suspended&eventType=CustomerStateChangeEvent,CustomerDeleteEvent",
    )
    _customer_lifecycle(client)

    deliver_all(make_worker())

    assert sorted(got.path for got in listener.received) == [
        "/created/listener/customerCreateEvent",
        "/suspended/listener/customerDeleteEvent",
        "/suspended/listener/customerStateChangeEvent",
    ]


def test_a_removed_subscription_gets_nothing_more(client, listener, make_worker):
    kept = subscribe(client, CUSTOMER_HUB, f"{listener.url}/kept")
    removed = subscribe(client, CUSTOMER_HUB, f"{listener.url}/removed")
    assert client.delete(f"{CUSTOMER_HUB}/{removed['id']}").status_code == 204

    create_customer(client, create_individual(client))
    deliver_all(make_worker())

    assert [got.path for got in listener.received] == ["/kept/listener/customerCreateEvent"]
    assert client.get(f"{CUSTOMER_HUB}/{removed['id']}").status_code == 404
    assert client.get(f"{CUSTOMER_HUB}/{kept['id']}").json()["callback"] == f"{listener.url}/kept"


@pytest.mark.committed  # the fan-out opens its own engine
def test_a_fan_out_run_twice_adds_no_duplicate_callbacks(client, session, settings, listener):
    subscribe(client, CUSTOMER_HUB, f"{listener.url}/a")
    subscribe(client, CUSTOMER_HUB, f"{listener.url}/b")
    create_customer(client, create_individual(client))
    events = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == EVENT_KIND))
    (row,) = [row for row in events if row.payload["resourceType"] == "customer"]
    message = Message(row.id, row.kind, row.destination, row.payload, row.idempotency_key, 1)
    session.rollback()  # the fan-out works in a transaction of its own
    fan_out = EventFanOut(settings)
    try:
        first, again = fan_out.deliver(message), fan_out.deliver(message)  # a crash, say
    finally:
        fan_out.close()

    assert first.result == again.result == "delivered"
    webhooks = select(func.count()).where(OutboxMessage.kind == "webhook")
    assert session.scalar(webhooks) == 2


def test_a_query_or_fragment_in_a_callback_cannot_choose_the_path(client, listener, make_worker):
    """The probe's ``.../internal/admin/reset#`` made the listener path vanish: a fragment is
    refused, and a query stays after the listener path, which is always there."""
    reset = f"{listener.url}/internal/admin/reset"
    assert_tmf_error(client.post(CUSTOMER_HUB, json={"callback": f"{reset}#"}), 400, "callback")
    subscribe(client, CUSTOMER_HUB, f"{reset}?")
    subscribe(client, CUSTOMER_HUB, f"{listener.url}/crm?tenant=7")
    create_customer(client, create_individual(client))

    deliver_all(make_worker())

    assert sorted(got.path for got in listener.received) == [
        "/crm/listener/customerCreateEvent?tenant=7",
        "/internal/admin/reset/listener/customerCreateEvent",
    ]


def test_callbacks_stored_before_the_policy_neither_choose_the_path_nor_stop_the_others(
    client, session, listener, make_worker
):
    for callback in (f"{listener.url}/reset#", f"http://user:pw@{listener.url[7:]}/creds"):
        session.add(
            EventSubscription(
                api="TMF629", callback=callback, created_by="before", created_at=utcnow()
            )
        )
    session.commit()
    subscribe(client, CUSTOMER_HUB, f"{listener.url}/crm")
    create_customer(client, create_individual(client))

    deliver_all(make_worker())

    assert sorted(got.path for got in listener.received) == [
        "/crm/listener/customerCreateEvent",
        "/reset/listener/customerCreateEvent",
    ]


def test_the_listener_path_is_joined_onto_the_callbacks_path():
    created = {"eventType": "CustomerCreateEvent"}
    assert listener_url("https://crm.example.net/tmf/", created) == (
        "https://crm.example.net/tmf/listener/customerCreateEvent"
    )
    assert listener_url("https://crm.example.net", created) == (
        "https://crm.example.net/listener/customerCreateEvent"
    )
    assert listener_url("http://h/internal/admin/reset?a=1#x", created) == (
        "http://h/internal/admin/reset/listener/customerCreateEvent?a=1"
    )


def test_a_callback_that_is_a_listener_url_already_is_called_as_given():
    created = {"eventType": "CustomerCreateEvent"}
    assert listener_url("https://crm.example.net/tmf/listener", created) == (
        "https://crm.example.net/tmf/listener/customerCreateEvent"
    )
    assert listener_url("https://crm.example.net/listener/", created) == (
        "https://crm.example.net/listener/customerCreateEvent"
    )
    assert listener_url("https://crm.example.net/hooks/customerCreateEvent?k=1", created) == (
        "https://crm.example.net/hooks/customerCreateEvent?k=1"
    )
    assert listener_url("https://crm.example.net/listener/CustomerCreateEvent", created) == (
        "https://crm.example.net/listener/CustomerCreateEvent"
    )


def test_a_subscriber_without_a_secret_of_its_own_gets_bodies_signed_by_the_host_key(
    client, listener, make_worker, tmp_path, monkeypatch
):
    """Issue 18: without PARLEY_WEBHOOK_SECRET and a subscription secret, events went out
    unsigned; now they are signed with the key kept in parley-webhook.key."""
    monkeypatch.chdir(tmp_path)
    read_or_make.cache_clear()
    try:
        subscribe(client, CUSTOMER_HUB, f"{listener.url}/crm", secret=None)
        create_customer(client, create_individual(client))

        deliver_all(make_worker(webhook_secret=None))

        key = (tmp_path / "parley-webhook.key").read_text().strip()
        (got,) = listener.received
        assert got.path == "/crm/listener/customerCreateEvent"
        assert signed_by(got, key)
    finally:
        read_or_make.cache_clear()
