"""The data and cases of lists.py's interactions part: TMF683 interaction and TMF621 ticket
lists, filtered, at 10,000,000 interactions (issue 19).

The database (parley_bench_lists_interactions_<rows>) holds interactions.py's timeline data
set, made by its loader: identify.py's customers (20,000 by default) and --interactions
interactions over five years, one customer (the target) with 10,000 of them, the others
lognormally busy. Then --tickets tickets (customer_request rows and their status history, by
COPY) of the same customers, lognormally busy too, over the same five years, on the channels
customers raise requests on. --reuse keeps a database that holds all of it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
import interactions  # noqa: E402  (the timeline data set and its loader)

from parley.db.engine import build_engine  # noqa: E402
from parley.db.migrate import upgrade  # noqa: E402

INTERACTIONS_PATH = interactions.INTERACTIONS_PATH
TICKETS_PATH = "/tmf-api/troubleTicket/v5/troubleTicket"
TIMELINE_TARGET = 10_000  # the busiest customer's interactions (interactions.py's target)
# (channel, share): where customers raise requests.
TICKET_CHANNELS = (("phone", 45), ("web", 25), ("email", 15), ("store", 10), ("app", 5))
# (status, share, closed with an outcome)
TICKET_STATUSES = (
    ("closed", 80, True),
    ("resolved", 4, False),
    ("inProgress", 8, False),
    ("pending", 3, False),
    ("acknowledged", 5, False),
)
TICKET_COLUMNS = (
    "id",
    "reference",
    "customer_id",
    "party_id",
    "type_id",
    "status",
    "priority",
    "channel",
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
)
HISTORY_COLUMNS = ("request_id", "from_status", "status", "actor", "changed_at")
TICKET_BATCH = 50_000


def database(args) -> str:
    """The URL of the loaded database: reused when --reuse finds everything in it, the
    interactions loaded (interactions.py) and the tickets (here) where missing."""
    name = f"parley_bench_lists_interactions_{args.interactions}"

    def holds(url: str) -> bool:
        customers = _count(url, "customer")
        return customers == args.customers and _count(url, "party_interaction") == args.interactions

    url, reused = interactions.reused_or_created(args.postgres_server, name, args.reuse, holds)
    engine = build_engine(url)
    upgrade(engine)  # also brings a reused database to the current revision
    if not reused:
        timeline = argparse.Namespace(
            customers=args.customers, seed=args.seed, rows=args.interactions, target=TIMELINE_TARGET
        )
        timings = interactions.load_timeline_data(engine, timeline)
        print(f"  interactions loaded in {timings['total_s']:.0f} s", file=sys.stderr)
    if _count(url, "customer_request") != args.tickets:
        seconds = load_tickets(engine, args.tickets, args.seed)
        print(f"  {args.tickets:,} tickets loaded in {seconds:.0f} s", file=sys.stderr)
    engine.dispose()
    return url


def _count(url: str, table: str) -> int | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text(f"SELECT count(*) FROM {table}"))
    except Exception:  # no schema yet
        return None
    finally:
        engine.dispose()


def load_tickets(engine: Engine, count: int, seed: int) -> float:
    """``count`` tickets of the customers, by COPY (replacing any there), then VACUUM ANALYZE."""
    started = time.perf_counter()
    rng = random.Random(seed + 7)
    with engine.connect() as conn:
        customers = list(conn.scalars(text("SELECT id FROM customer ORDER BY customer_number")))
        types = conn.execute(
            text("SELECT id, code, name FROM request_type WHERE code <> 'internal' ORDER BY code")
        ).all()
    weights = [rng.lognormvariate(0, 0.8) for _ in customers]
    end = datetime.now(UTC) - timedelta(days=1)
    span = interactions.SPAN
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("TRUNCATE customer_request CASCADE")
        for first in range(0, count, TICKET_BATCH):
            size = min(TICKET_BATCH, count - first)
            owners = rng.choices(customers, weights=weights, k=size)
            tickets, history = [], []
            for offset, customer_id in enumerate(owners):
                number = first + offset
                created = end - timedelta(seconds=span * (1 - (number + rng.random()) / count))
                row, changes = _ticket(rng, number, created, customer_id, types)
                tickets.append(row)
                history.extend(changes)
            for table, columns, rows in (
                ("customer_request", TICKET_COLUMNS, tickets),
                ("request_status_change", HISTORY_COLUMNS, history),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            raw.commit()
            print(f"\r  loaded {first + size:,} tickets", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        raw.driver_connection.autocommit = True
        for table in ("customer_request", "request_status_change"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    finally:
        raw.close()
    return time.perf_counter() - started


def _ticket(rng: random.Random, number: int, created: datetime, customer_id: str, types):
    """One ticket's row and its status history (acknowledged, then where it is now). A
    customer's ticket has no party_id (that names the party behind another system's)."""
    type_id, code, type_name = types[int(rng.random() * len(types))]
    channel = rng.choices(TICKET_CHANNELS, weights=[c[1] for c in TICKET_CHANNELS])[0][0]
    status, _, closes = rng.choices(TICKET_STATUSES, weights=[s[1] for s in TICKET_STATUSES])[0]
    ticket_id = f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-"
    ticket_id += f"{8 + rng.getrandbits(2):x}{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}"
    reference = f"R-{number // 100_000:04d}-{number % 100_000:05d}"
    moved = (
        created + timedelta(hours=rng.expovariate(1 / 20)) if status != "acknowledged" else created
    )
    outcome = ("completed" if rng.random() < 0.85 else "unfulfilled") if closes else None
    document = {
        "@type": "TroubleTicket",
        "ticketType": code,
        "name": type_name,
        "description": f"{type_name} raised on {channel}",
        "channel": {"@type": "ChannelRef", "id": channel, "name": channel},
        "relatedParty": [
            {
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": customer_id,
                    "@referredType": "Customer",
                },
            }
        ],
        "troubleTicketSpecification": {"id": type_id, "name": type_name},
        "status": status,
        "priority": "medium",
    }
    row = (
        ticket_id,
        reference,
        customer_id,
        None,
        type_id,
        status,
        "medium",
        channel,
        created + timedelta(days=2),
        moved if status in ("resolved", "closed") else None,
        moved if closes else None,
        outcome,
        "done" if closes else None,
        1,
        json.dumps(document),
        created,
        moved,
        moved,
    )
    changes = [(ticket_id, None, "acknowledged", "bench", created)]
    if status != "acknowledged":
        changes.append((ticket_id, "acknowledged", status, "bench", moved))
    return row, changes


def cases(url: str, seed: int, case_type) -> list:
    """The cases, with values taken from the data: the busiest and a typical (median) customer
    of each list, the last whole day and month, and the channels."""
    engine = create_engine(url)
    with engine.connect() as conn:
        busiest = interactions.timeline_customers(engine, seed)[0][0]
        typical = _median_customer(conn, "party_interaction")
        busiest_ticket = conn.scalar(
            text(
                "SELECT customer_id FROM customer_request GROUP BY customer_id "
                "ORDER BY count(*) DESC, customer_id LIMIT 1"
            )
        )
        typical_ticket = _median_customer(conn, "customer_request")
    engine.dispose()
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    month_end = today.replace(day=1)
    month_start = (month_end - timedelta(days=1)).replace(day=1)
    day_start = month_start + timedelta(days=14)
    day = _range(day_start, day_start + timedelta(days=1))
    month = _range(month_start, month_end)
    started, created = "interactionDate.startDateTime", "creationDate"

    def interaction(name: str, query: str):
        return case_type(f"interactions: {name}", f"limit=100&{query}", INTERACTIONS_PATH)

    def ticket(name: str, query: str):
        return case_type(f"tickets: {name}", f"limit=100&{query}", TICKETS_PATH)

    return [
        interaction("busiest customer", f"relatedParty.id={busiest}"),
        interaction("typical customer", f"relatedParty.id={typical}"),
        interaction("one day (interactionDate)", day(started)),
        interaction("one month (interactionDate)", month(started)),
        interaction("one day (creationDate)", day(created)),
        interaction("one month (creationDate)", month(created)),
        interaction("channel store", "relatedChannel.channel.id=store"),
        interaction("channel ussd, one day", f"relatedChannel.channel.id=ussd&{day(started)}"),
        interaction(
            "busiest customer, phone, one month",
            f"relatedParty.id={busiest}&relatedChannel.channel.id=phone&{month(started)}",
        ),
        ticket("busiest customer", f"relatedParty.id={busiest_ticket}"),
        ticket("typical customer", f"relatedParty.id={typical_ticket}"),
        ticket("one day", day(created)),
        ticket("one month", month(created)),
        ticket("channel store", "channel.id=store"),
        ticket("channel web, one month", f"channel.id=web&{month(created)}"),
    ]


def _median_customer(conn, table: str) -> str:
    return conn.scalar(
        text(
            f"SELECT customer_id FROM (SELECT customer_id, count(*) AS n FROM {table} "
            "WHERE customer_id IS NOT NULL GROUP BY customer_id) AS busy "
            f"ORDER BY n, customer_id OFFSET (SELECT count(DISTINCT customer_id) / 2 FROM {table}) "
            "LIMIT 1"
        )
    )


def _range(start: datetime, end: datetime):
    """The filter of [start, end) on the attribute it is given."""
    since, until = (moment.isoformat().replace("+00:00", "Z") for moment in (start, end))
    return lambda name: f"{name}.gte={since}&{name}.lt={until}"


def explain(url: str, listed: list, token: str, secret: str) -> str:
    """Each case's statements on its table as the app sends them (its page and its count,
    caught in-process), each with the plan PostgreSQL ran: EXPLAIN (ANALYZE, BUFFERS)."""
    from fastapi.testclient import TestClient

    from parley.app import create_app
    from parley.settings import Settings

    app = create_app(Settings(database_url=url, jwt_secret=secret, _env_file=None))
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if any(f"FROM {table}" in statement for table in ("party_interaction", "customer_request")):
            seen.append((statement, parameters))

    engine = app.state.engine
    event.listen(engine, "before_cursor_execute", capture)
    out = []
    try:
        with TestClient(app) as client:
            for case in listed:
                seen.clear()
                answer = client.get(
                    f"{case.path}?{case.query}", headers={"Authorization": f"Bearer {token}"}
                )
                out += [f"#### {case.name}: {answer.status_code}", ""]
                for statement, parameters in list(seen):
                    if statement.startswith("EXPLAIN") or "request_status_change" in statement:
                        continue
                    out += _plan(engine, statement, parameters)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
        engine.dispose()
    return "\n".join(out)


def _plan(engine: Engine, statement: str, parameters) -> list[str]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plan = [row[0] for row in cursor.fetchall()]
        raw.rollback()
    finally:
        raw.close()
    return ["    " + " ".join(statement.split())[:400], "", *("    " + line for line in plan), ""]
