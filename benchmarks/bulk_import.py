"""Mediation benchmark (issue 16), the bulk-import part (run through benchmarks/mediation.py).

bulk import: `parley import interactions FILE.csv` as the command runs it (the file stored
and checksummed, then every row checked with the API's rules and loaded in batches through
the interactions domain, its audit line and event each), in process, on PostgreSQL; beside,
in the same run, a raw COPY of the very rows the import wrote (the interactions, their audit
lines and events) into the same tables of a second database migrated alike and holding the
same parties and customers (so the same constraints, foreign keys and indexes are checked).
Target: the import at >= 50% of the COPY's rows per second. Creates databases
parley_bench_import and parley_bench_import_copy afresh.

    .venv/bin/python benchmarks/mediation.py --part import
    .venv/bin/python benchmarks/mediation.py --part import --rows 100000
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.settings import Settings

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
IMPORT_DB, COPY_DB = "parley_bench_import", "parley_bench_import_copy"
# The rows the interactions refer to, copied untimed before the COPY that is timed.
PREREQUISITES = ("party", "customer")
IMPORT_RATIO_TARGET = 0.5
# What one import writes per interaction (the rows the COPY loads again), by table and the
# condition that selects them.
IMPORTED_ROWS = (
    ("party_interaction", "TRUE"),
    ("party_interaction_ref", "TRUE"),
    ("audit_entry", "resource_type = 'partyInteraction'"),
    ("outbox_message", "kind = 'event' AND payload->>'resourceType' = 'partyInteraction'"),
)


def create_database(server: str, name: str) -> str:
    """(Re)create database ``name`` on ``server``; return its URL."""
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def machine_facts(engine) -> str:
    with engine.connect() as conn:
        version = conn.scalar(text("SHOW server_version"))
        sync = conn.scalar(text("SHOW synchronous_commit"))
    return (
        f"{os.cpu_count()} cores; PostgreSQL {version.split()[0]} (synchronous_commit {sync}); "
        f"Python {sys.version.split()[0]}"
    )


# -- bulk import ---------------------------------------------------------------------------


def make_customers(sessions, settings: Settings, count: int) -> list[str]:
    """``count`` customers made through the parties service (as the API makes them)."""
    from parley.parties.service import PartyService

    made = []
    with sessions() as session:
        parties = PartyService(UnitOfWork(session, settings, Actor("bench", "cli")))
        for n in range(count):
            person = parties.create_party(
                "Individual", {"givenName": f"Given{n}", "familyName": f"Family{n}"}
            )
            customer = parties.create_customer(
                {"engagedParty": {"id": person.id}}, check_duplicates=False
            )
            made.append(customer.id)
        session.commit()
    return made


def write_interactions(path: Path, rows: int, customers: list[str], seed: int) -> None:
    """A legacy system's export: one interaction per row, with a customer, channel, reason."""
    rng = random.Random(seed)
    channels = ("phone", "email", "shop", "web")
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer.id", "channel", "direction", "reason", "description"])
        for n in range(1, rows + 1):
            writer.writerow(
                [
                    rng.choice(customers),
                    rng.choice(channels),
                    rng.choice(("inbound", "outbound")),
                    "billing.enquiry",
                    f"Legacy contact {n}: asked about the bill and the roaming charges",
                ]
            )


def dump(engine, query: str) -> bytes:
    raw = engine.raw_connection()
    try:
        buffer = io.BytesIO()
        with raw.cursor().copy(f"COPY ({query}) TO STDOUT") as copy:
            for block in copy:
                buffer.write(block)
        return buffer.getvalue()
    finally:
        raw.close()


