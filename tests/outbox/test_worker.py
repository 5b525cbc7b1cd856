"""The worker against a real local HTTP receiver: signed deliveries with their idempotency key,
retries, dead letters, permanent failures, leases and a graceful stop."""

import hashlib
import hmac
import json
import socket
import stat
from datetime import timedelta

from pydantic import SecretStr
from sqlalchemy import select

from parley.db.base import utcnow
from parley.keyfile import read_or_make
from parley.outbox.models import DEAD, DELIVERED, IN_PROGRESS, PENDING, OutboxMessage
from parley.outbox.repository import OutboxRepository
from parley.outbox.webhook import SIGNATURE_HEADER
from tests.outbox.conftest import enqueue_webhook, outbox_service

SECRET = "webhook-secret-for-tests"


def _expected_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _message(session, message_id) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, message_id)


def _drain(worker, rounds: int = 20) -> None:
    """Run passes until nothing is left to claim (retries are due within milliseconds)."""
    for _ in range(rounds):
        if worker.run_once() == 0:
            with worker.sessions() as session:
                open_rows = select(OutboxMessage.id).where(
                    OutboxMessage.status.in_((PENDING, IN_PROGRESS))
                )
                left = session.scalar(open_rows)
            if left is None:
                return
            worker.stopping.wait(0.03)


def test_a_delivery_is_signed_and_carries_its_idempotency_key(session, make_worker, receiver):
    made = enqueue_webhook(session, f"{receiver.url}/hook", {"event": "created", "n": "ü"})
    worker = make_worker(webhook_secret=SecretStr(SECRET))

    assert worker.run_once() == 1

    (got,) = receiver.received
    assert got.path == "/hook"
    assert got.json() == {"event": "created", "n": "ü"}
    assert got.headers["idempotency-key"] == made.idempotency_key
    assert got.headers["content-type"] == "application/json"
    assert hmac.compare_digest(
        got.headers[SIGNATURE_HEADER.lower()], _expected_signature(SECRET, got.body)
    )
    row = _message(session, made.id)
    assert (row.status, row.attempts, row.last_error) == (DELIVERED, 1, None)
    assert row.delivered_at is not None and row.claimed_until is None


def test_a_destination_secret_wins_over_the_configured_one(session, make_worker, receiver):
    outbox_service(session).enqueue(
        "webhook", {"url": receiver.url, "secret": "per-destination"}, {"n": 1}
    )
    session.commit()
    make_worker(webhook_secret=SecretStr(SECRET)).run_once()

    (got,) = receiver.received
    assert got.headers["x-parley-signature"] == _expected_signature("per-destination", got.body)


def test_without_any_secret_the_body_is_signed_with_the_hosts_generated_key(
    session, make_worker, receiver, tmp_path, monkeypatch
):
    """Issue 18: webhooks went out unsigned unless PARLEY_WEBHOOK_SECRET was set. Now a key is
    made once, kept beside the token signing key, and shared by the processes of the host."""
    monkeypatch.chdir(tmp_path)
    read_or_make.cache_clear()
    try:
        enqueue_webhook(session, receiver.url, {"n": 1})
        make_worker(webhook_secret=None).run_once()
        key_file = tmp_path / "parley-webhook.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        key = key_file.read_text().strip()
        assert len(key) >= 32
        (got,) = receiver.received
        assert got.headers["x-parley-signature"] == _expected_signature(key, got.body)

        read_or_make.cache_clear()  # another process on the same host: the same key
        enqueue_webhook(session, receiver.url, {"n": 2})
        make_worker(webhook_secret=None).run_once()
        second = receiver.received[1]
        assert second.headers["x-parley-signature"] == _expected_signature(key, second.body)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["parley-webhook.key"]
    finally:
        read_or_make.cache_clear()


def test_server_errors_are_retried_with_the_same_key_until_delivered(
    session, make_worker, receiver
):
    answers = iter([503, 500, 200])
    receiver.answer = lambda _got: next(answers)
    made = enqueue_webhook(session, receiver.url)

    _drain(make_worker())

    assert receiver.keys() == [made.idempotency_key] * 3
    row = _message(session, made.id)
    assert (row.status, row.attempts) == (DELIVERED, 3)


def test_a_failed_attempt_waits_for_its_backoff(session, make_worker, receiver):
    receiver.answer = lambda _got: 503
    made = enqueue_webhook(session, receiver.url)
    before = utcnow()

    make_worker(outbox_retry_base_seconds=60, outbox_retry_max_delay_seconds=60).run_once()

    row = _message(session, made.id)
    assert row.status == PENDING and row.attempts == 1
    assert row.last_error.startswith("HTTP 503")
    assert before <= row.next_attempt_at <= utcnow() + timedelta(seconds=60)
    assert row.claimed_until is None


def test_after_the_last_attempt_the_message_is_a_dead_letter(session, make_worker, receiver):
    receiver.answer = lambda _got: 502
    made = enqueue_webhook(session, receiver.url)

    _drain(make_worker(outbox_max_attempts=4))

    row = _message(session, made.id)
    assert (row.status, row.attempts) == (DEAD, 4)
    assert row.last_error.startswith("HTTP 502")
    assert len(receiver.received) == 4


