"""The SMS channel through the real outbox worker and a real Kannel 1.4.5 (bearerbox, smsbox
and fakesmsc as the operator's SMS centre): plain, UTF-8 and long texts, refusals, wrong
credentials and a gateway that is down.

Without Kannel's binaries these tests skip, unless PARLEY_TEST_REQUIRE_KANNEL=1 (as in CI),
where they fail."""

import signal

import pytest
from pydantic import SecretStr

from parley.errors import InvalidInput
from parley.outbox.models import DEAD, DELIVERED, PENDING
from parley.outbox.sms import parts
from tests.conftest import require_kannel
from tests.outbox.conftest import drain, free_port, outbox_service, reloaded
from tests.outbox.kannel_gateway import KannelGateway

CUSTOMER = "+4915112345678"


def _enqueue(session, text, destination=None, key=None):
    made = outbox_service(session).enqueue(
        "sms", destination or {"to": CUSTOMER}, {"text": text}, idempotency_key=key
    )
    session.commit()
    return made


def _worker(make_worker, gateway, **overrides):
    settings = {
        "sms_gateway_url": gateway.sendsms_url,
        "sms_username": gateway.username,
        "sms_password": SecretStr(gateway.password),
        "sms_sender": "Parley",
        **overrides,
    }
    return make_worker(**settings)


@pytest.mark.parametrize(
    "destination",
    [{}, {"to": 4915112345678}, {"to": "015112345678"}, {"to": "+49 151 12345678"},
     {"to": "+49123"}, {"to": "abc"}, {"to": CUSTOMER, "from": "AVeryLongSenderName"},
     {"to": CUSTOMER, "from": "+1234567890123456"}, {"to": CUSTOMER, "from": "a<b>"}],
)  # fmt: skip
def test_a_bad_number_or_sender_is_refused_at_enqueue(session, destination):
    with pytest.raises(InvalidInput, match="destination"):
        outbox_service(session).enqueue("sms", destination, {"text": "hello"})


def test_parts_are_counted_as_the_gateway_splits():
    assert [parts("a" * 160), parts("a" * 161), parts("a" * 1530), parts("a" * 1531)] == [
        1,
        2,
        10,
        11,
    ]
    # The euro takes two septets, and a pair is never split: 76 a part.
    assert [parts("€" * n) for n in (80, 81, 760, 761)] == [1, 2, 10, 11]
    assert [parts("ł" * n) for n in (70, 71, 670, 671)] == [1, 2, 10, 11]


def test_a_plain_sms_arrives_with_its_key_in_the_gateway_log(session, make_worker, kannel):
    made = _enqueue(session, "Your request 4711 is done.", key="request-4711-done")

    assert _worker(make_worker, kannel).run_once() == 1

    (sms,) = kannel.received()
    assert (sms.sender, sms.receiver, sms.text, sms.parts) == (
        "Parley", CUSTOMER, "Your request 4711 is done.", 1
    )  # fmt: skip
    assert kannel.logged("[ACT:request-4711-done]")  # bearerbox's access log
    assert reloaded(session, made.id).status == DELIVERED


@pytest.mark.parametrize(
    ("text", "kind"),
    [("Grüße aus Köln, 12,50 € [Rechnung]", "text"), ("Привет, Łódź — 你好", "ucs-2")],
)
def test_utf8_text_arrives_intact(session, make_worker, kannel, text, kind):
    _enqueue(session, text, {"to": CUSTOMER, "from": "4930123456"})
    _worker(make_worker, kannel).run_once()

    (sms,) = kannel.received()
    assert (sms.text, sms.kind, sms.sender) == (text, kind, "4930123456")


def test_a_long_text_arrives_in_parts_and_whole(session, make_worker, kannel):
    text = " ".join(f"Teil {n}: Ihre Störung wird bearbeitet." for n in range(12))
    _enqueue(session, text)
    _worker(make_worker, kannel).run_once()

    (sms,) = kannel.received()
    assert sms.text == text and sms.parts == parts(text) == 3


def test_a_text_longer_than_the_parts_allowed_is_refused(session, make_worker, kannel):
    made = _enqueue(session, "x" * 1531)
    _worker(make_worker, kannel).run_once()

    row = reloaded(session, made.id)
    assert row.status == DEAD and "take 11 SMS" in row.last_error
    assert "PARLEY_SMS_MAX_PARTS" in row.last_error
    assert kannel.received(timeout=1) == []


def test_wrong_credentials_are_retried(session, make_worker, kannel):
    made = _enqueue(session, "hello")
    _worker(make_worker, kannel, sms_password=SecretStr("wrong")).run_once()

    row = reloaded(session, made.id)
    assert row.status == PENDING
    assert "HTTP 403: Authorization failed for sendsms" in row.last_error
    assert kannel.received(timeout=1) == []


def test_a_request_the_gateway_refuses_is_a_dead_letter(session, make_worker, kannel):
    made = _enqueue(session, "hello")  # no sender anywhere: Kannel answers 400
    drain(_worker(make_worker, kannel, sms_sender=None))

    row = reloaded(session, made.id)
    assert (row.status, row.attempts) == (DEAD, 1)
    assert row.last_error == "HTTP 400: Sender missing and no global set, rejected"


def test_a_gateway_that_is_down_is_retried_and_delivered_once_up(session, make_worker, tmp_path):
    require_kannel()
    gateway = KannelGateway(tmp_path, sendsms_port=free_port())  # not started yet
    made = _enqueue(session, "delivered in the end")
    worker = _worker(make_worker, gateway)

    worker.run_once()
    row = reloaded(session, made.id)
    assert row.status == PENDING and "ConnectError" in row.last_error

    with gateway:
        drain(worker)
        assert [sms.text for sms in gateway.received()] == ["delivered in the end"]
    assert reloaded(session, made.id).status == DELIVERED


def test_a_timeout_is_retried_and_may_send_the_sms_twice(session, make_worker, tmp_path):
    require_kannel()
    with KannelGateway(tmp_path) as gateway:
        made = _enqueue(session, "sent twice")
        worker = _worker(make_worker, gateway, sms_timeout_seconds=1.0)
        gateway.procs["bearerbox"].send_signal(signal.SIGSTOP)  # smsbox takes it, then waits
        try:
            worker.run_once()
        finally:
            gateway.procs["bearerbox"].send_signal(signal.SIGCONT)
        row = reloaded(session, made.id)
        assert row.status == PENDING and row.last_error.startswith("timed out")

        drain(worker)
        # The timed-out request went through after all, and so did the retry.
        assert [sms.text for sms in gateway.received(count=2)] == ["sent twice"] * 2
    assert reloaded(session, made.id).status == DELIVERED
