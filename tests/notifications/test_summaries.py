"""A summary of an interaction for the customer, as its reason's summary policy says: never,
when the agent (or a client) asks, or always, however the interaction was completed."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from parley.events.fanout import EventFanOut
from parley.notifications.models import CommunicationMessage
from parley.outbox.channels import Message
from parley.outbox.models import EVENT_KIND, OutboxMessage
from tests.factories import assert_tmf_error, create_customer
from tests.interactions.helpers import API, log_interaction

REASONS = "/api/v1/interaction-reasons"


def _summary(client, interaction: dict):
    return client.post(f"/api/v1/interactions/{interaction['id']}/summary")


def _summaries(session) -> list[SimpleNamespace]:
    """The summaries sent, read in a transaction of their own (on SQLite an open one would
    hold the write lock in a committed test)."""
    session.expire_all()
    found = [
        SimpleNamespace(id=m.id, customer_id=m.customer_id, channel=m.channel, document=m.document)
        for m in session.scalars(select(CommunicationMessage))
    ]
    session.rollback()
    return [m for m in found if (m.document.get("description") or "").startswith("summary of")]


def _notes(client, interaction: dict) -> list[dict]:
    found = client.get(f"{API}/partyInteraction/{interaction['id']}").json()
    return [note for note in found.get("note") or [] if note.get("id") == "summary"]


def test_a_summary_is_sent_when_asked_for_a_reason_where_the_agent_decides(client, session):
    customer = create_customer(client)
    client.patch(f"{REASONS}/complaint", json={"summaryPolicy": "agentDecides"})
    done = log_interaction(
        client, customer, reason="complaint", status="completed", description="Fault took long"
    )

    sent = _summary(client, done)

    assert sent.status_code == 201, sent.text
    (message,) = _summaries(session)
    assert sent.json()["message"]["id"] == message.id
    assert message.customer_id == customer["id"] and message.channel == "email"
    assert "Complaint. Fault took long." in message.document["content"]
    assert "summary" in _notes(client, done)[0]["text"].lower()
    again = _summary(client, done)
    assert_tmf_error(again, 409, "sent already")
    assert len(_summaries(session)) == 1


def test_no_summary_for_a_reason_that_sends_none_or_an_open_interaction(client, session):
    customer = create_customer(client)
    never = log_interaction(client, customer, status="completed")  # billing.enquiry: never
    client.patch(f"{REASONS}/complaint", json={"summaryPolicy": "always"})
    still_open = log_interaction(client, customer, reason="complaint", status="inProgress")

    assert_tmf_error(_summary(client, never), 409, "summaryPolicy")
    assert_tmf_error(_summary(client, still_open), 409, "not completed")
    assert_tmf_error(
        client.post("/api/v1/interactions/00000000-0000-4000-8000-000000000000/summary"), 404
    )
    assert _summaries(session) == []


def _fan_out(engine, settings) -> None:
    """The event worker's fan-out of every event written so far (twice: it is idempotent)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(OutboxMessage).where(OutboxMessage.kind == EVENT_KIND)
        ).all()
    fan_out = EventFanOut(settings)
    try:
        for _ in range(2):
            for row in rows:
                message = Message(row.id, row.kind, {}, row.payload, row.idempotency_key, 1)
                assert fan_out.deliver(message).result == "delivered"
    finally:
        fan_out.close()


@pytest.mark.committed
def test_a_reason_that_always_sends_one_sends_it_once_however_completed(
    client, session, engine, settings
):
    customer = create_customer(client)
    client.patch(f"{REASONS}/fault.report", json={"summaryPolicy": "always"})
    at_once = log_interaction(
        client, customer, reason="fault.report", status="completed", description="No signal"
    )
    later = log_interaction(client, customer, reason="fault.report", status="inProgress")
    completed = client.patch(f"{API}/partyInteraction/{later['id']}", json={"status": "completed"})
    assert completed.status_code == 200, completed.text
    log_interaction(client, customer, status="completed")  # billing.enquiry: never

    _fan_out(engine, settings)

    sent = _summaries(session)
    assert sorted(m.document["description"] for m in sent) == sorted(
        f"summary of interaction {i['id']}" for i in (at_once, later)
    )
    assert len(_notes(client, at_once)) == len(_notes(client, later)) == 1
    assert_tmf_error(_summary(client, at_once), 409, "sent already")
