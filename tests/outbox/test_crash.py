"""Nothing is lost: `parley worker` processes killed with SIGKILL in the middle of deliveries,
to a receiver that is down for a while, still deliver every message in the end; a repeat
carries the same idempotency key; no message is ever delivered by two workers at once."""

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from parley.outbox.models import DELIVERED, IN_PROGRESS, OutboxMessage
from tests.outbox.conftest import enqueue_webhook
from tests.outbox.receiver import Receiver

PARLEY = str(Path(sys.executable).parent / "parley")
MESSAGES = 60
STARTUP_SECONDS = 4.0  # until a new worker handles SIGTERM, on a loaded machine too


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _worker_environment(database_url: str) -> dict:
    return {
        **os.environ,
        "PARLEY_DATABASE_URL": database_url,
        "PARLEY_OUTBOUND_ALLOW": "127.0.0.1",  # the local receiver
        "PARLEY_OUTBOX_BATCH_SIZE": "5",
        "PARLEY_OUTBOX_POLL_SECONDS": "0.05",
        "PARLEY_OUTBOX_LEASE_SECONDS": "3",
        "PARLEY_WEBHOOK_TIMEOUT_SECONDS": "0.5",
        # The lease must outlast every channel's timeout, not only the webhook's.
        "PARLEY_SMTP_TIMEOUT_SECONDS": "0.5",
        "PARLEY_SMS_TIMEOUT_SECONDS": "0.5",
        "PARLEY_OUTBOX_RETRY_BASE_SECONDS": "0.05",
        "PARLEY_OUTBOX_RETRY_MAX_DELAY_SECONDS": "0.3",
        "PARLEY_OUTBOX_MAX_ATTEMPTS": "1000",
        "PARLEY_LOG_LEVEL": "ERROR",
    }


def _delivered(session) -> int:
    session.expire_all()
    query = select(func.count()).where(OutboxMessage.status == DELIVERED)
    count = session.scalar(query)
    session.rollback()  # end the read: on SQLite it holds the write lock (BEGIN IMMEDIATE)
    return count


def _pids_holding_claims(session) -> set[int]:
    """The processes that have messages claimed (worker names are host:pid:suffix)."""
    session.expire_all()
    query = select(OutboxMessage.claimed_by).where(OutboxMessage.status == IN_PROGRESS)
    names = set(session.scalars(query))
    session.rollback()
    return {int(name.split(":")[1]) for name in names}


def _busy(session, workers, patience: float = 5.0) -> list:
    """The workers in the middle of a batch, waiting up to ``patience`` seconds for one: on a
    loaded machine a new worker takes a while to start claiming."""
    until = time.monotonic() + patience
    while True:
        busy = [w for w in workers if w.pid in _pids_holding_claims(session)]
        if busy or time.monotonic() >= until or _delivered(session) == MESSAGES:
            return busy
        time.sleep(0.02)


def test_killed_workers_and_a_receiver_that_was_down_lose_nothing(
    database_url, engine, session, tmp_path
):
    port = _free_port()
    sent = {
        n: enqueue_webhook(session, f"http://127.0.0.1:{port}/hook", {"n": n}).idempotency_key
        for n in range(MESSAGES)
    }
    environment = _worker_environment(database_url)
    log_path = tmp_path / "workers.log"
    log = log_path.open("w")
    started: dict[int, float] = {}

    def start_worker():
        command = [PARLEY, "worker"]
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=log)
        started[process.pid] = time.monotonic()
        return process

    rng = random.Random(11)
    workers = [start_worker() for _ in range(3)]
    kills_in_flight = 0
    try:
        time.sleep(1.0)  # the receiver is down: every attempt is refused and retried
        with Receiver(port) as receiver:
            receiver.delay = 0.1  # so that deliveries are in flight when workers die
            deadline = time.monotonic() + 40
            for _round in range(4):
                time.sleep(rng.uniform(0.3, 0.8))
                # The victim: a worker in the middle of a batch, if one is.
                busy = _busy(session, workers)
                victim = rng.choice(busy or workers)
                workers.remove(victim)
                victim.send_signal(signal.SIGKILL)
                kills_in_flight += bool(busy)
                victim.wait()
                workers.append(start_worker())
            while _delivered(session) < MESSAGES and time.monotonic() < deadline:
                time.sleep(0.2)
            received = list(receiver.received)
            overlaps = list(receiver.overlaps)
    finally:
        # A worker still starting up has no handler for SIGTERM yet: give it time to get one.
        youngest = max(started[worker.pid] for worker in workers)
        time.sleep(max(0.0, youngest + STARTUP_SECONDS - time.monotonic()))
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(10) for worker in workers]
        log.close()
    assert codes == [0] * len(workers), log_path.read_text()[-2000:]  # a graceful stop

    assert _delivered(session) == MESSAGES, "a message was lost"
    assert kills_in_flight > 0, "no worker was killed in the middle of a batch"
    got = {r.json()["n"]: set() for r in received}
    for r in received:
        got[r.json()["n"]].add(r.key)
    assert got == {n: {key} for n, key in sent.items()}, "a repeat with another key"
    assert overlaps == [], "a message was delivered by two workers at once"


def test_concurrent_workers_deliver_each_message_exactly_once(session, make_worker, receiver):
    keys = [enqueue_webhook(session, receiver.url, {"n": n}).idempotency_key for n in range(80)]
    receiver.delay = 0.002
    workers = [make_worker(outbox_batch_size=4) for _ in range(3)]
    threads = [threading.Thread(target=worker.run) for worker in workers]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 20
        while len(receiver.received) < len(keys) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        for worker in workers:
            worker.stop()
        for thread in threads:
            thread.join(10)

    assert sorted(receiver.keys()) == sorted(keys)  # each once: no repeats without a crash
    assert receiver.overlaps == []
    assert _delivered(session) == len(keys)
