"""The SLA watch: the warning and then the breach of a clock are raised exactly once per run,
each as a note on the request, an audit entry, a ticket event and a word to the listeners; a
breach sends the customer the delayed notice when the type's policy names it."""

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parley.app import create_app
from parley.auth.audit import AuditFilter, AuditTrail
from parley.jobs import worker_jobs
from parley.outbox.models import OutboxMessage
from parley.outbox.worker import Worker
from parley.requests.sla.listeners import register_sla_listener
from parley.requests.sla.models import RequestSla
from parley.requests.sla.watch import SlaWatch
from tests.factories import create_customer
from tests.requests.helpers import TICKETS, messages_about, patch, raise_request
from tests.requests.sla.helpers import sla_of, watch

# Moved by hand here: the workflows would move these requests themselves.
pytestmark = pytest.mark.usefixtures("without_workflows")


def _template_kinds(session, ticket) -> list[str]:
    return sorted(
        next(c["value"] for c in m.document["characteristic"] if c["name"] == "templateKind")
        for m in messages_about(session, ticket["id"])
    )


def _sla_audit(session, action: str) -> list[str]:
    """The requests audited with ``action`` (ends the read: SQLite's lock goes with it)."""
    entries, _ = AuditTrail(session).query(AuditFilter(action=action))
    found = [entry.resource_id for entry in entries]
    session.rollback()
    return found


def test_the_warning_then_the_breach_fire_once_each(client, session, settings, clock):
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="critical"
    )  # 4 h: warning after 3 h
    patch(client, ticket, {"status": "inProgress"})

    assert watch(session, settings).warnings == 0
    clock.advance(hours=3, minutes=1)
    first = watch(session, settings)
    again = watch(session, settings)
    assert (first.warnings, first.breaches) == (1, 0)
    assert (again.clocks, again.warnings) == (0, 0)
    warned = sla_of(client, ticket)
    assert warned["warned"] and not warned["breached"]

    clock.advance(hours=1)
    breach = watch(session, settings)
    assert (breach.warnings, breach.breaches) == (0, 1)
    assert watch(session, settings).clocks == 0

    sla = sla_of(client, ticket)
    assert sla["warned"] and sla["breached"] and sla["breachRaisedDate"]
    notes = client.get(f"{TICKETS}/{ticket['id']}").json()["note"]
    assert [n["id"] for n in notes] == ["sla-warning-1", "sla-breach-1"]
    assert notes[0]["text"].startswith("SLA warning: 75 % of the 4 h target")
    assert notes[1]["text"].startswith("SLA breached")
    assert _sla_audit(session, "sla_warning") == [ticket["id"]]
    assert _sla_audit(session, "sla_breach") == [ticket["id"]]


def test_each_alert_is_a_ticket_event_with_the_note_changed(client, session, settings, clock):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    clock.advance(hours=25)  # medium: 24 h, both due at once

    assert watch(session, settings).breaches == 1

    events = [
        row.payload
        # In the order written: a table that outlived rolled-back tests reuses freed space,
        # so unordered rows need not come back in that order.
        for row in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "event")
            .order_by(OutboxMessage.created_at)
        )
        if row.payload["resourceId"] == ticket["id"]
        and row.payload["changedAttributes"] == ["note"]
    ]
    session.rollback()
    assert len(events) == 2
    assert {e["resourceType"] for e in events} == {"troubleTicket"}
    assert [n["id"] for n in events[-1]["document"]["note"]] == ["sla-warning-1", "sla-breach-1"]


def test_a_breach_sends_the_delayed_notice_only_if_the_policy_names_it(
    client, session, settings, clock
):
    customer = create_customer(client)
    repair = raise_request(client, customer, ticketType="fault.repair", priority="low")  # delayed
    # A change of contact details naming none waits for an agent: received, resolved only.
    change = raise_request(client, customer, ticketType="contact.change", priority="low")
    clock.advance(hours=73)  # past both targets (72 h and 24 h)

    assert watch(session, settings).breaches == 2

    assert _template_kinds(session, repair) == ["request.delayed", "request.received"]
    assert _template_kinds(session, change) == ["request.received"]
    (delayed,) = [
        m for m in messages_about(session, repair["id"]) if "delayed" in m.document["description"]
    ]
    outbox = session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject_id == delayed.id)
    ).all()
    session.rollback()
    assert len(outbox) == 1 and "taking longer than promised" in outbox[0].payload["subject"]


