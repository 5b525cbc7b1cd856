"""The inbound message store: everything received is kept raw before it is read, once per
idempotency key, and moves received -> parsed -> applied, or to rejected (with the reason) or
dead (after its attempts, with the last error); an administrator's replay puts a rejected or
dead message back, and never applies one twice."""

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.auth.audit import AuditFilter, AuditTrail
from parley.changes import UnitOfWork
from parley.errors import InvalidInput
from parley.interactions.models import Interaction
from parley.mediation import (
    APPLIED,
    CALLBACK,
    DEAD,
    EMAIL,
    PARSED,
    RECEIVED,
    REJECTED,
    InboundService,
    InboundStore,
)
from parley.mediation.models import InboundMessage
from parley.mediation.store import content_key
from tests.mediation.conftest import receive_test, reloaded
from tests.web.helpers import make_customer


def _interactions_of(session, customer_id: str) -> int:
    query = select(func.count()).where(Interaction.customer_id == customer_id)
    return session.scalar(query)


def test_a_message_is_stored_raw_with_its_headers_but_not_its_credentials(store, session):
    content = b"<order id='7'>\xc3\xa9t\xc3\xa9</order>"
    received = store.receive(
        "partner",
        content,
        received_by="acme-client",
        content_type="application/xml; charset=utf-8",
        headers={"X-Acme-Type": "order", "Authorization": "Bearer s3cret", "Cookie": "a=b"},
        partner="Acme-Networks",
        transaction_type="order.state",
        idempotency_key="acme-networks:4711",
    )

    message = reloaded(session, received.id)
    assert received.duplicate is False
    assert message.content == content and message.size == len(content)
    assert message.headers == {"x-acme-type": "order"}
    assert (message.source, message.partner, message.transaction_type) == (
        "partner",
        "acme-networks",
        "order.state",
    )
    assert message.content_type == "application/xml; charset=utf-8"
    assert message.state == RECEIVED and message.attempts == 0
    assert [entry["state"] for entry in message.history] == [RECEIVED]
    assert message.received_by == "acme-client"


def test_a_second_delivery_with_the_same_key_is_the_same_message(store, session):
    first = receive_test(store, {"customer": "x"}, key="k-1")
    again = receive_test(store, {"customer": "y", "changed": True}, key="k-1")

    assert again.id == first.id and again.duplicate
    assert again.received_at == first.received_at
    count = select(func.count()).where(InboundMessage.idempotency_key == "k-1")
    assert session.scalar(count) == 1
    assert reloaded(session, first.id).content == b'{"customer": "x"}'  # the first kept


def test_without_a_key_the_same_bytes_are_one_message_and_other_bytes_another(store):
    one = receive_test(store, b"same bytes")
    two = receive_test(store, b"same bytes")
    other = receive_test(store, b"other bytes")

    assert one.idempotency_key == content_key(b"same bytes")
    assert two.id == one.id and two.duplicate
    assert other.id != one.id


def test_a_key_is_unique_per_source(store):
    callback = receive_test(store, b"{}", key="shared")
    email = store.receive(
        EMAIL, b"Subject: hi\r\n\r\nhello", received_by="imap", idempotency_key="shared"
    )

    assert email.id != callback.id and not email.duplicate


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"source": "fax"}, "source"),
        ({"partner": "no spaces please"}, "partner"),
        ({"transaction_type": "x" * 65}, "transactionType"),
        ({"idempotency_key": "k" * 201}, "idempotencyKey"),
        ({"idempotency_key": ""}, "idempotencyKey"),
    ],
)
def test_what_cannot_name_a_message_is_refused_before_anything_is_stored(store, options, field):
    arguments = {"source": CALLBACK, **options}
    source = arguments.pop("source")
    with pytest.raises(InvalidInput) as refused:
        store.receive(source, b"x", received_by="test", **arguments)

    assert refused.value.field == field


def test_the_worker_parses_and_applies_a_message_once(store, handler, apply_due, session, client):
    customer = make_customer(client)
    received = receive_test(store, {"customer": customer["id"], "description": "Portal form"})

    first = apply_due()
    second = apply_due()

    message = reloaded(session, received.id)
    assert (first.applied, second.claimed) == (1, 0)
    assert message.state == APPLIED and message.applied_at is not None
    assert [entry["state"] for entry in message.history] == [RECEIVED, PARSED, APPLIED]
    assert message.command == {
        "logInteraction": {"customer": customer["id"], "description": "Portal form"}
    }
    interaction = session.get(Interaction, message.outcome["interaction"])
    assert interaction.customer_id == customer["id"]
    assert interaction.logged_by == "inbound callback"  # the sender, as the actor
    assert _interactions_of(session, customer["id"]) == 1


