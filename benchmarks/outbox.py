"""Outbox delivery benchmark (issue 5): webhook messages delivered per second by 1 and by 2
`parley worker` processes to a local receiver, on PostgreSQL.

Creates database parley_bench_outbox afresh. Per round: the workers are started and idle, then
--messages webhook messages are committed in one transaction, and the clock runs from that
commit until the last one is marked delivered. The receiver (a threading http.server in its own
process, keep-alive, answering 200 at once) and the database are on this machine. Prints the
median rate over --rounds rounds for each number of workers.

    .venv/bin/python benchmarks/outbox.py
    .venv/bin/python benchmarks/outbox.py --messages 5000 --rounds 5 --batch-size 50
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.outbox.service import OutboxService
from parley.settings import Settings

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASE = "parley_bench_outbox"
PARLEY = str(Path(sys.executable).parent / "parley")
PAYLOAD = {"eventType": "CustomerAttributeValueChangeEvent", "event": {"customer": {"id": "x"}}}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args):
        pass


def _serve(port: int) -> None:
    ThreadingHTTPServer(("127.0.0.1", port), _Handler).serve_forever()


def create_database(server: str) -> str:
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return make_url(server).set(database=DATABASE).render_as_string(hide_password=False)


def one_round(engine, url: str, workers: int, messages: int, env: dict) -> float:
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox_message"))
    processes = [
        subprocess.Popen([PARLEY, "worker"], env=env, stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        time.sleep(2.0)  # started and polling an empty outbox
        with Session(engine) as session:
            service = OutboxService(UnitOfWork(session, Settings(database_url=url, _env_file=None)))
            for n in range(messages):
                service.enqueue("webhook", {"url": url}, {**PAYLOAD, "n": n})
            session.commit()
        started = time.perf_counter()
        count = text("SELECT count(*) FROM outbox_message WHERE status = 'delivered'")
        while True:
            with engine.connect() as conn:
                done = conn.scalar(count)
            if done >= messages:
                break
            time.sleep(0.02)
        return messages / (time.perf_counter() - started)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres-server", default=PG_SERVER)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=10, help="PARLEY_OUTBOX_BATCH_SIZE")
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()

    database_url = create_database(args.postgres_server)
    engine = build_engine(database_url, pool_size=2)
    upgrade(engine)
    receiver = multiprocessing.Process(target=_serve, args=(args.port,), daemon=True)
    receiver.start()
    env = {
        **os.environ,
        "PARLEY_DATABASE_URL": database_url,
        "PARLEY_OUTBOX_BATCH_SIZE": str(args.batch_size),
        "PARLEY_OUTBOX_POLL_SECONDS": "0.05",
        "PARLEY_LOG_LEVEL": "WARNING",
    }
    url = f"http://127.0.0.1:{args.port}/listener"
    print(f"{args.messages} messages per round, {args.rounds} rounds, batch {args.batch_size}")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    try:
        for workers in (1, 2):
            rates = [
                one_round(engine, url, workers, args.messages, env) for _ in range(args.rounds)
            ]
            shown = ", ".join(f"{rate:.0f}" for rate in rates)
            print(
                f"{workers} worker(s): median {statistics.median(rates):.0f} messages/s "
                f"(rounds: {shown})"
            )
    finally:
        receiver.terminate()
        engine.dispose()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
