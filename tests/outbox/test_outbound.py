"""The outbox's workers and the outbound destination policy (issue 18): with the default
policy no webhook reaches a listener on this machine, whatever the URL's spelling; what a
receiver answers is kept as its status only, and every failure to connect reads the same."""

import socket
import threading

import pytest

from parley.outbound.http import COULD_NOT_CONNECT, REFUSED
from parley.outbox.models import DEAD, DELIVERED, PENDING
from tests.outbox.conftest import drain, enqueue_webhook, outbox_service, reloaded
from tests.outbox.receiver import Receiver

DEFAULT_POLICY = {"outbound_allow": ""}


def _spellings(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/",
        f"http://localhost:{port}/oauth/token",
        f"http://2130706433:{port}/",
        f"http://0x7f.1:{port}/",
        f"http://127.1:{port}/",
        f"http://[::1]:{port}/",
        f"http://[::ffff:127.0.0.1]:{port}/",
        f"http://0.0.0.0:{port}/",
        f"http://127.0.0.1:{port}/internal/admin/reset",
    ]


def test_with_the_default_policy_no_webhook_reaches_a_local_listener(
    session, make_worker, receiver
):
    made = [enqueue_webhook(session, url) for url in _spellings(receiver.port)]
    made.append(enqueue_webhook(session, f"http://0177.0.0.1:{receiver.port}/"))

    drain(make_worker(**DEFAULT_POLICY))

    assert receiver.received == []
    rows = [reloaded(session, m.id) for m in made]
    assert [(r.status, r.attempts) for r in rows] == [(DEAD, 1)] * len(made)
    assert {r.last_error for r in rows[:-1]} == {REFUSED}
    assert rows[-1].last_error == "destination.url: not a URL the HTTP client accepts"


def test_an_allowed_host_is_reached_only_on_its_port(session, make_worker, receiver):
    here = enqueue_webhook(session, f"{receiver.url}/hook")
    other_port = enqueue_webhook(session, f"http://127.0.0.1:{receiver.port + 1}/hook")

    drain(make_worker(outbound_allow=f"127.0.0.1:{receiver.port}"))

    assert [got.path for got in receiver.received] == ["/hook"]
    assert reloaded(session, here.id).status == DELIVERED
    assert (
        reloaded(session, other_port.id).status,
        reloaded(session, other_port.id).last_error,
    ) == (
        DEAD,
        REFUSED,
    )


def test_an_allowed_network_admits_its_addresses(session, make_worker, receiver):
    made = enqueue_webhook(session, f"http://2130706433:{receiver.port}/cidr")

    drain(make_worker(outbound_allow="127.0.0.0/8"))

    assert [got.path for got in receiver.received] == ["/cidr"]
    assert reloaded(session, made.id).status == DELIVERED


def test_what_a_receiver_answers_is_kept_as_its_status_only(session, make_worker, receiver):
    receiver.answer = lambda got: 403 if got.path == "/forbidden" else 500
    receiver.answer_body = b'{"internal": "admin token 7f3a", "ports": [5432, 6379]}'
    refused = enqueue_webhook(session, f"{receiver.url}/forbidden")
    failing = enqueue_webhook(session, f"{receiver.url}/failing")

    drain(make_worker(outbox_max_attempts=1))

    assert reloaded(session, refused.id).last_error == "HTTP 403 Forbidden"
    assert reloaded(session, failing.id).last_error == "HTTP 500 Internal Server Error"


def test_a_redirect_is_a_dead_letter_and_its_target_gets_nothing(session, make_worker, receiver):
    with Receiver() as internal:
        receiver.answer = lambda _got: 302
        receiver.answer_headers = {"Location": f"{internal.url}/internal/admin/reset"}
        made = enqueue_webhook(session, f"{receiver.url}/hook")

        drain(make_worker())

        assert internal.received == []
    row = reloaded(session, made.id)
    assert (row.status, row.last_error) == (DEAD, "HTTP 302 Found")


@pytest.fixture
def open_port_without_http():
    """A port that accepts connections and closes them without a word (a database, say)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.1)
        stop = threading.Event()

        def accept():
            while not stop.is_set():
                try:
                    connection, _ = server.accept()
                except OSError:
                    continue
                connection.close()

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        yield server.getsockname()[1]
        stop.set()
        thread.join()


def test_failures_do_not_tell_open_from_closed_ports(session, make_worker, open_port_without_http):
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        closed = placeholder.getsockname()[1]
    to_closed = enqueue_webhook(session, f"http://127.0.0.1:{closed}/")
    to_open = enqueue_webhook(session, f"http://127.0.0.1:{open_port_without_http}/")

    make_worker(outbox_retry_base_seconds=60).run_once()

    rows = [reloaded(session, m.id) for m in (to_closed, to_open)]
    assert [(r.status, r.last_error) for r in rows] == [(PENDING, COULD_NOT_CONNECT)] * 2


def test_the_billing_url_is_the_operators_and_allowed_for_billing_only(
    session, make_worker, receiver
):
    """PARLEY_BILLING_URL is allowed by construction; a webhook to it is not."""
    adjustment = outbox_service(session).enqueue(
        "billing", {}, {"amount": "1.00"}, idempotency_key="adjustment:r-1"
    )
    session.commit()
    webhook = enqueue_webhook(session, f"{receiver.url}/adjustments")

    drain(make_worker(billing_url=f"{receiver.url}/adjustments", **DEFAULT_POLICY))

    assert [got.key for got in receiver.received] == ["adjustment:r-1"]
    assert reloaded(session, adjustment.id).status == DELIVERED
    assert (reloaded(session, webhook.id).status, reloaded(session, webhook.id).last_error) == (
        DEAD,
        REFUSED,
    )


def test_a_billing_url_with_credentials_waits_for_the_operator(session, make_worker, receiver):
    made = outbox_service(session).enqueue("billing", {}, {"amount": "1.00"})
    session.commit()
    url = receiver.url.replace("http://", "http://user:pw@")

    make_worker(billing_url=url, outbox_retry_base_seconds=60).run_once()

    row = reloaded(session, made.id)
    assert row.status == PENDING and "credentials" in row.last_error
    assert receiver.received == []