def test_malformed_input_is_rejected_with_the_reason_and_kept(store, handler, apply_due, session):
    received = receive_test(store, b"{not json", key="broken")

    done = apply_due()

    message = reloaded(session, received.id)
    assert done.rejected == 1
    assert message.state == REJECTED and message.reason == "content: not JSON"
    assert message.content == b"{not json"
    assert message.history[-1] == {**message.history[-1], "state": REJECTED, "by": "worker"}
    assert apply_due().claimed == 0  # not tried again by itself


def test_a_refusal_by_the_domain_rejects_and_leaves_nothing_behind(
    store, handler, apply_due, session
):
    received = receive_test(store, {"customer": "00000000-0000-4000-8000-000000000000"})

    apply_due()

    message = reloaded(session, received.id)
    assert message.state == REJECTED
    assert "no customer with id 00000000-0000-4000-8000-000000000000" in message.reason
    assert message.command is not None  # it was parsed: what it asked is kept
    assert session.scalar(select(func.count()).select_from(Interaction)) == 0


def test_failures_are_retried_later_and_the_message_dies_with_its_last_error(
    store, handler, apply_due, session, client, settings, clock
):
    customer = make_customer(client)
    received = receive_test(store, {"customer": customer["id"], "fail": True})

    attempts = []
    for _ in range(settings.inbound_max_attempts):
        apply_due()
        attempts.append(reloaded(session, received.id).state)
        assert apply_due().claimed == 0  # not due again at once
        clock.advance(hours=2)

    message = reloaded(session, received.id)
    assert attempts == [PARSED] * (settings.inbound_max_attempts - 1) + [DEAD]
    assert message.attempts == settings.inbound_max_attempts == handler.failures
    assert message.last_error == "RuntimeError: the test handler fails"
    assert apply_due().claimed == 0


def test_a_message_no_handler_takes_fails_saying_so(store, apply_due, session):
    received = store.receive(CALLBACK, b"{}", received_by="test", transaction_type="unknown.kind")

    apply_due()

    message = reloaded(session, received.id)
    assert message.state == RECEIVED and message.attempts == 1
    assert (
        message.last_error == "no handler for callback messages of type unknown.kind in this worker"
    )


def test_a_replayed_rejected_message_is_applied_once_and_audited(
    store, handler, apply_due, session, settings, client
):
    customer = make_customer(client)
    received = receive_test(store, {"customer": customer["id"], "fail": True})
    message = reloaded(session, received.id)
    message.state, message.reason = REJECTED, "as if a profile had refused it"
    session.commit()
    admin = UnitOfWork(session, settings, Actor("ada", "console"))

    replayed = InboundService(admin).replay(received.id)
    replayed.content = replayed.content.replace(b', "fail": true', b"")  # fixed, say
    session.commit()
    apply_due()
    again = InboundService(admin).replay(received.id)  # applied: stays so
    session.commit()
    apply_due()

    message = reloaded(session, received.id)
    assert message.state == APPLIED and again.state == APPLIED
    assert message.reason is None and message.attempts == 0
    assert [e["state"] for e in message.history] == [RECEIVED, RECEIVED, PARSED, APPLIED]
    assert message.history[1]["by"] == "ada" and message.history[1]["replayed"] == REJECTED
    assert _interactions_of(session, customer["id"]) == 1
    entries, _ = AuditTrail(session).query(AuditFilter(resource_type="inboundMessage"))
    assert [(e.action, e.actor_name, e.before["state"]) for e in entries] == [
        ("replay", "ada", REJECTED)
    ]


def test_a_dead_message_is_replayed_with_a_fresh_count_of_attempts(
    store, handler, apply_due, session, settings
):
    received = receive_test(store, b"{}", key="dead-one")
    message = reloaded(session, received.id)
    message.state, message.attempts, message.last_error = DEAD, 5, "RuntimeError: gone"
    session.commit()

    InboundService(UnitOfWork(session, settings, Actor("ada", "console"))).replay(received.id)
    session.commit()

    message = reloaded(session, received.id)
    assert (message.state, message.attempts, message.last_error) == (RECEIVED, 0, None)


@pytest.mark.committed
def test_deliveries_of_one_key_at_the_same_moment_make_one_message(engine):
    store = InboundStore(sessionmaker(bind=engine, expire_on_commit=False))
    answers, start = [], threading.Barrier(4)

    def deliver():
        start.wait()
        answers.append(store.receive(CALLBACK, b"{}", received_by="t", idempotency_key="race"))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert len({answer.id for answer in answers}) == 1 and len(answers) == 4
    assert sorted(answer.duplicate for answer in answers) == [False, True, True, True]
    with sessionmaker(bind=engine)() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 1


def test_without_a_key_two_partners_sending_the_same_bytes_send_two_messages(store):
    one = store.receive("partner", b"<a/>", received_by="t", partner="acme-networks")
    other = store.receive("partner", b"<a/>", received_by="t", partner="shop-ordering")

    assert other.id != one.id
    assert one.idempotency_key == "acme-networks:" + content_key(b"<a/>")
