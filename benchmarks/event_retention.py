"""Event store retention benchmark (issue 19): delivered domain events deleted per second by the
workers' retention job (events/retention.py) on PostgreSQL, for a few batch sizes.

Creates database parley_bench_events afresh. Per round: --old delivered events stored 100 days
ago and --recent ones stored yesterday are loaded (one executemany, ~1 KB of JSON each, as the
change recorder writes them), then the job's run (``run_once``, at most 20 batches a run) is
repeated until nothing past the 90-day retention is left; the clock runs over those runs.
Prints the rate per batch size, and the time of the TMF688 list's first page query before and
after (the store's index: kind, created_at, id).

    .venv/bin/python benchmarks/event_retention.py
    .venv/bin/python benchmarks/event_retention.py --old 200000 --batch-sizes 500,1000,5000
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.events.retention import run_once
from parley.outbox.models import DELIVERED, EVENT_KIND, OutboxMessage
from parley.settings import Settings

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASE = "parley_bench_events"
DOCUMENT = {"id": "x", "@type": "Individual", "givenName": "Ada", "note": "n" * 900}


def create_database(server: str) -> str:
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return make_url(server).set(database=DATABASE).render_as_string(hide_password=False)


def load(engine, old: int, recent: int) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox_message, event_store_pruning"))
        for count, age in ((old, timedelta(days=100)), (recent, timedelta(days=1))):
            rows = []
            for number in range(count):
                event_id = str(uuid.uuid4())
                rows.append(
                    {
                        "id": event_id,
                        "kind": EVENT_KIND,
                        "destination": {},
                        "payload": {
                            "eventId": event_id,
                            "resourceType": "individual",
                            "kind": "create",
                            "document": DOCUMENT,
                        },
                        "idempotency_key": f"event:{event_id}",
                        "status": DELIVERED,
                        "attempts": 1,
                        "next_attempt_at": now,
                        "created_at": now - age + timedelta(microseconds=number),
                    }
                )
                if len(rows) == 5000:
                    conn.execute(insert(OutboxMessage), rows)
                    rows = []
            if rows:
                conn.execute(insert(OutboxMessage), rows)
        conn.execute(text("ANALYZE outbox_message"))


def first_page_ms(engine) -> float:
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.kind == EVENT_KIND)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(100)
    )
    with Session(engine) as session:
        session.execute(query).all()
        started = time.perf_counter()
        for _ in range(20):
            session.execute(query).all()
        return (time.perf_counter() - started) / 20 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("PARLEY_BENCH_POSTGRES", PG_SERVER))
    parser.add_argument("--old", type=int, default=100_000)
    parser.add_argument("--recent", type=int, default=20_000)
    parser.add_argument("--batch-sizes", default="500,1000,5000")
    args = parser.parse_args()
    url = create_database(args.server)
    engine = build_engine(url)
    upgrade(engine)
    print(f"{args.old} events past the retention, {args.recent} within it; load {os.getloadavg()}")
    for size in (int(s) for s in args.batch_sizes.split(",")):
        load(engine, args.old, args.recent)
        before = first_page_ms(engine)
        settings = Settings(database_url=url, event_prune_batch_size=size, _env_file=None)
        started, deleted, runs = time.perf_counter(), 0, 0
        while pruned := run_once(engine, settings).events:
            deleted, runs = deleted + pruned, runs + 1
        seconds = time.perf_counter() - started
        after = first_page_ms(engine)
        print(
            f"batch {size:>5}: {deleted} deleted in {seconds:.1f} s ({deleted / seconds:,.0f}/s, "
            f"{runs} runs); first page {before:.2f} ms before, {after:.2f} ms after"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
