"""Administrators list, inspect and retry dead letters, through the API and the CLI; nobody
else may."""

import json

import pytest
from typer.testing import CliRunner

from parley import cli
from parley.auth.audit import AuditFilter, AuditTrail
from parley.db import engine as engine_module
from parley.outbox.models import DEAD, DELIVERED, PENDING, OutboxMessage
from parley.settings import get_settings
from tests.outbox.conftest import LOCAL_RECEIVERS, enqueue_webhook, outbox_service

API = "/api/v1/outbox"
CACHES = (get_settings, engine_module.get_engine, engine_module.get_sessionmaker)


@pytest.fixture
def dead_letter(session, make_worker, receiver):
    """A message the receiver refused for good (HTTP 404), with its destination secret."""
    receiver.answer = lambda _got: 404
    made = outbox_service(session).enqueue(
        "webhook", {"url": receiver.url, "secret": "s3cret-value"}, {"invoice": "INV-7"}
    )
    session.commit()
    make_worker().run_once()
    return made


def test_dead_letters_are_listed_and_shown_without_secrets(client, dead_letter, session, receiver):
    enqueue_webhook(session, receiver.url)  # a pending one, not listed as dead

    listed = client.get(API, params={"status": "dead"})
    shown = client.get(f"{API}/{dead_letter.id}")

    assert listed.status_code == 200, listed.text
    assert listed.headers["X-Total-Count"] == "1"
    (entry,) = listed.json()
    assert entry["id"] == dead_letter.id and entry["status"] == DEAD
    assert entry["lastError"].startswith("HTTP 404") and "payload" not in entry
    assert shown.status_code == 200
    assert shown.json()["payload"] == {"invoice": "INV-7"}
    assert shown.json()["destination"] == {"url": receiver.url, "secret": "***"}
    assert shown.json()["idempotencyKey"] == dead_letter.idempotency_key
    assert "s3cret-value" not in listed.text + shown.text
    # Logging the administrator in granted a role: its event is an outbox row too.
    assert client.get(API, params={"kind": "webhook"}).headers["X-Total-Count"] == "2"


def test_a_retried_dead_letter_is_delivered_with_the_same_key_and_audited(
    client, dead_letter, session, make_worker, receiver
):
    retried = client.post(f"{API}/{dead_letter.id}/retry")

    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == (PENDING, 0)
    receiver.answer = lambda _got: 200
    make_worker().run_once()
    session.expire_all()
    assert session.get(OutboxMessage, dead_letter.id).status == DELIVERED
    assert receiver.keys() == [dead_letter.idempotency_key] * 2
    (entry,), _ = AuditTrail(session).query(AuditFilter(action="retry"))
    assert (entry.resource_type, entry.resource_id) == ("outboxMessage", dead_letter.id)
    assert entry.before["status"] == DEAD and entry.after == {"status": PENDING, "attempts": 0}


def test_only_a_dead_letter_can_be_retried(client, session, receiver):
    pending = enqueue_webhook(session, receiver.url)

    refused = client.post(f"{API}/{pending.id}/retry")

    assert refused.status_code == 409
    assert refused.json()["@type"] == "Error" and refused.json()["code"] == "CONFLICT"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", f"{API}?status=lost", 400),
        ("GET", f"{API}?limit=0", 400),
        ("GET", f"{API}?offset=-1", 400),
        ("GET", f"{API}/no-such-message", 404),
        ("GET", f"{API}/{'x' * 500}", 404),
        ("POST", f"{API}/7f0e6b2c-0000-4000-8000-000000000000/retry", 404),
    ],
)
def test_bad_requests_get_a_tmf_error(client, method, path, status):
    response = client.request(method, path)

    assert response.status_code == status, response.text
    assert {"code", "reason", "message", "status", "@type"} <= set(response.json())


def test_agents_and_anonymous_callers_are_refused(
    client, anonymous_client, as_user, dead_letter, session
):
    agent = as_user("agent.kim")
    for method, path in (
        ("GET", API),
        ("GET", f"{API}/{dead_letter.id}"),
        ("POST", f"{API}/{dead_letter.id}/retry"),
    ):
        assert client.request(method, path, headers=agent).status_code == 403
        assert anonymous_client.request(method, path).status_code == 401
    session.expire_all()
    assert session.get(OutboxMessage, dead_letter.id).status == DEAD


# -- the CLI -------------------------------------------------------------------------------


@pytest.fixture
def parley(engine, database_url, monkeypatch):
    """``parley("outbox", "list")`` against the test database (committed: the CLI opens an
    engine of its own)."""
    monkeypatch.setenv("PARLEY_DATABASE_URL", database_url)
    for cached in CACHES:
        cached.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli.app, list(args))
    engine_module.get_engine().dispose()
    for cached in CACHES:
        cached.cache_clear()


def test_the_cli_lists_shows_and_retries_dead_letters(parley, dead_letter, session):
    listed = parley("outbox", "list", "--status", "dead")
    shown = parley("outbox", "show", dead_letter.id)
    retried = parley("outbox", "retry", dead_letter.id)
    again = parley("outbox", "retry", dead_letter.id)

    assert listed.exit_code == 0 and dead_letter.id in listed.output
    assert "HTTP 404" in listed.output and "1 of 1 message(s)" in listed.output
    assert shown.exit_code == 0
    assert json.loads(shown.output)["destination"]["secret"] == "***"
    assert retried.exit_code == 0 and "pending again" in retried.output
    assert again.exit_code == 1 and "only a dead letter" in again.output
    session.expire_all()
    assert session.get(OutboxMessage, dead_letter.id).status == PENDING
    (entry,), _ = AuditTrail(session).query(AuditFilter(action="retry"))
    assert entry.channel == "cli"


def test_the_cli_refuses_an_unknown_status_and_message(parley):
    assert parley("outbox", "list", "--status", "lost").exit_code == 1
    missing = parley("outbox", "show", "no-such-message")
    assert missing.exit_code == 1 and "No outbox message" in missing.output


def test_parley_worker_once_delivers_what_is_due(parley, session, receiver, monkeypatch):
    monkeypatch.setenv("PARLEY_OUTBOUND_ALLOW", LOCAL_RECEIVERS)  # the local receiver
    made = [enqueue_webhook(session, receiver.url, {"n": n}) for n in range(12)]

    result = parley("worker", "--once")

    assert result.exit_code == 0, result.output
    assert sorted(receiver.keys()) == sorted(m.idempotency_key for m in made)
