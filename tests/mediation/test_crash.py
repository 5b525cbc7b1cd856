"""Nothing received is lost or applied twice: `parley worker` processes killed with SIGKILL in
the middle of applying 1,000 inbound messages, then restarted, apply every message exactly
once. Counted by the interactions the messages log: after each kill as many as the messages
marked applied (nothing half-applied), at the end one per message. On PostgreSQL two workers
share the rest of the run (on SQLite its write lock runs one at a time anyway)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.interactions.models import Interaction
from parley.mediation import APPLIED, InboundStore
from parley.mediation.models import InboundMessage
from parley.mediation.profile_service import ProfileService
from tests.mediation.conftest import receive_partner
from tests.web.helpers import make_customer

PARLEY = str(Path(sys.executable).parent / "parley")
MESSAGES = 1000
KILLS = 3
STARTUP_SECONDS = 4.0  # until a new worker handles SIGTERM, on a loaded machine too
PROFILE = {
    "partner": "web-forms",
    "transactionType": "contact-form",
    "parse": {"format": "json"},
    "transform": {
        "jsonata": '{"customer": {"id": customer}, "channel": "web", "description": text, '
        '"externalId": $string(n)}'
    },
    "command": "logInteraction",
}


def _environment(database_url: str) -> dict:
    return {
        **os.environ,
        "PARLEY_DATABASE_URL": database_url,
        "PARLEY_INBOUND_BATCH_SIZE": "10",
        "PARLEY_INBOUND_POLL_SECONDS": "0.05",
        "PARLEY_OUTBOX_POLL_SECONDS": "0.05",
        "PARLEY_LOG_LEVEL": "ERROR",
    }


def _counts(reader) -> tuple[int, int]:
    """(messages applied, interactions logged), read in one transaction."""
    with reader() as session:
        applied = select(func.count()).where(InboundMessage.state == APPLIED)
        logged = select(func.count()).select_from(Interaction)
        return session.scalar(applied), session.scalar(logged)


def test_killed_workers_apply_every_message_exactly_once(
    database_url, engine, session, client, settings, tmp_path
):
    customer = make_customer(client)
    ProfileService(UnitOfWork(session, settings, Actor("test-admin", "test"))).create(PROFILE)
    session.commit()
    store = InboundStore(sessionmaker(bind=engine, expire_on_commit=False))
    # On SQLite a read takes the write lock too (BEGIN IMMEDIATE): waiting for busy workers
    # may take longer than the default 5 s on a loaded machine.
    counter = build_engine(database_url, 1, busy_timeout_ms=120_000)
    reader = sessionmaker(bind=counter)
    for n in range(MESSAGES):
        body = {"customer": customer["id"], "text": f"Contact form {n}", "n": n}
        receive_partner(store, "web-forms", json.dumps(body).encode(), "application/json")

    log_path = tmp_path / "workers.log"
    log = log_path.open("w")
    started: dict[int, float] = {}

    def start_worker():
        worker = subprocess.Popen(
            [PARLEY, "worker"], env=_environment(database_url), stdout=log, stderr=log
        )
        started[worker.pid] = time.monotonic()
        return worker

    workers = [start_worker()]
    killed_at = []
    try:
        for round_number in range(KILLS):
            # Kill once this round's share is applied: in the middle of the run, mid-batch.
            wanted = (round_number + 1) * MESSAGES // (KILLS + 2)
            deadline = time.monotonic() + 120
            while _counts(reader)[0] < wanted and time.monotonic() < deadline:
                time.sleep(0.01)
            victim = workers.pop()
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            killed_at.append(_counts(reader))
            workers.append(start_worker())
        if engine.dialect.name == "postgresql":
            workers.append(start_worker())  # two at once: they take disjoint batches
        deadline = time.monotonic() + 300
        while _counts(reader)[0] < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        youngest = max(started[worker.pid] for worker in workers)
        time.sleep(max(0.0, youngest + STARTUP_SECONDS - time.monotonic()))
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(30) for worker in workers]
        log.close()
        try:
            final = _counts(reader)  # read before the engine is closed: no connection left open
        finally:
            counter.dispose()
    assert codes == [0] * len(workers), log_path.read_text()[-2000:]

    assert all(0 < applied < MESSAGES for applied, _ in killed_at), killed_at  # mid-way
    assert all(applied == logged for applied, logged in killed_at), killed_at
    assert final == (MESSAGES, MESSAGES)
    outcomes = session.scalars(select(InboundMessage.outcome))
    made = {outcome["results"][0]["interaction"] for outcome in outcomes}
    assert len(made) == MESSAGES  # one interaction each, none shared
    texts = session.scalars(select(Interaction.description))
    assert sorted(texts) == sorted(f"Contact form {n}" for n in range(MESSAGES))
