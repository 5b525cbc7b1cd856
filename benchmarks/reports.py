"""Closed-request analysis benchmark (issue 17), on PostgreSQL.

Creates database parley_bench_reports_<N> afresh (schema, 50 demo customers, the seeded request
types) and loads N closed requests spread over one quarter (2026 Q3) twice over: as the raw
``customer_request`` rows and as their analytics facts. The first --made of them (at most N)
are made one by one by the workers' function (``analytics.facts.request_fact``, business hours
included) and loaded by COPY; the rest are copies of those made in SQL (INSERT ... SELECT):
copy k of request n is request n + k·made, with the same times, type, reason, outcome and
resolution code, and its channel and area moved k places along their lists, so that the
combinations multiply as they would with more requests. Then it rolls the quarter's 92 days
up (``AnalyticsService.roll_up``). Then, in the same run:

- the closed-request analysis of the quarter from the roll-ups
  (``AnalyticsReader.closed_requests``: counts, rates, p50/p90 of four durations), grouped by
  type and outcome, by channel and outcome, and by area and outcome;
- the same counts and p50/p90 of the resolution time from a plain SQL query with
  ``percentile_cont`` over the raw table;
- the upkeep per closed request: keeping one fact (the reaction's work: upsert, stale day)
  and the roll-up of its day amortised over the day's requests.

Timings are medians of --rounds runs after one warm-up. Dimensions: 10 reasons (each with its
type, category and team), 5 channels, 2 segments, 50 areas, 3 resolution codes per type,
80 % completed.

    .venv/bin/python benchmarks/reports.py --requests 1000000
    .venv/bin/python benchmarks/reports.py --requests 10000000            # 1M made, 9 copies
    .venv/bin/python benchmarks/reports.py --requests 10000000 --reuse    # time it again
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import make_url, text
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.analytics.analysis import AnalyticsReader, Period
from parley.analytics.facts import RequestContext, request_fact
from parley.analytics.models import RequestFact
from parley.analytics.repository import AnalyticsRepository
from parley.analytics.service import AnalyticsService
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.demo.loader import load_demo
from parley.requests.models import CustomerRequest
from parley.settings import Settings
from parley.wiring import wire

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
from interactions import PG_SERVER, create_database, database_exists, machine_facts  # noqa: E402

BATCH = 50_000
LOADED, ROLLED, COPIES = "loaded", "rolled", "copies:"
QUARTER = Period(date(2026, 7, 1), date(2026, 10, 1))
# reason -> (request type, category, team)
REASONS = {
    "fault.report": ("fault.repair", "assurance", "technical"),
    "service.outage": ("fault.repair", "assurance", "technical"),
    "billing.enquiry": ("bill.dispute", "billing", "billing"),
    "billing.dispute": ("bill.dispute", "billing", "billing"),
    "payment": ("adjustment", "billing", "billing"),
    "plan.change": ("addon.selection", "fulfilment", "sales"),
    "order.new": ("addon.selection", "fulfilment", "sales"),
    "contact.change": ("contact.change", "account", None),
    "request.status": ("request.status", "information", None),
    "complaint": ("fault.repair", "assurance", "complaints"),
}
CHANNELS = ("phone", "email", "web", "shop", "ussd")
CODES = ("fixed", "explained", "credited")
AREAS = [f"{10000 + 97 * n:05d}" for n in range(50)]
FACT_COLUMNS = [
    "request_id",
    "reference",
    "customer_id",
    "status",
    "type_code",
    "category",
    "channel",
    "reason_code",
    "priority",
    "outcome",
    "resolution_code",
    "segment",
    "area",
    "team",
    "created_at",
    "first_response_at",
    "closed_at",
    "closed_day",
    "due_at",
    "reopens",
    "tasks",
    "handbacks",
    "first_response_seconds",
    "first_response_business_seconds",
    "resolution_seconds",
    "resolution_business_seconds",
    "sla_met",
    "updated_at",
]
RAW_COLUMNS = [
    "id",
    "reference",
    "customer_id",
    "type_id",
    "status",
    "priority",
    "expected_resolution_at",
    "resolved_at",
    "closed_at",
    "outcome",
    "resolution_code",
    "version",
    "document",
    "created_at",
    "updated_at",
    "status_changed_at",
]
RAW_QUERY = text(
    """
    SELECT t.code, r.outcome, count(*) AS closed,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.closed_at - r.created_at)),
        percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM r.closed_at - r.created_at))
    FROM customer_request r JOIN request_type t ON t.id = r.type_id
    WHERE r.status = 'closed' AND r.closed_at >= :start AND r.closed_at < :end
    GROUP BY t.code, r.outcome
    """
)


def request_id_of(number: int) -> str:
    """Zero-padded, so that the ids of requests 0 .. n-1 are those below request n's."""
    return f"30000000-0000-4000-8000-{number:012d}"