def test_a_client_error_is_permanent_at_once(session, make_worker, receiver):
    receiver.answer = lambda _got: 410
    made = enqueue_webhook(session, receiver.url)

    _drain(make_worker())

    row = _message(session, made.id)
    assert (row.status, row.attempts) == (DEAD, 1)
    # The status and its standard phrase: never what the receiver wrote.
    assert row.last_error == "HTTP 410 Gone"


def test_request_timeout_and_too_many_requests_are_retried(session, make_worker, receiver):
    answers = iter([408, 429, 204])
    receiver.answer = lambda _got: next(answers)
    made = enqueue_webhook(session, receiver.url)

    _drain(make_worker())

    assert (_message(session, made.id).status, len(receiver.received)) == (DELIVERED, 3)


def test_a_receiver_too_slow_for_the_timeout_is_retried(session, make_worker, receiver):
    receiver.delay = 0.5
    made = enqueue_webhook(session, receiver.url)

    make_worker(webhook_timeout_seconds=0.1, outbox_retry_base_seconds=60).run_once()

    row = _message(session, made.id)
    assert row.status == PENDING and row.last_error == "could not connect"


def test_a_receiver_that_is_not_there_is_retried(session, make_worker):
    with socket.socket() as placeholder:  # a port nobody listens on
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    made = enqueue_webhook(session, f"http://127.0.0.1:{port}/hook")

    make_worker(outbox_retry_base_seconds=60).run_once()

    row = _message(session, made.id)
    assert row.status == PENDING and row.attempts == 1 and row.last_error == "could not connect"


def test_a_claimed_row_is_nobody_elses_until_its_lease_ends(session, engine):
    made = enqueue_webhook(session, "http://127.0.0.1:9/")
    now = utcnow()
    repo = OutboxRepository(session)

    (claimed,) = repo.claim("worker-a", now, now + timedelta(seconds=30), 10)
    session.commit()
    assert (claimed.id, claimed.status, claimed.claimed_by) == (made.id, IN_PROGRESS, "worker-a")
    assert repo.claim("worker-b", now + timedelta(seconds=29), now, 10) == []
    session.commit()

    # worker-a died: after its lease, worker-b gets the row (as its second attempt).
    later = now + timedelta(seconds=31)
    (again,) = repo.claim("worker-b", later, later + timedelta(seconds=30), 10)
    session.commit()
    assert (again.claimed_by, again.attempts) == ("worker-b", 2)

    # worker-a comes back to life: its outcome no longer counts.
    stale = {"message_id": made.id, "worker": "worker-a", "attempt": 1}
    assert not repo.mark_delivered(stale, later)
    current = {"message_id": made.id, "worker": "worker-b", "attempt": 2}
    assert repo.mark_delivered(current, later)
    session.commit()
    assert _message(session, made.id).status == DELIVERED


def test_claims_take_due_rows_oldest_first_in_batches(session, make_worker):
    made = [enqueue_webhook(session, "http://127.0.0.1:9/", {"n": n}) for n in range(5)]
    outbox_service(session).enqueue(
        "webhook", {"url": "http://127.0.0.1:9/"}, {}, not_before=utcnow() + timedelta(hours=1)
    )
    session.commit()
    repo = OutboxRepository(session)
    now = utcnow()

    first = repo.claim("w", now, now + timedelta(seconds=30), 3)
    second = repo.claim("w", now, now + timedelta(seconds=30), 3)
    session.commit()

    assert [row.id for row in first + second] == [m.id for m in made]


def test_a_stopping_worker_hands_back_what_it_did_not_try(session, make_worker, receiver):
    made = [enqueue_webhook(session, receiver.url, {"n": n}) for n in range(3)]
    worker = make_worker(outbox_batch_size=3)
    receiver.answer = lambda _got: (worker.stop(), 200)[1]  # SIGTERM during the first

    assert worker.run_once() == 3

    rows = [_message(session, m.id) for m in made]
    assert [r.status for r in rows] == [DELIVERED, PENDING, PENDING]
    assert [r.attempts for r in rows] == [1, 0, 0]
    assert rows[1].claimed_by is None and rows[1].claimed_until is None
    assert len(receiver.received) == 1


def test_a_worker_does_not_start_a_delivery_its_lease_cannot_cover(session, make_worker):
    made = enqueue_webhook(session, "http://127.0.0.1:9/")
    worker = make_worker(outbox_lease_seconds=2.5, webhook_timeout_seconds=2.0)

    assert worker.run_once() == 1

    row = _message(session, made.id)
    assert (row.status, row.attempts) == (PENDING, 0)


def test_run_stops_when_asked_and_delivers_until_then(session, make_worker, receiver):
    import threading

    made = [enqueue_webhook(session, receiver.url, {"n": n}) for n in range(25)]
    worker = make_worker()
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        for _ in range(200):
            if len(receiver.received) == 25:
                break
            worker.stopping.wait(0.02)
    finally:
        worker.stop()
        thread.join(5)

    assert not thread.is_alive()
    assert sorted(json.loads(r.body)["n"] for r in receiver.received) == list(range(25))
    assert {_message(session, m.id).status for m in made} == {DELIVERED}
