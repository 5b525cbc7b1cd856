"""The workers keep the facts and roll-ups from the domain events: a request raised, closed
and reopened through the API is analysed as it is, and a rebuild from history agrees."""

from datetime import timedelta

from sqlalchemy import func, select

from parley.analytics.analysis import AnalyticsReader, Period
from parley.analytics.models import InteractionFact, RequestFact
from parley.analytics.service import AnalyticsService
from parley.changes import UnitOfWork
from parley.db.base import utcnow
from parley.outbox.models import EVENT_KIND, IN_PROGRESS, PENDING, OutboxMessage
from tests.factories import create_customer
from tests.requests.helpers import REQUESTS, TICKETS, patch, raise_request

ANALYSIS = "/api/v1/analytics/closed-requests"


def deliver_events(worker, rounds: int = 10) -> None:
    """Run the worker until every domain event is handled (its reactions with it); customers'
    notices may wait: no mail server here."""
    for _ in range(rounds):
        worker.run_once()
        with worker.sessions() as session:
            waiting = select(func.count()).where(
                OutboxMessage.kind == EVENT_KIND, OutboxMessage.status.in_((PENDING, IN_PROGRESS))
            )
            if session.scalar(waiting) == 0:
                return
    raise AssertionError("events still pending")


def roll_up(engine_sessions, settings) -> None:
    with engine_sessions() as session, session.begin():
        service = AnalyticsService(UnitOfWork(session, settings))
        while service.roll_up():
            pass


def close(client, ticket: dict, outcome: str, code: str) -> None:
    started = patch(client, ticket, {"status": "inProgress"})
    assert started.status_code == 200, started.text
    closed = client.post(
        f"{REQUESTS}/{ticket['id']}/close", json={"outcome": outcome, "resolutionCode": code}
    )
    assert closed.status_code == 200, closed.text


def analysis(client, **params) -> dict:
    today = utcnow().date()
    params = {"from": today.isoformat(), "to": (today + timedelta(days=1)).isoformat(), **params}
    response = client.get(ANALYSIS, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_closed_then_reopened_request_is_analysed_as_it_stands(
    client, settings, make_worker, without_workflows
):
    customer = create_customer(client)
    ticket = raise_request(client, customer)
    close(client, ticket, "unfulfilled", "no.coverage")
    worker = make_worker()
    deliver_events(worker)
    roll_up(worker.sessions, settings)

    with worker.sessions() as session:
        fact = session.get(RequestFact, ticket["id"])
        assert (fact.status, fact.outcome, fact.resolution_code) == (
            "closed",
            "unfulfilled",
            "no.coverage",
        )
        assert fact.customer_id == customer["id"] and fact.resolution_seconds >= 0
        # The opening and closing interactions, both completed, are facts too.
        contacts = session.scalars(
            select(InteractionFact).where(InteractionFact.customer_id == customer["id"])
        ).all()
        assert len(contacts) >= 1
    groups = analysis(client, groupBy="outcome,resolutionCode")["groups"]
    assert [(g["outcome"], g["resolutionCode"], g["closed"]) for g in groups] == [
        ("unfulfilled", "no.coverage", 1)
    ]
    shown = client.get(groups[0]["drillDown"])
    assert shown.status_code == 200, shown.text
    assert [row["id"] for row in shown.json()] == [ticket["id"]]

    reopened = patch(client, ticket, {"status": "inProgress", "statusChangeReason": "not fixed"})
    assert reopened.status_code == 200, reopened.text
    deliver_events(worker)
    roll_up(worker.sessions, settings)
    assert analysis(client)["groups"] == []  # open again: in the backlog, not in the analysis
    today = utcnow().date()
    with worker.sessions() as session:
        kpis = AnalyticsReader(UnitOfWork(session, settings)).kpis(
            Period(today, today + timedelta(days=1)), utcnow()
        )
    assert kpis["backlog"]["open"] >= 1


def test_a_rebuild_from_history_makes_the_same_facts(
    client, settings, make_worker, without_workflows
):
    customer = create_customer(client)
    tickets = [raise_request(client, customer) for _ in range(3)]
    for ticket, outcome in zip(tickets, ("completed", "unfulfilled", None), strict=True):
        if outcome:
            close(client, ticket, outcome, "done")
    worker = make_worker()
    deliver_events(worker)
    roll_up(worker.sessions, settings)
    before = analysis(client, groupBy="outcome")["groups"]

    with worker.sessions() as session, session.begin():
        kept = {row.request_id: _comparable(row) for row in session.scalars(select(RequestFact))}
        requests, _ = AnalyticsService(UnitOfWork(session, settings)).rebuild()
    with worker.sessions() as session:
        rebuilt = {row.request_id: _comparable(row) for row in session.scalars(select(RequestFact))}
    assert requests >= 3 and rebuilt == kept
    assert analysis(client, groupBy="outcome")["groups"] == before
    assert [(g["outcome"], g["closed"]) for g in before] == [("completed", 1), ("unfulfilled", 1)]


def _comparable(row) -> dict:
    return {
        key: value
        for key, value in vars(row).items()
        if not key.startswith("_") and key != "updated_at"
    }


def test_a_ticket_for_no_customer_or_another_systems_has_a_fact_without_customer(client, uow):
    service = AnalyticsService(uow)
    oss = {"description": "Cell 4711 is down", "severity": "High", "ticketType": "a" * 90}
    ref = {"id": "C-" + "5" * 60, "@referredType": "Customer"}
    bss = {**oss, "relatedParty": [{"role": "customer", "partyOrPartyRole": ref}]}
    made = [client.post(TICKETS, json=body).json()["id"] for body in (oss, bss)]

    for ticket_id in made:
        service.on_request_event({"resourceId": ticket_id, "kind": "create"})

    facts = uow.session.scalars(select(RequestFact).where(RequestFact.request_id.in_(made))).all()
    # The type's code, not the client's word for it (kept as sent, of any length).
    assert [(f.customer_id, f.type_code) for f in facts] == [(None, "internal")] * 2
