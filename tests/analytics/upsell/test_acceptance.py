"""Up-sell acceptance over settled days: the workers roll up the days whose offers can no
longer be answered, the KPI reads those rows and the recent offers and gives the same
figures as from the offers alone; an offer older than the period can no longer be answered,
and one answered after its day was rolled up (the period made longer) moves in the day's
figures too."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from parley.actor import Actor
from parley.analytics.upsell import UpsellAcceptance, UpsellService
from parley.analytics.upsell.models import UpsellAcceptanceDay, UpsellOffer
from parley.changes import UnitOfWork
from parley.db.base import utcnow
from parley.errors import Conflict
from parley.jobs import worker_jobs
from parley.outbox.models import EVENT_KIND, OutboxMessage
from tests.analytics.test_upkeep import deliver_events
from tests.analytics.upsell.helpers import (
    answer,
    answer_url,
    contact,
    create_rule,
    data_offering,
    next_offer,
)
from tests.factories import assert_tmf_error, create_customer

# (days ago, rule, offering, status), one customer each.
HISTORY = [
    (200, "data", "o-data", "accepted"),
    (200, "data", "o-data", "refused"),
    (120, "data", "o-data", "expired"),
    (120, "roam", "o-roam", "accepted"),
    (90, "roam", "o-roam", "later"),
    (60, "data", "o-data", "refused"),
    (40, "roam", "o-roam", "shown"),
    (10, "data", "o-data", "accepted"),
    (5, "data", "o-data", "later"),
    (1, "roam", "o-roam", "shown"),
]


def _offers(client, session) -> list[UpsellOffer]:
    now, made = utcnow(), []
    for days, rule, offering, status in HISTORY:
        shown = now - timedelta(days=days)
        offer = UpsellOffer(
            customer_id=create_customer(client)["id"],
            rule_code=rule,
            offering_id=offering,
            offering_name=offering.upper(),
            score=2.0,
            evidence=[],
            status=status,
            presented_at=shown,
            presented_to="agent.ann",
            answered_at=None if status in ("shown", "expired") else shown,
        )
        session.add(offer)
        made.append(offer)
    session.flush()
    return made


def test_settled_days_are_rolled_up_and_the_figures_stay_the_same(client, session, uow):
    _offers(client, session)
    kpi, today = UpsellAcceptance(uow), utcnow().date()
    start, end = today - timedelta(days=365), today + timedelta(days=1)
    before = kpi.figures(start, end, ["rule", "offering"])
    assert before["total"] == {
        "shown": 10,
        "accepted": 3,
        "refused": 2,
        "later": 2,
        "unanswered": 3,
        "acceptanceRate": 0.3,
        "acceptanceOfAnswered": 0.6,
    }

    # Days more than the period (30) and one ago are final: from 200 to 40 days ago.
    assert kpi.roll_up(today) == 200 - 31
    settled = session.scalars(select(UpsellAcceptanceDay)).all()
    assert sum(row.shown for row in settled) == 7
    assert kpi.roll_up(today) == 0  # nothing new to settle
    assert kpi.figures(start, end, ["rule", "offering"]) == before
    # A period that starts within the settled days and ends within the recent ones.
    part = kpi.figures(today - timedelta(days=100), today - timedelta(days=4), ["rule"])
    by_rule = {g["rule"]: (g["shown"], g["accepted"], g["later"]) for g in part["groups"]}
    assert by_rule == {"data": (3, 1, 1), "roam": (2, 0, 1)}


def test_a_lapsed_offer_cannot_be_answered(client, session, uow):
    offers = _offers(client, session)
    waiting = offers[6]  # shown 40 days ago, never answered
    session.commit()
    refused = client.post(
        answer_url({"id": waiting.customer_id}, {"id": waiting.id}), json={"answer": "accepted"}
    )
    assert_tmf_error(refused, 409, "lapsed")


def test_an_answer_after_the_day_was_rolled_up_moves_it_in_the_days_figures(
    client, session, settings
):
    offers = _offers(client, session)
    today = utcnow().date()
    UpsellAcceptance(UnitOfWork(session, settings)).roll_up(today)
    longer = settings.model_copy(update={"upsell_period_days": 120})
    uow = UnitOfWork(session, longer, Actor("agent.ann", "console"))
    later = offers[4]  # "later", 90 days ago: within a 120-day period
    UpsellService(uow).answer(later.customer_id, later.id, "refused")

    row = session.scalars(
        select(UpsellAcceptanceDay).where(
            UpsellAcceptanceDay.day == later.presented_at.date(),
            UpsellAcceptanceDay.rule_code == "roam",
        )
    ).one()
    assert (row.shown, row.refused, row.later) == (1, 1, 0)
    figures = UpsellAcceptance(uow).figures(
        today - timedelta(days=365), today + timedelta(days=1), []
    )
    assert (figures["total"]["refused"], figures["total"]["later"]) == (3, 1)
    assert session.scalar(select(func.count()).select_from(UpsellAcceptanceDay)) == len(
        {(d, r) for d, r, _, _ in HISTORY if d > 31}
    )


def test_a_refused_answer_to_an_answered_offer_changes_nothing(client, session, uow):
    offers = _offers(client, session)
    accepted = offers[7]
    with pytest.raises(Conflict, match="answered already"):
        UpsellService(uow).answer(accepted.customer_id, accepted.id, "refused")


def test_the_workers_deliver_offer_events_and_run_the_roll_up(
    client, engine, settings, make_worker, clock
):
    offering = data_offering(client)
    create_rule(client, offering)
    customer = create_customer(client)
    contact(client, customer, 0)
    contact(client, customer, 1)
    answer(client, customer, next_offer(client, customer)["offer"], "refused")
    worker = make_worker()
    deliver_events(worker)
    with worker.sessions() as session:
        told = session.scalars(
            select(OutboxMessage.status).where(
                OutboxMessage.kind == EVENT_KIND,
                OutboxMessage.payload["resourceType"].as_string() == "upsellOffer",
            )
        ).all()
    assert told == ["delivered", "delivered"]  # shown, then refused

    roll_up = next(job for job in worker_jobs(engine, settings) if job.name == "upsell-roll-up")
    assert roll_up.run() == 0  # shown today: not settled
    clock.advance(days=32)
    assert roll_up.run() == 1  # the day is final now
    with worker.sessions() as session:
        row = session.scalars(select(UpsellAcceptanceDay)).one()
    assert (row.shown, row.refused, row.rule_code) == (1, 1, "data-test")
