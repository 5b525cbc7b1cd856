"""TMF681 communicationMessage: creating one queues it (one outbox row per reachable receiver),
its state follows the delivery, it changes or is withdrawn only before it is sent, and each
delivery to a customer appears in the customer's history."""

import random

import pytest

from parley.notifications.messages import SUBJECT
from parley.outbox import channels
from parley.outbox.channels import Channel, Outcome
from parley.outbox.worker import Worker
from tests.factories import assert_tmf_error, create_customer
from tests.outbox.conftest import outbox_service

API = "/tmf-api/communicationManagement/v4/communicationMessage"
FAST = {
    "outbox_retry_base_seconds": 0.0,
    "outbox_retry_max_delay_seconds": 0.0,
    "outbox_max_attempts": 2,
}


def _sms(customer: dict | None = None, **overrides) -> dict:
    receiver = {"party": {"id": customer["id"], "@referredType": "Customer"}} if customer else {}
    return {
        "messageType": "SMS",
        "content": "Your technician arrives tomorrow between 8 and 12.",
        "receiver": [receiver],
        "sender": {},
        **overrides,
    }


class ScriptedChannel:
    """Stands in for a channel's transport: answers with the outcomes it is given, in turn,
    and keeps what it was asked to send (the real SMTP and SMS transports have their own
    tests against real servers)."""

    def __init__(self, *outcomes: Outcome):
        self.outcomes, self.sent = list(outcomes), []

    def deliver(self, message):
        self.sent.append(message)
        return self.outcomes.pop(0) if self.outcomes else Outcome.delivered()

    def close(self):
        pass


@pytest.fixture(autouse=True)
def transports():
    """Scripted transports for email and SMS, with the real channels' destination checks."""
    saved = {kind: channels.channel_for(kind) for kind in ("email", "sms")}
    made = {kind: ScriptedChannel() for kind in saved}
    for kind, real in saved.items():
        check = real.check_destination if real else (lambda destination: None)
        channels.register_channel(Channel(kind, check, lambda _s, kind=kind: made[kind]))
    yield made
    for kind, real in saved.items():
        if real is not None:
            channels.register_channel(real)
        else:
            channels._CHANNELS.pop(kind, None)


@pytest.fixture
def run_worker(engine, settings):
    def run(passes: int = 1) -> None:
        worker = Worker(engine, settings.model_copy(update=FAST), rng=random.Random(1))
        try:
            for _ in range(passes):
                worker.run_once()
        finally:
            worker.close()

    return run


def _queued(session, message_id: str):
    """The message's outbox rows; the read ends its transaction (on SQLite every transaction
    holds the write lock, which the worker needs)."""
    session.expire_all()
    rows = outbox_service(session).of_subject(SUBJECT, message_id)
    session.expunge_all()  # detached as loaded: reading them later starts no transaction
    session.rollback()
    return rows


def test_a_message_to_a_customer_goes_to_their_mobile_and_is_logged(
    client, session, run_worker, transports
):
    customer = create_customer(client)
    created = client.post(API, json=_sms(customer))
    assert created.status_code == 201, created.text
    message = created.json()
    assert message["state"] == "initial"
    (row,) = _queued(session, message["id"])
    assert row.kind == "sms" and row.destination["to"].startswith("+49171")
    assert row.payload == {"text": _sms()["content"]}

    run_worker()

    assert [m.payload["text"] for m in transports["sms"].sent] == [_sms()["content"]]
    done = client.get(f"{API}/{message['id']}").json()
    assert done["state"] == "completed"
    assert done["tryTimes"] == 1 and done["sendTimeComplete"]
    history = client.get(f"/api/v1/customers/{customer['id']}/interactions").json()["items"]
    (logged,) = [i for i in history if i["direction"] == "outbound"]
    assert logged["channel"] == "sms" and logged["reason"]["code"] == "notification"
    found = client.get(
        "/api/v1/customers/{}/interactions".format(customer["id"]),
        params={"relatedEntity": message["id"]},
    ).json()["items"]
    assert [i["id"] for i in found] == [logged["id"]]


def test_a_retried_message_is_in_progress_and_a_dead_one_failed_with_the_reason(
    client, session, run_worker, transports
):
    customer = create_customer(client)
    message = client.post(API, json=_sms(customer)).json()
    transports["sms"].outcomes = [Outcome.retry("gateway busy"), Outcome.retry("gateway busy")]

    run_worker()
    assert client.get(f"{API}/{message['id']}").json()["state"] == "inProgress"
    run_worker()

    failed = client.get(f"{API}/{message['id']}").json()
    assert failed["state"] == "failed" and failed["tryTimes"] == 2
    (reason,) = [c for c in failed["characteristic"] if c["name"] == "failureReason"]
    assert "gateway busy" in reason["value"]
    history = client.get(f"/api/v1/customers/{customer['id']}/interactions").json()["items"]
    assert [i for i in history if i["direction"] == "outbound"] == []  # nothing was sent