def history(rng: random.Random, number: int, customers: list[str]):
    """One closed request: its ticket as served, its context, and its raw row."""
    reason = rng.choice(list(REASONS))
    type_code, category, team = REASONS[reason]
    seconds = int(rng.random() * (QUARTER.end - QUARTER.start).total_seconds())
    created = datetime.combine(QUARTER.start, datetime.min.time(), UTC) + timedelta(seconds=seconds)
    answered = created + timedelta(minutes=rng.expovariate(1 / 45))
    closed = answered + timedelta(hours=rng.expovariate(1 / (30 if team else 1)))
    if closed.date() >= QUARTER.end:
        closed = datetime.combine(QUARTER.end, datetime.min.time(), UTC) - timedelta(seconds=1)
        answered = min(answered, closed)
    outcome = "completed" if rng.random() < 0.8 else "unfulfilled"
    request_id, reference = request_id_of(number), f"R-{number // 100000:04d}-{number % 100000:05d}"
    ticket = {
        "id": request_id,
        "ticketType": type_code,
        "status": "closed",
        "priority": "medium",
        "creationDate": created.isoformat(),
        "expectedResolutionDate": (created + timedelta(days=2)).isoformat(),
        "relatedParty": [
            {"partyOrPartyRole": {"id": rng.choice(customers), "@referredType": "Customer"}}
        ],
        "troubleTicketCharacteristic": [
            {"name": "requestReference", "value": reference},
            {"name": "outcome", "value": outcome},
            {"name": "resolutionCode", "value": rng.choice(CODES)},
        ],
        "statusChangeHistory": [
            {"status": "acknowledged", "statusChangeDate": created.isoformat()},
            {"status": "inProgress", "statusChangeDate": answered.isoformat()},
            {"status": "closed", "statusChangeDate": closed.isoformat()},
        ],
    }
    tasks = ({"queue": {"code": team}, "creationDate": answered.isoformat()},) if team else ()
    segment = "business" if rng.random() < 0.2 else "residential"
    context = RequestContext(
        category, rng.choice(CHANNELS), reason, segment, rng.choice(AREAS), tasks
    )
    return ticket, context


