"""Up-sell benchmark (issue 17, "Up-sell candidates"), on PostgreSQL: what working out the
next best offer on demand costs the customer 360, and what the acceptance KPI costs.

Creates database parley_bench_upsell_<customers> afresh (or keeps it with --reuse): the
schema; identify.py's synthetic customers (its COPY loader); interactions.py's interaction
log over five years (--interactions rows, one customer holding --chatty of them); the demo
offerings and an offering for everyone with a rule counting data-limit enquiries (the shipped
rules stay, their offerings being for the demo's segments only); two data-limit enquiries
this week for --interested customers (through the interaction service); and --offers past
offers over the last year (COPY) for the KPI. Then, in-process, each call in a transaction of
its own that is rolled back:

- evaluate, quiet: ``UpsellService.evaluate`` of customers with no recent enquiry and no
  offer waiting (the rules, the customer, their inbound contacts of the longest window and
  their offers are read; no candidate, so no gate is);
- evaluate, an offer waiting: the same for customers with an offer waiting for their answer
  (the gates are read, to show it again);
- evaluate, interested: the same for customers with two enquiries (a candidate: the gates
  read the complaints, the area's problems, consent, the offering's eligibility);
- evaluate, chatty: the customer with --chatty interactions, again and again;
- next offer: ``UpsellService.next_offer`` of interested customers (the offer stored);
- baseline: the first page of a quiet customer's timeline (``InteractionService.timeline``,
  20 entries), one of the reads the 360 makes anyway, measured in the same run under the
  same load;
- acceptance: ``UpsellAcceptance.figures`` by rule and offering over the last 30 and 365
  days of --offers offers, after the workers' roll-up of the settled days (run first, timed):
  the settled days from their rows, the last 31 from the offers.

Timings are milliseconds of the service call (p50/p95/p99, nearest rank), after warm-up.

    .venv/bin/python benchmarks/upsell.py                      # 100,000 customers
    .venv/bin/python benchmarks/upsell.py --customers 1000000 --interactions 10000000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.analytics.upsell import UpsellAcceptance, UpsellRules, UpsellService
from parley.changes import UnitOfWork
from parley.db.base import iso
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.demo.offers import create_demo_offers
from parley.interactions.service import InteractionService
from parley.offers import OfferCatalogue
from parley.settings import Settings
from parley.wiring import wire

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
import identify  # noqa: E402
from interactions import (  # noqa: E402
    PG_SERVER,
    InteractionLog,
    load_interactions,
    machine_facts,
    percentile,
    random_uuids,
    reused_or_created,
    timeline_customers,
)

WARMUP = 30
RULE = {
    "code": "bench-data",
    "name": "Data add-on for everyone after data-limit enquiries",
    "signals": [{"kind": "interaction", "code": "usage.data", "weight": 1}],
    "windowDays": 30,
    "halfLifeDays": 14,
    "threshold": 1.5,
    "suppressionDays": 90,
}
OFFER_STATUSES = (("accepted", 18), ("refused", 45), ("expired", 32), ("later", 5))
OFFER_COLUMNS = (
    "id",
    "customer_id",
    "rule_code",
    "offering_id",
    "offering_name",
    "score",
    "evidence",
    "status",
    "presented_at",
    "presented_to",
    "answered_at",
    "answered_by",
)


def database(args) -> tuple[str, bool]:
    """The URL of parley_bench_upsell_<customers> and whether it holds the data (--reuse)."""
    name = f"parley_bench_upsell_{args.customers}"
    return reused_or_created(args.postgres_server, name, args.reuse, lambda url: _holds(url, args))


def _holds(url: str, args) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            counts = (
                conn.scalar(text("SELECT count(*) FROM customer")),
                conn.scalar(text("SELECT count(*) FROM upsell_offer")),
            )
        return counts == (args.customers, args.offers)
    except Exception:  # no schema yet
        return False
    finally:
        engine.dispose()


def load(engine, settings: Settings, args) -> tuple[list[str], str]:
    """Everything the measurements read; the interested customers and the chatty one."""
    print(f"  loading {args.customers:,} customers", file=sys.stderr, flush=True)
    identify.load(engine, identify.Population(args.seed, datetime.now(UTC)), args.customers)
    customers = timeline_customers(engine, args.seed)
    print(f"  loading {args.interactions:,} interactions", file=sys.stderr, flush=True)
    load_interactions(engine, InteractionLog(args.seed, args.interactions, customers, args.chatty))
    rng = random.Random(args.seed + 5)
    interested = [c for c, _ in rng.sample(customers[1:], args.interested)]
    sessions = sessionmaker(bind=engine)
    with sessions() as session:
        uow = UnitOfWork(session, settings, Actor("benchmark", "phone"))
        create_demo_offers(uow)
        everyone = OfferCatalogue(uow).create(
            {
                "name": "Extra 5 GB",
                "lifecycleStatus": "Active",
                "productOfferingPrice": [
                    {"priceType": "oneTime", "price": {"unit": "EUR", "value": 4.99}}
                ],
            }
        )
        UpsellRules(uow).create({**RULE, "productOffering": {"id": everyone.id}})
        catalogue = OfferCatalogue(uow)
        offerings = [(everyone.id, everyone.name)] + [
            (row.id, row.name)
            for row in map(catalogue.by_external_id, ("DEMO-ROAM-EU-5", "DEMO-TV-SPORT"))
        ]
        session.commit()
        print(f"  two enquiries each for {len(interested):,} customers", file=sys.stderr)
        now = datetime.now(UTC)
        for number, customer_id in enumerate(interested):
            for days in (0.2, 2.5):
                _enquiry(uow, customer_id, now - timedelta(days=days))
            if number % 200 == 199:
                session.commit()
        session.commit()
    others = [c for c in customers if c[0] not in set(interested)]  # theirs: a first offer
    load_offers(engine, others, args, offerings)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    return interested, customers[0][0]


def _enquiry(uow: UnitOfWork, customer_id: str, moment: datetime) -> None:
    InteractionService(uow).create(
        {
            "@type": "PartyInteraction",
            "direction": "inbound",
            "status": "completed",
            "reason": "usage.data",
            "description": "Asked how much data is left",
            "interactionDate": {
                "startDateTime": iso(moment),
                "endDateTime": iso(moment + timedelta(minutes=3)),
            },
            "relatedChannel": [{"role": "contact", "channel": {"id": "phone"}}],
            "relatedParty": [
                {
                    "role": "customer",
                    "partyOrPartyRole": {"id": customer_id, "@referredType": "Customer"},
                }
            ],
        }
    )


def load_offers(engine, customers, args, offerings: list[tuple[str, str]]) -> None:
    """--offers past offers over the last year (COPY) to ``customers``: three rules, three
    offerings; at most one offer per customer still waiting for an answer (``later``), as the
    index demands."""
    print(f"  loading {args.offers:,} offers", file=sys.stderr, flush=True)
    rng = random.Random(args.seed + 7)
    rules = ("bench-data", "roaming-pack", "tv-sport")
    statuses = [s for s, _ in OFFER_STATUSES]
    weights = [w for _, w in OFFER_STATUSES]
    waiting: set[str] = set()
    now = int(time.time())
    ids = random_uuids(rng, args.offers)
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()
        with cursor.copy(f"COPY upsell_offer ({', '.join(OFFER_COLUMNS)}) FROM STDIN") as copy:
            for index in range(args.offers):
                customer_id = customers[int(rng.random() * len(customers))][0]
                which = int(rng.random() * 3)
                status = rng.choices(statuses, weights)[0]
                if status == "later":
                    status = "expired" if customer_id in waiting else status
                    waiting.add(customer_id)
                shown = now - int(rng.random() * 365 * 86400)
                answered = shown + int(rng.random() * 600) if status != "expired" else None
                copy.write_row(
                    (
                        ids[index],
                        customer_id,
                        rules[which],
                        offerings[which][0],
                        offerings[which][1],
                        1.5 + rng.random(),
                        "[]",
                        status,
                        datetime.fromtimestamp(shown, UTC),
                        "agent",
                        datetime.fromtimestamp(answered, UTC) if answered else None,
                        "agent" if answered else None,
                    )
                )
        raw.driver_connection.commit()
    finally:
        raw.close()


def timed(sessions, settings: Settings, call, items: list, rounds: int) -> list[float]:
    """Milliseconds of ``call(uow, item)`` for each of ``rounds`` items (cycled), each in a
    transaction rolled back; after WARMUP calls that are not counted."""
    taken = []
    for index in range(WARMUP + rounds):
        item = items[index % len(items)]
        with sessions() as session:
            uow = UnitOfWork(session, settings, Actor("bench-agent", "console"))
            started = time.perf_counter()
            call(uow, item)
            elapsed = (time.perf_counter() - started) * 1000
            session.rollback()
        if index >= WARMUP:
            taken.append(elapsed)
    return taken


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres-server", default=PG_SERVER)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=2_000_000)
    parser.add_argument("--chatty", type=int, default=3_000)
    parser.add_argument("--interested", type=int, default=1_000)
    parser.add_argument("--offers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args(argv)
    wire()
    url, reused = database(args)
    settings = Settings(database_url=url, _env_file=None)
    engine = build_engine(url)
    upgrade(engine)
    load_started = time.perf_counter()
    if reused:
        interested, chatty = _known(engine, args)
    else:
        interested, chatty = load(engine, settings, args)
    loaded = time.perf_counter() - load_started
    sessions = sessionmaker(bind=engine)
    quiet, waiting = _quiet(engine, args, set(interested))
    rolled = _roll_up(sessions, settings)
    before = os.getloadavg()

    def evaluate(uow, customer_id):
        UpsellService(uow).evaluate(customer_id)

    def present(uow, customer_id):
        assert UpsellService(uow).next_offer(customer_id).offer is not None

    # Those an offer is made to (some have an open complaint in the synthetic history).
    with sessions() as session:
        service = UpsellService(UnitOfWork(session, settings))
        offerable = [c for c in interested if service.evaluate(c)[0].new is not None]

    def timeline(uow, customer_id):
        InteractionService(uow).timeline(customer_id, 20)

    results = [
        (
            "baseline: timeline's first page",
            timed(sessions, settings, timeline, quiet, args.rounds),
        ),
        ("evaluate, quiet customer", timed(sessions, settings, evaluate, quiet, args.rounds)),
        ("evaluate, interested", timed(sessions, settings, evaluate, interested, args.rounds)),
        ("evaluate, an offer waiting", timed(sessions, settings, evaluate, waiting, args.rounds)),
        ("evaluate, chatty customer", timed(sessions, settings, evaluate, [chatty], args.rounds)),
        ("next offer (stored)", timed(sessions, settings, present, offerable, args.rounds)),
    ]
    today = datetime.now(UTC).date()
    for days in (30, 365):
        start = today - timedelta(days=days - 1)

        def kpi(uow, _, start=start):
            UpsellAcceptance(uow).figures(start, today + timedelta(days=1), ["rule", "offering"])

        results.append((f"acceptance, {days} days", timed(sessions, settings, kpi, [0], 5)))
    after = os.getloadavg()
    engine.dispose()
    print(report(results, args, machine_facts(url), before, after, loaded, reused, rolled))


def _known(engine, args) -> tuple[list[str], str]:
    """The interested and the chatty customer of a reused database."""
    with engine.connect() as conn:
        interested = list(
            conn.scalars(
                text(
                    "SELECT customer_id FROM party_interaction WHERE reason_code = 'usage.data' "
                    "GROUP BY customer_id ORDER BY customer_id"
                )
            )
        )
        chatty = conn.scalar(
            text(
                "SELECT customer_id FROM party_interaction WHERE customer_id IS NOT NULL "
                "GROUP BY customer_id ORDER BY count(*) DESC LIMIT 1"
            )
        )
    return interested, chatty


def _quiet(engine, args, interested: set[str]) -> tuple[list[str], list[str]]:
    """Customers with no recent enquiry: without an offer waiting for their answer, and with
    one (a synthetic ``later``)."""
    with engine.connect() as conn:
        rows = list(conn.scalars(text("SELECT id FROM customer ORDER BY customer_number")))
        pending = set(
            conn.scalars(text("SELECT customer_id FROM upsell_offer WHERE status = 'later'"))
        )
    rng = random.Random(args.seed + 9)
    sample = [c for c in rng.sample(rows, min(len(rows), 4 * args.rounds)) if c not in interested]
    return [c for c in sample if c not in pending], [c for c in sample if c in pending]


def _roll_up(sessions, settings: Settings) -> tuple[int, float]:
    """The workers' roll-up of the settled days, run until done: days, seconds."""
    started, days = time.perf_counter(), 0
    while True:
        with sessions() as session:
            done = UpsellAcceptance(UnitOfWork(session, settings)).roll_up()
            session.commit()
        if not done:
            return days, time.perf_counter() - started
        days += done


def report(results, args, facts: str, before, after, loaded: float, reused: bool, rolled) -> str:
    lines = [
        f"PostgreSQL, {args.customers:,} customers, {args.interactions:,} interactions, "
        f"{args.offers:,} offers ({'reused' if reused else f'loaded in {loaded:,.0f} s'})",
        "",
        "| call | n | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, taken in results:
        p50, p95, p99 = (percentile(taken, p) for p in (50, 95, 99))
        lines.append(
            f"| {name} | {len(taken)} | {p50:.2f} | {p95:.2f} | {p99:.2f} | {max(taken):.2f} |"
        )
    lines += [
        "",
        f"Roll-up of the settled days before measuring: {rolled[0]} days in {rolled[1]:.1f} s.",
        f"Load average (1, 5, 15 min): {' '.join(f'{v:.2f}' for v in before)} before, "
        f"{' '.join(f'{v:.2f}' for v in after)} after. {facts}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
