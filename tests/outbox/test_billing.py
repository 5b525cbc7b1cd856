"""The billing channel: adjustments are POSTed to PARLEY_BILLING_URL with their idempotency key,
retried or dead-lettered like webhooks, and wait (not lost) while no billing system is set."""

from parley.outbox.models import DEAD, DELIVERED, PENDING
from tests.outbox.conftest import drain, outbox_service, reloaded
from tests.outbox.receiver import Receiver
from tests.requests.adjustment_helpers import (
    approval_of,
    billing_messages,
    customer_with_account,
    raise_adjustment,
    staff,
)

ADJUSTMENT = {"@type": "BillingAdjustment", "amount": "250.00", "currency": "EUR"}


def _enqueue(session, key="adjustment:r-1"):
    made = outbox_service(session).enqueue("billing", {}, ADJUSTMENT, idempotency_key=key)
    session.commit()
    return made


def test_an_adjustment_waits_until_a_billing_system_is_configured(session, make_worker):
    made = _enqueue(session)

    make_worker(outbox_retry_base_seconds=60).run_once()

    row = reloaded(session, made.id)
    assert row.status == PENDING and "PARLEY_BILLING_URL" in row.last_error


def test_it_is_posted_with_its_idempotency_key(session, make_worker, receiver):
    made = _enqueue(session)

    drain(make_worker(billing_url=f"{receiver.url}/adjustments"))

    (received,) = receiver.received
    assert received.path == "/adjustments"
    assert received.json() == ADJUSTMENT and received.key == "adjustment:r-1"
    assert received.headers["content-type"] == "application/json"
    assert reloaded(session, made.id).status == DELIVERED


def test_billing_errors_are_retried_and_refusals_are_dead_letters(session, make_worker, receiver):
    answers = {"adjustment:busy": iter([503, 201]), "adjustment:refused": iter([422])}
    receiver.answer = lambda got: next(answers[got.key])
    busy, refused = _enqueue(session, "adjustment:busy"), _enqueue(session, "adjustment:refused")

    drain(make_worker(billing_url=receiver.url))

    assert (reloaded(session, busy.id).status, reloaded(session, busy.id).attempts) == (
        DELIVERED,
        2,
    )
    dead = reloaded(session, refused.id)
    assert dead.status == DEAD and dead.last_error.startswith("HTTP 422")


def test_an_approved_adjustment_reaches_the_billing_system(client, session, settings, make_worker):
    customer, account = customer_with_account(client)
    agent = staff(client, session, settings, "agent")
    supervisor = staff(client, session, settings, "supervisor")
    ticket = raise_adjustment(client, agent.headers, customer, account, "400")
    approval = approval_of(client, agent.headers, ticket)
    approved = client.post(
        f"/api/v1/approvals/{approval['id']}/approve", json={}, headers=supervisor.headers
    )
    assert approved.status_code == 200, approved.text
    (queued,) = billing_messages(session)

    with Receiver() as billing:
        drain(make_worker(billing_url=billing.url))

    (received,) = [r for r in billing.received if r.key == f"adjustment:{ticket['id']}"]
    assert received.json() == queued.payload
    assert received.json()["approvedBy"] == supervisor.username
    assert received.json()["billingAccount"]["id"] == account["id"]


def test_it_is_signed_with_the_secret_shared_with_billing_when_set(session, make_worker, receiver):
    from pydantic import SecretStr

    from parley.outbox.webhook import signature

    secret = "billing-secret-0123456789abcdef-0123456789abcdef"
    _enqueue(session)

    drain(make_worker(billing_url=receiver.url, billing_secret=SecretStr(secret)))

    (received,) = receiver.received
    assert received.headers["x-parley-signature"] == signature(secret, received.body)