def copy_again(source, target) -> tuple[float, int]:
    """The rows the import wrote in ``source``, COPYed out to memory, then timed: COPYed into
    the same tables of ``target`` (a database migrated alike, holding the same parties and
    customers, so the same constraints and indexes are checked), and committed."""
    for table in PREREQUISITES:  # untimed: what the interactions refer to
        loaded = dump(source, f"SELECT * FROM {table}")
        with (
            target.begin() as conn,
            conn.connection.driver_connection.cursor().copy(f"COPY {table} FROM STDIN") as copy,
        ):
            copy.write(loaded)
    dumps = {
        table: dump(source, f"SELECT * FROM {table} WHERE {condition}")
        for table, condition in IMPORTED_ROWS
    }
    raw = target.raw_connection()
    try:
        cursor, rows = raw.cursor(), 0
        started = time.perf_counter()
        for table, _ in IMPORTED_ROWS:
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(dumps[table])
            rows += dumps[table].count(b"\n")
        raw.commit()
        seconds = time.perf_counter() - started
    finally:
        raw.close()
    return seconds, rows


def bulk_import_part(args) -> str:
    from parley.mediation.imports import ImportIntake, ImportRunner
    from parley.wiring import wire

    wire()
    url = create_database(args.postgres_server, IMPORT_DB)
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-import-"))
    settings = Settings(
        database_url=url,
        import_dir=str(workdir / "imports"),
        import_batch_size=args.batch_size,
        _env_file=None,
    )
    engine = build_engine(url, 4)
    upgrade(engine)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    customers = make_customers(sessions, settings, args.import_customers)
    data = workdir / "interactions.csv"
    write_interactions(data, args.rows, customers, args.seed)
    actor = Actor(f"cli:{os.environ.get('USER', 'bench')}", "cli")

    load_before = os.getloadavg()
    started = time.perf_counter()
    with data.open("rb") as source:
        received = ImportIntake(sessions, settings).receive(
            "interactions", source, data.name, actor
        )
    tally = ImportRunner(sessions, settings).run(received.import_id)
    import_seconds = time.perf_counter() - started
    load_middle = os.getloadavg()
    with engine.connect() as conn:
        logged = conn.scalar(text("SELECT count(*) FROM party_interaction"))
    copy_url = create_database(args.postgres_server, COPY_DB)
    copy_engine = build_engine(copy_url, 2)
    upgrade(copy_engine)
    copy_seconds, copied = copy_again(engine, copy_engine)
    copy_engine.dispose()
    load_after = os.getloadavg()
    facts = machine_facts(engine)
    engine.dispose()

    assert tally.loaded == logged == args.rows, (tally, logged)
    import_rate = args.rows / import_seconds
    copy_rate = args.rows / copy_seconds
    ratio = import_rate / copy_rate
    verdict = "met" if ratio >= IMPORT_RATIO_TARGET else "not met"
    return "\n".join(
        [
            f"bulk import of {args.rows:,} interactions ({facts})",
            f"  parley import (checked, batches of {args.batch_size}, audit + event each): "
            f"{import_seconds:.1f} s, {import_rate:,.0f} rows/s",
            f"  raw COPY of the same {copied:,} table rows ({args.rows:,} interactions) into "
            "the same tables: "
            f"{copy_seconds:.1f} s, {copy_rate:,.0f} interactions/s",
            f"  ratio {ratio:.0%} (target >= {IMPORT_RATIO_TARGET:.0%}: {verdict})",
            "  load average (1, 5, 15 min) before / after the import / after the COPY: "
            + " / ".join(
                ", ".join(f"{x:.2f}" for x in load)
                for load in (load_before, load_middle, load_after)
            ),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-server", default=PG_SERVER)
    parser.add_argument("--seed", type=int, default=42)
    bulk = parser.add_argument_group("bulk import")
    bulk.add_argument("--rows", type=int, default=100_000, help="interactions in the file")
    bulk.add_argument("--batch-size", type=int, default=5000, help="rows per transaction")
    bulk.add_argument("--import-customers", type=int, default=200)
    args = parser.parse_args(argv)

    print(bulk_import_part(args))


if __name__ == "__main__":
    main()