def test_the_conformance_kits_empty_receiver_is_stored_and_fails_with_the_reason(client, session):
    created = client.post(API, json=_sms())
    assert created.status_code == 201, created.text
    message = created.json()
    assert {"content", "href", "id", "messageType", "receiver", "sender"} <= set(message)
    assert message["state"] == "failed"
    (reason,) = [c for c in message["characteristic"] if c["name"] == "failureReason"]
    assert "receiver 1: no address" in reason["value"]
    assert _queued(session, message["id"]) == []
    listed = client.get(API, params={"messageType": "SMS", "content": _sms()["content"]})
    assert [m["id"] for m in listed.json()] == [message["id"]]


def test_an_email_needs_a_subject_and_a_template_fills_one_in_the_customers_language(
    client, session
):
    customer = create_customer(client)
    client.put(f"/api/v1/customers/{customer['id']}/preferences", json={"language": "de"})
    plain = {**_sms(customer), "messageType": "Email"}
    assert_tmf_error(client.post(API, json=plain), 400, "subject")

    templated = {
        **plain,
        "content": "",
        "characteristic": [
            {"name": "templateKind", "value": "bill.issued"},
            {"name": "customerName", "value": "Anna"},
            {"name": "billNumber", "value": "B-77"},
            {"name": "amount", "value": "39,90 €"},
            {"name": "dueDate", "value": "01.12.2026"},
        ],
    }
    created = client.post(API, json=templated)
    assert created.status_code == 201, created.text
    (row,) = _queued(session, created.json()["id"])
    assert row.payload["subject"] == "Ihre Rechnung B-77 ist da"
    assert "39,90 €" in row.payload["body"] and row.destination["to"].endswith("@example.org")

    lacking = {**templated, "characteristic": templated["characteristic"][:2]}
    assert_tmf_error(client.post(API, json=lacking), 400, "amount", "dueDate")


def test_marketing_to_an_opted_out_customer_is_not_sent(client, session):
    customer = create_customer(client)
    client.put(f"/api/v1/customers/{customer['id']}/preferences", json={"marketingOptOut": True})
    offer = _sms(customer, characteristic=[{"name": "category", "value": "marketing"}])

    message = client.post(API, json=offer).json()

    assert message["state"] == "failed"
    assert "opted out of marketing" in str(message["characteristic"])
    assert _queued(session, message["id"]) == []


def test_an_sms_in_quiet_hours_waits_and_a_scheduled_one_waits_for_its_time(client, session):
    customer = create_customer(client)
    later = "2099-01-01T09:00:00Z"
    message = client.post(API, json=_sms(customer, scheduledSendTime=later)).json()

    (row,) = _queued(session, message["id"])
    assert row.next_attempt_at.isoformat().startswith("2099-01-01T09:00:00")


def test_until_it_is_sent_a_message_may_be_reworded_or_cancelled(
    client, session, run_worker, transports
):
    customer = create_customer(client)
    message = client.post(API, json=_sms(customer)).json()
    url = f"{API}/{message['id']}"

    reworded = client.patch(url, json={"content": "Technician now between 13 and 17."})
    assert reworded.status_code == 200, reworded.text
    (row,) = _queued(session, message["id"])
    assert row.payload["text"] == "Technician now between 13 and 17."
    assert_tmf_error(client.patch(url, json={"messageType": "Email"}), 400, "messageType")

    cancelled = client.patch(url, json={"state": "cancelled"})
    assert cancelled.json()["state"] == "cancelled"
    assert _queued(session, message["id"]) == []
    run_worker()
    assert transports["sms"].sent == []
    assert_tmf_error(client.patch(url, json={"content": "again"}), 409)


def test_a_sent_message_is_history_and_can_no_longer_change(client, session, run_worker):
    customer = create_customer(client)
    message = client.post(API, json=_sms(customer)).json()
    run_worker()
    url = f"{API}/{message['id']}"

    assert_tmf_error(client.patch(url, json={"content": "too late"}), 409, "completed")
    assert client.delete(url).status_code == 204
    assert_tmf_error(client.get(url), 404)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"messageType": "Pigeon"}, "messageType"),
        ({"receiver": [{"phoneNumber": "not a number"}]}, "phoneNumber"),
        ({"receiver": [{"party": {"id": "nobody", "@referredType": "Customer"}}]}, "nobody"),
        ({"content": ""}, "content"),
        ({"content": "x" * 1531}, "11 SMS"),
        ({"scheduledSendTime": "tomorrow"}, "scheduledSendTime"),
        ({"state": "completed"}, "state"),
        ({"characteristic": [{"name": "category", "value": "spam"}]}, "category"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_queued(client, change, named):
    before = client.get(API).json()
    response = client.post(API, json={**_sms(), **change})
    assert_tmf_error(response, 400, named)
    assert client.get(API).json() == before