def load(engine, settings, count: int, seed: int) -> dict:
    rng = random.Random(seed)
    timings = {}
    with sessionmaker(bind=engine)() as session:
        customers = list(session.scalars(text("SELECT id FROM customer ORDER BY id")))
        types = dict(session.execute(text("SELECT code, id FROM request_type")).all())
        calendar = AnalyticsService(UnitOfWork(session, settings)).calendar
    made = copied = 0.0
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        for first in range(0, count, BATCH):
            started = time.perf_counter()
            facts, raws = [], []
            for number in range(first, min(first + BATCH, count)):
                ticket, context = history(rng, number, customers)
                fact = request_fact(ticket, context, calendar)
                fact["updated_at"] = fact["closed_at"]
                facts.append([fact[c] for c in FACT_COLUMNS])
                raws.append(raw_row(ticket, fact, types))
            made += time.perf_counter() - started
            started = time.perf_counter()
            for table, columns, rows in (
                ("analytics_request_fact", FACT_COLUMNS, facts),
                ("customer_request", RAW_COLUMNS, raws),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            connection.commit()
            copied += time.perf_counter() - started
    finally:
        connection.close()
    timings["make facts (s)"], timings["COPY both (s)"] = made, copied
    return timings


def replicate(engine, made: int, copies: int, first: int = 1) -> float:
    """Copies ``first`` .. copies-1 of the ``made`` requests (raw rows and facts), in SQL, one
    transaction each; seconds. The copies skip the foreign-key triggers (the replica role):
    their customers and types are those of the rows they copy, already checked. The tables'
    non-unique indexes (keyed by times and customers, so written all over) are dropped
    meanwhile and built again afterwards; the unique ones grow at their end."""
    secondary = [
        index
        for model in (RequestFact, CustomerRequest)
        for index in model.__table__.indexes
        if not index.unique
    ]
    for index in secondary:
        index.drop(engine, checkfirst=True)
    number = "(right({id}, 12)::bigint + :k * :made)"
    new_id = f"'30000000-0000-4000-8000-' || lpad({number}::text, 12, '0')"
    new_reference = (
        f"'R-' || lpad(({number} / 100000)::text, 4, '0') || '-' "
        f"|| lpad(({number} % 100000)::text, 5, '0')"
    )
    channels = "ARRAY[" + ", ".join(f"'{c}'" for c in CHANNELS) + "]"
    moved = {
        "request_id": new_id.format(id="request_id"),
        "reference": new_reference.format(id="request_id"),
        "channel": f"({channels})[(array_position({channels}, channel) - 1 + :k) % 5 + 1]",
        "area": "lpad((10000 + 97 * (((area::int - 10000) / 97 + :k) % 50))::text, 5, '0')",
    }
    facts = ", ".join(moved.get(c, c) for c in FACT_COLUMNS)
    raw_moved = {"id": new_id.format(id="id"), "reference": new_reference.format(id="id")}
    raws = ", ".join(raw_moved.get(c, c) for c in RAW_COLUMNS)
    bound = {"bound": request_id_of(made), "made": made}
    started = time.perf_counter()
    for k in range(first, copies):
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(
                text(
                    f"INSERT INTO analytics_request_fact ({', '.join(FACT_COLUMNS)}) "
                    f"SELECT {facts} FROM analytics_request_fact WHERE request_id < :bound"
                ),
                {**bound, "k": k},
            )
            connection.execute(
                text(
                    f"INSERT INTO customer_request ({', '.join(RAW_COLUMNS)}) "
                    f"SELECT {raws} FROM customer_request WHERE id < :bound"
                ),
                {**bound, "k": k},
            )
        print(f"    copy {k} made, {time.perf_counter() - started:.0f} s", flush=True)
    for index in secondary:
        index.create(engine, checkfirst=True)
    print(f"    indexes built again, {time.perf_counter() - started:.0f} s", flush=True)
    return time.perf_counter() - started


def vacuum(engine) -> float:
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        for table in ("analytics_request_fact", "customer_request"):
            autocommit.execute(text(f"VACUUM ANALYZE {table}"))
    return time.perf_counter() - started


def raw_row(ticket: dict, fact: dict, types: dict) -> list:
    return [
        fact["request_id"],
        fact["reference"],
        fact["customer_id"],
        types[fact["type_code"]],
        "closed",
        "medium",
        fact["due_at"],
        fact["closed_at"],
        fact["closed_at"],
        fact["outcome"],
        fact["resolution_code"],
        3,
        '{"@type": "TroubleTicket"}',
        fact["created_at"],
        fact["closed_at"],
        fact["closed_at"],
    ]


def roll_up_quarter(engine, settings) -> float:
    with sessionmaker(bind=engine)() as session, session.begin():
        repo = AnalyticsRepository(session)
        repo.mark_stale(QUARTER.start + timedelta(days=n) for n in range(92))
    started = time.perf_counter()
    with sessionmaker(bind=engine)() as session, session.begin():
        service = AnalyticsService(UnitOfWork(session, settings))
        while service.roll_up(limit=100):
            pass
    return time.perf_counter() - started


def timed(run, rounds: int) -> tuple[float, object]:
    result = run()  # warm-up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def upkeep(engine, settings, requests: int, count: int) -> tuple[float, float]:
    """Milliseconds per closed request: keeping its fact (as the reaction does, one unit of
    work each), and rolling its day up again, amortised over the day's requests. The facts
    kept are dropped again afterwards, so that --reuse finds the data set as it was made."""
    rng = random.Random(99)
    with sessionmaker(bind=engine)() as session:
        customers = list(session.scalars(text("SELECT id FROM customer ORDER BY id")))
    made = [history(rng, requests + n, customers) for n in range(count)]
    sessions = sessionmaker(bind=engine)
    started = time.perf_counter()
    for ticket, context in made:
        with sessions() as session, session.begin():
            AnalyticsService(UnitOfWork(session, settings)).record_request(ticket, context)
    per_fact = (time.perf_counter() - started) / count * 1000
    day = QUARTER.start + timedelta(days=45)
    with sessions() as session:
        in_day = session.scalar(
            text("SELECT count(*) FROM analytics_request_fact WHERE closed_day = :d"), {"d": day}
        )
    started = time.perf_counter()
    with sessions() as session, session.begin():
        AnalyticsService(UnitOfWork(session, settings)).roll_up_day(day)
    per_day = (time.perf_counter() - started) * 1000
    with sessions() as session, session.begin():
        bound = {"bound": request_id_of(requests)}
        session.execute(
            text("DELETE FROM analytics_request_fact WHERE request_id >= :bound"), bound
        )
        session.execute(text("DELETE FROM analytics_stale_day"))
        AnalyticsService(UnitOfWork(session, settings)).roll_up_day(day)
    return per_fact, per_day / in_day


def prepare(engine, settings, requests: int, made: int) -> None:
    """Schema, customers, the requests and their facts, the quarter rolled up; prints how
    long each step took."""
    upgrade(engine)
    with sessionmaker(bind=engine)() as session:
        load_demo(session, settings, 50, 7, False)
        session.commit()
    for step, seconds in load(engine, settings, made, 17).items():
        print(f"  load: {step} {seconds:.1f}", flush=True)
    if requests > made:
        seconds = replicate(engine, made, requests // made)
        print(f"  load: copies in SQL (s) {seconds:.1f}, load average {os.getloadavg()[0]:.2f}")
    print(f"  load: VACUUM ANALYZE (s) {vacuum(engine):.1f}", flush=True)


def roll_up(engine, settings, requests: int) -> None:
    rolled = roll_up_quarter(engine, settings)
    print(f"  roll-up of the quarter's 92 days from the facts: {rolled:.1f} s "
          f"({rolled / requests * 1e6:.0f} s per million), "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip


def holds(url: str, requests: int, made: int) -> str:
    """What the database at ``url`` holds: the requests and their facts (LOADED), and their
    roll-ups (ROLLED); some copies of the ``made`` ones (COPIES + how many); or none ("")."""
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            counts = [
                connection.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("customer_request", "analytics_request_fact")
            ]
            rolled = connection.scalar(
                text(
                    "SELECT coalesce(sum(closed), 0) FROM analytics_request_daily "
                    "WHERE cuboid = 'core' AND span = 'month'"
                )  # fmt: skip
            )
    except Exception:  # noqa: BLE001 - a half-made database is made again
        return ""
    finally:
        engine.dispose()
    if counts[0] == counts[1] and counts[0] < requests and counts[0] % made == 0 and counts[0]:
        return f"{COPIES}{counts[0] // made}"
    if counts != [requests, requests]:
        return ""
    return ROLLED if rolled == requests else LOADED


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument(
        "--made",
        type=int,
        default=1_000_000,
        help="requests made one by one by the workers' function; the rest are copies (SQL)",
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database that holds these requests"
    )
    parser.add_argument("--server", default=os.environ.get("PARLEY_BENCH_PG", PG_SERVER))
    args = parser.parse_args()
    wire()

    made = min(args.made, args.requests)
    if args.requests % made:
        parser.error("--requests must be a multiple of --made")
    name = f"parley_bench_reports_{args.requests}"
    url = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    held = (
        holds(url, args.requests, made) if args.reuse and database_exists(args.server, name) else ""
    )
    if not held:
        create_database(args.server, name)
    settings = Settings(database_url=url, jwt_secret=SecretStr("x" * 64), _env_file=None)
    engine = build_engine(url)
    print(f"# {machine_facts(url)}; load average {os.getloadavg()[0]:.2f}")
    print(f"{args.requests:,} closed requests in {QUARTER.start} .. {QUARTER.end}", end="")
    if held == ROLLED:
        print(f" (reused {name})")
    elif held == LOADED:
        print(f" (reused {name}, not rolled up yet)")
        roll_up(engine, settings, args.requests)
    elif held.startswith(COPIES):
        copies = int(held.removeprefix(COPIES))
        print(f" (reused {name}: {copies} of {args.requests // made} copies made)")
        seconds = replicate(engine, made, args.requests // made, copies)
        print(f"  load: copies in SQL (s) {seconds:.1f}, load average {os.getloadavg()[0]:.2f}")
        print(f"  load: VACUUM ANALYZE (s) {vacuum(engine):.1f}", flush=True)
        roll_up(engine, settings, args.requests)
    else:
        print(f", {made:,} made one by one, the rest copies of them")
        prepare(engine, settings, args.requests, made)
        roll_up(engine, settings, args.requests)

    with sessionmaker(bind=engine)() as session:
        rollups = session.scalar(text("SELECT count(*) FROM analytics_request_daily"))
        print(f"  roll-up rows: {rollups:,}")
        reader = AnalyticsReader(UnitOfWork(session, settings, Actor("bench", "cli")))
        print(f"analysis of the quarter (median of {args.rounds}), load average "
              f"{os.getloadavg()[0]:.2f}:")  # fmt: skip
        checks = {}
        for group in (["type", "outcome"], ["channel", "outcome"], ["area", "outcome"]):
            seconds, groups = timed(
                lambda g=group: reader.closed_requests(QUARTER, g, {}), args.rounds
            )
            by = " and ".join(group)
            print(f"  roll-ups, by {by}: {seconds * 1000:.0f} ms ({len(groups)} groups), "
                  f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
            if group == ["type", "outcome"]:
                checks = {(g["type"], g["outcome"]): g for g in groups}
        window = {
            "start": datetime(2026, 7, 1, tzinfo=UTC),
            "end": datetime(2026, 10, 1, tzinfo=UTC),
        }
        seconds, raw = timed(lambda: session.execute(RAW_QUERY, window).all(), args.rounds)
        print(f"  plain SQL percentile_cont over customer_request, by type and outcome: "
              f"{seconds * 1000:.0f} ms ({len(raw)} groups), "
              f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
        worst = 0.0
        for code, outcome, closed, p50, p90 in raw:
            mine = checks[(code, outcome)]
            assert mine["closed"] == closed, (code, outcome, mine["closed"], closed)
            worst = max(worst, abs(mine["resolutionP50Seconds"] - p50) / p50,
                        abs(mine["resolutionP90Seconds"] - p90) / p90)  # fmt: skip
        print(f"  counts equal; p50/p90 from the roll-ups within {worst:.1%} of percentile_cont")
    fact_ms, day_ms = upkeep(engine, settings, args.requests, 500)
    print(
        f"upkeep per closed request: fact {fact_ms:.2f} ms (one unit of work each), "
        f"its day's roll-up amortised {day_ms:.3f} ms; load average {os.getloadavg()[0]:.2f}"
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
