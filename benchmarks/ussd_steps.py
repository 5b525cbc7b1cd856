"""What one USSD step costs, in-process (issue 15): SQL statements and CPU per step kind.

Plays --sessions sessions of benchmarks/ussd.py's five steps one after the other through the
whole ASGI app (Starlette's TestClient: routing, dependencies, the unit of work and its
commit) against its database `parley_bench_ussd` (run benchmarks/ussd.py once to make it).
For each step kind it prints the statements sent (SQLAlchemy cursor events), this process's
CPU (app and test client) and the PostgreSQL backends' CPU, per step; --profile prints the
top of a cProfile of the app's side.

    PYTHONPATH=src .venv/bin/python benchmarks/ussd_steps.py --sessions 200
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
from interactions import PG_SERVER, backend_pids, cpu_seconds  # noqa: E402
from ussd import DATABASE, STEPS, callers  # noqa: E402

URL_PATH = "/api/v1/channels/ussd/africastalking"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-server", default=PG_SERVER)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile the steps")
    args = parser.parse_args(argv)
    url = make_url(args.postgres_server).set(database=DATABASE)
    url = url.render_as_string(hide_password=False)
    os.environ["PARLEY_DATABASE_URL"] = url
    os.environ.setdefault("PARLEY_JWT_SECRET", secrets.token_hex(32))

    from fastapi.testclient import TestClient

    from parley.app import create_app

    numbers = callers(url, args.sessions)
    app = create_app()
    statements = [0]  # sent so far

    @event.listens_for(app.state.engine, "before_cursor_execute")
    def _count(*_):
        statements[0] += 1

    watcher = create_engine(url)
    counted: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    profiler = cProfile.Profile() if args.profile else None
    with TestClient(app) as client:
        for warm in numbers[:10]:  # menus cached, connections open, code paths warm
            play(client, warm, None, None, None)
        backends = backend_pids(watcher)
        for msisdn in numbers:
            play(client, msisdn, counted, statements, backends, profiler)
    watcher.dispose()
    load = os.getloadavg()
    print(f"{args.sessions} sessions, one step at a time, in-process; load average {load}")
    print(f"{'step':<16}{'statements':>11}{'app ms CPU':>11}{'PG ms CPU':>10}")
    total = [0, 0.0, 0.0]
    for name, _given, _expected in STEPS:
        print(line(name, counted[name], args.sessions))
        total = [a + b for a, b in zip(total, counted[name], strict=True)]
    print(line("every step", total, args.sessions * len(STEPS)))
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


def line(name: str, counted: list[float], steps: int) -> str:
    sent, app_cpu, database_cpu = (value / steps for value in counted)
    return f"{name:<16}{sent:>11.1f}{app_cpu * 1000:>11.2f}{database_cpu * 1000:>10.2f}"


def play(client, msisdn: str, counted, statements, backends, profiler=None) -> None:
    session_id = f"steps-{uuid.uuid4().hex}"
    inputs: list[str] = []
    for name, given, expected in STEPS:
        if given:
            inputs.append(given)
        form = {"sessionId": session_id, "serviceCode": "*123#", "phoneNumber": msisdn,
                "networkCode": "62120", "text": "*".join(inputs)}  # fmt: skip
        if counted is None:
            answer = client.post(URL_PATH, data=form)
        else:
            sent, cpu, pg = statements[0], time.process_time(), cpu_seconds(backends)
            if profiler is not None:
                profiler.enable()
            answer = client.post(URL_PATH, data=form)
            if profiler is not None:
                profiler.disable()
            pg_after = cpu_seconds(backends)
            entry = counted[name]
            entry[0] += statements[0] - sent
            entry[1] += time.process_time() - cpu
            entry[2] += sum(max(pg_after[pid] - pg[pid], 0.0) for pid in backends)  # gone: 0
        if answer.status_code != 200 or not answer.text.startswith(expected):
            raise SystemExit(f"{name}: {answer.status_code} {answer.text[:80]!r}")


if __name__ == "__main__":
    main()