def test_a_paused_or_stopped_clock_raises_nothing(client, session, settings, clock):
    customer = create_customer(client)
    pending = raise_request(client, customer, ticketType="fault.repair", priority="critical")
    cancelled = raise_request(client, customer, ticketType="fault.repair", priority="critical")
    patch(client, pending, {"status": "pending"})
    client.post(f"/api/v1/requests/{cancelled['id']}/cancel", json={"reason": "duplicate"})
    clock.advance(hours=10)

    assert watch(session, settings).clocks == 0
    patch(client, pending, {"status": "inProgress"})  # 4 h target, 0 used before the pause
    assert watch(session, settings).clocks == 0
    clock.advance(hours=3, minutes=1)
    assert watch(session, settings).warnings == 1


def test_listeners_are_told_and_a_failing_one_changes_nothing(client, session, settings, clock):
    heard = []
    stop_hearing = register_sla_listener(
        lambda _uow, alert: heard.append((alert.kind, alert.request.id))
    )

    def broken(_uow, _alert):
        raise RuntimeError("escalation rule is broken")

    stop_breaking = register_sla_listener(broken)
    try:
        ticket = raise_request(
            client, create_customer(client), ticketType="fault.repair", priority="high"
        )
        clock.advance(hours=9)
        result = watch(session, settings)
    finally:
        stop_hearing()
        stop_breaking()

    assert (result.warnings, result.breaches, result.failed) == (1, 1, 0)
    assert heard == [("warning", ticket["id"]), ("breach", ticket["id"])]
    assert sla_of(client, ticket)["breached"]


def test_reopening_starts_a_run_that_can_warn_again(client, session, settings, clock):
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="high"
    )
    clock.advance(hours=7)
    assert watch(session, settings).warnings == 1
    patch(client, ticket, {"status": "inProgress"})
    client.post(
        f"/api/v1/requests/{ticket['id']}/close",
        json={"outcome": "completed", "resolutionCode": "fixed"},
    )
    client.post(f"/api/v1/requests/{ticket['id']}/reopen", json={"reason": "back again"})
    clock.advance(hours=6, minutes=1)

    assert watch(session, settings).warnings == 1
    notes = [n["id"] for n in client.get(f"{TICKETS}/{ticket['id']}").json()["note"]]
    assert notes == ["sla-warning-1", "sla-warning-2"]


def test_two_watches_at_once_raise_each_alert_once(client, engine, session, settings, clock):
    customer = create_customer(client)
    tickets = [
        raise_request(client, customer, ticketType="fault.repair", priority="critical")
        for _ in range(12)
    ]
    clock.advance(hours=3, minutes=1)
    small_batches = settings.model_copy(update={"sla_batch_size": 3})
    results, start = [], threading.Barrier(2)

    def one_watch():
        start.wait()
        results.append(SlaWatch(engine, small_batches).run_once())

    threads = [threading.Thread(target=one_watch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sum(r.warnings for r in results) == len(tickets)
    assert sum(r.failed for r in results) == 0
    warned = sorted(_sla_audit(session, "sla_warning"))
    assert warned == sorted(t["id"] for t in tickets)
    for ticket in tickets:
        notes = client.get(f"{TICKETS}/{ticket['id']}").json()["note"]
        assert [n["id"] for n in notes] == ["sla-warning-1"]


def test_the_worker_runs_the_watch_beside_the_outbox(client, engine, session, settings, clock):
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="critical"
    )
    clock.advance(hours=5)
    worker = Worker(engine, settings, jobs=worker_jobs(engine, settings))

    worker.run_jobs()
    worker.run_jobs()  # not due again for PARLEY_SLA_POLL_SECONDS
    worker.close()

    assert sla_of(client, ticket)["breached"]
    assert _sla_audit(session, "sla_breach") == [ticket["id"]]


@pytest.mark.committed  # the embedded worker has an engine of its own
def test_the_embedded_worker_of_parley_serve_runs_the_watch(client, session, settings, clock):
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="critical"
    )
    clock.advance(hours=5)
    served = settings.model_copy(update={"embedded_worker": True, "sla_poll_seconds": 0.05})
    app = create_app(served)
    try:
        with TestClient(app):
            deadline = time.monotonic() + 10
            while not _breached(session, ticket) and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        app.state.engine.dispose()

    assert _breached(session, ticket)
    assert _sla_audit(session, "sla_breach") == [ticket["id"]]


def _breached(session, ticket) -> bool:
    breached = session.get(RequestSla, ticket["id"], populate_existing=True).breached_at
    session.rollback()
    return breached is not None
