"""Enqueueing: the message lives and dies with the caller's transaction; bad input is refused
when enqueued, not found out by a worker later."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from parley.changes import UnitOfWork
from parley.db.base import utcnow
from parley.errors import InvalidInput
from parley.outbox.models import PENDING, OutboxMessage
from parley.parties.models import Customer
from tests.auth.helpers import SYSTEM
from tests.factories import customer_payload, individual_payload
from tests.outbox.conftest import outbox_service

URL = "http://127.0.0.1:9/hook"


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _webhooks(session) -> int:
    """Webhook messages only: the customer's creation also enqueues its domain event."""
    kept = select(func.count()).where(OutboxMessage.kind == "webhook")
    return session.scalar(kept)


def _customer_with_notice(session, settings):
    """A change of another domain and its side effect, in one unit of work."""
    from parley.parties.service import PartyService

    parties = PartyService(UnitOfWork(session, settings, SYSTEM))
    party = parties.create_party("Individual", individual_payload())
    customer = parties.create_customer(
        customer_payload({"id": party.id, "@type": "Individual", **party.document})
    )
    outbox_service(session).enqueue("webhook", {"url": URL}, {"customerId": customer.id})


def test_a_rolled_back_transaction_leaves_no_message(session, settings):
    _customer_with_notice(session, settings)
    assert _webhooks(session) == 1  # visible inside the transaction

    session.rollback()

    assert _count(session, OutboxMessage) == 0  # the customer's event went with it too
    assert _count(session, Customer) == 0


def test_a_committed_transaction_keeps_the_change_and_its_message(session, settings):
    _customer_with_notice(session, settings)
    session.commit()

    message = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook")).one()
    assert message.status == PENDING and message.attempts == 0
    assert message.payload == {"customerId": session.scalars(select(Customer.id)).one()}
    assert message.idempotency_key == message.id  # the default key
    assert message.next_attempt_at <= utcnow()


def test_the_same_idempotency_key_enqueues_once(session):
    service = outbox_service(session)
    first = service.enqueue("webhook", {"url": URL}, {"n": 1}, idempotency_key="event-42")
    again = service.enqueue("webhook", {"url": URL}, {"n": 1}, idempotency_key="event-42")
    session.commit()

    assert first.created and not again.created
    assert again.id == first.id and again.idempotency_key == "event-42"
    assert _count(session, OutboxMessage) == 1


def test_not_before_delays_the_first_attempt(session):
    later = utcnow() + timedelta(hours=1)
    made = outbox_service(session).enqueue("webhook", {"url": URL}, {}, not_before=later)

    assert session.get(OutboxMessage, made.id).next_attempt_at == later


@pytest.mark.parametrize(
    ("kind", "destination", "payload", "field"),
    [
        ("carrier-pigeon", {"url": URL}, {}, "kind"),
        ("webhook", {}, {}, "destination.url"),
        ("webhook", {"url": "ftp://example.org/x"}, {}, "destination.url"),
        ("webhook", {"url": "http:///no-host"}, {}, "destination.url"),
        ("webhook", {"url": "http://user:pw@example.org/x"}, {}, "destination.url"),
        ("webhook", {"url": "http://example.org/x\r\nX-Injected: 1"}, {}, "destination.url"),
        ("webhook", {"url": "http://127.0.0.1:9/internal/admin/reset#"}, {}, "destination.url"),
        ("webhook", {"url": URL, "secret": ""}, {}, "destination.secret"),
        ("webhook", {"url": URL}, ["not", "an", "object"], None),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(session, kind, destination, payload, field):
    with pytest.raises(InvalidInput) as refused:
        outbox_service(session).enqueue(kind, destination, payload)

    assert refused.value.field == field
    assert _count(session, OutboxMessage) == 0


def test_an_overlong_or_empty_idempotency_key_is_refused(session):
    for key in ("", "k" * 201):
        with pytest.raises(InvalidInput, match="idempotency_key"):
            outbox_service(session).enqueue("webhook", {"url": URL}, {}, idempotency_key=key)
