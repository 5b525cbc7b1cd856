"""Inbound message benchmark (issue 16): partner messages stored raw per second
(``InboundStore.receive``, one transaction each, from one thread), and applied per second by 1
and by 2 ``parley worker`` processes (each message a JSON contact form that a profile turns
into a logged interaction), on PostgreSQL.

Creates database parley_bench_inbound afresh. Per round: --messages messages are received,
then the workers are started and the clock runs until the last one is applied (the workers'
start-up included: about a second). Prints the median of --rounds rounds.

    .venv/bin/python benchmarks/inbound.py
    .venv/bin/python benchmarks/inbound.py --messages 2000 --rounds 3 --batch-size 50
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.mediation import APPLIED, InboundStore
from parley.mediation.models import InboundMessage
from parley.mediation.profile_service import ProfileService
from parley.parties.service import PartyService
from parley.settings import Settings
from parley.wiring import wire

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASE = "parley_bench_inbound"
PARLEY = str(Path(sys.executable).parent / "parley")
PROFILE = {
    "partner": "web-forms",
    "transactionType": "contact-form",
    "parse": {"format": "json"},
    "transform": {
        "jsonata": '{"customer": {"id": customer}, "channel": "web", "description": text}'
    },
    "command": "logInteraction",
}


def create_database(server: str) -> str:
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return make_url(server).set(database=DATABASE).render_as_string(hide_password=False)


def set_up(sessions, settings) -> str:
    """The profile and a customer the messages name; the customer's id."""
    with sessions() as session:
        uow = UnitOfWork(session, settings, Actor("bench", "test"))
        parties = PartyService(uow)
        party = parties.create_party(
            "Individual", {"@type": "Individual", "givenName": "Bea", "familyName": "Bench"}
        )
        customer = parties.create_customer(
            {"@type": "Customer", "name": "Bea Bench", "engagedParty": {"id": party.id}}
        )
        ProfileService(uow).create(PROFILE)
        session.commit()
        return customer.id


def applied(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).where(InboundMessage.state == APPLIED))


def one_round(engine, sessions, customer_id: str, workers: int, messages: int, env: dict):
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE inbound_message"))
    store = InboundStore(sessions)
    started = time.perf_counter()
    for n in range(messages):
        body = json.dumps({"customer": customer_id, "text": f"Contact form {n}"}).encode()
        store.receive(
            "partner",
            body,
            received_by="bench",
            partner="web-forms",
            content_type="application/json",
        )
    received = messages / (time.perf_counter() - started)
    started = time.perf_counter()
    processes = [
        subprocess.Popen([PARLEY, "worker"], env=env, stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        while applied(sessions) < messages:
            time.sleep(0.05)
        rate = messages / (time.perf_counter() - started)
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
    return received, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=os.environ.get("PARLEY_BENCH_PG", PG_SERVER))
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=20)
    args = parser.parse_args()
    wire()
    url = create_database(args.server)
    engine = build_engine(url)
    upgrade(engine)
    settings = Settings(database_url=url, _env_file=None)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    customer_id = set_up(sessions, settings)
    env = {
        **os.environ,
        "PARLEY_DATABASE_URL": url,
        "PARLEY_INBOUND_BATCH_SIZE": str(args.batch_size),
        "PARLEY_INBOUND_POLL_SECONDS": "0.05",
        "PARLEY_LOG_LEVEL": "ERROR",
    }
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for workers in (1, 2):
        rounds = [
            one_round(engine, sessions, customer_id, workers, args.messages, env)
            for _ in range(args.rounds)
        ]
        received = statistics.median(r for r, _ in rounds)
        rate = statistics.median(a for _, a in rounds)
        print(
            f"{workers} worker(s), {args.messages} messages, batch {args.batch_size}: "
            f"received {received:.0f}/s, applied {rate:.0f}/s (median of {args.rounds})"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    engine.dispose()


if __name__ == "__main__":
    main()
