"""USSD self-service benchmark (issue 15): concurrent sessions through HTTP against
`parley serve` on PostgreSQL.

Creates database parley_bench_ussd afresh (schema, `parley demo` customers), starts
`parley serve --workers N`, and plays --sessions sessions at once through the Africa's
Talking webhook, each of five steps as a handset would: dial (the main menu), 1 (the status of
my latest requests), 1 (back to the main menu), 9 (not an option: the menu again with a
notice), 5 (an agent: the session ends with a transfer). Each caller is a demo customer with a
current mobile number. At most --connections requests are in flight; every session waits
--think seconds between its steps (a person reading the screen and keying an answer; 5 s by
default); the sessions start evenly over --ramp seconds (20 by default: with 5 s to read
each screen, all 1,000 are under way at once). The times are the handset's side: from sending
a step to its answer, waiting for a free connection included.

Prints steps per second, p50/p99 of each step, the CPU the client, the server and PostgreSQL
each spent per step, and the load average, and fails (exit 1) unless every answer was right
and every session is logged as exactly one completed USSD interaction. The handsets' client is
plain asyncio streams (benchmarks/plain_http.py; --client httpx for an asyncio httpx client).
benchmarks/ussd_steps.py breaks a step's cost down in-process.

    PYTHONPATH=src .venv/bin/python benchmarks/ussd.py
    PYTHONPATH=src .venv/bin/python benchmarks/ussd.py --sessions 200 --workers 1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
from interactions import (  # noqa: E402
    PG_SERVER,
    Server,
    backend_pids,
    cpu_seconds,
    create_database,
    database_exists,
    free_port,
    machine_facts,
    percentile,
    process_tree,
)
from plain_http import PlainClient, PlainHTTPError  # noqa: E402

DATABASE = "parley_bench_ussd"
SRC = BENCHMARKS.parent / "src"
STEPS = (
    ("dial", "", "CON Welcome"),
    ("status", "1", "CON "),
    ("main menu", "1", "CON Welcome"),
    ("invalid option", "9", "CON Please choose"),
    ("agent", "5", "END "),
)


def cli(env: dict, cwd: str, *words: str) -> None:
    """`parley ...` from this checkout (not whatever `parley` is installed)."""
    import subprocess

    command = [sys.executable, "-c", "from parley.cli import app; app()", *words]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"parley {' '.join(words)} failed:\n{done.stdout}\n{done.stderr}")


def callers(url: str, count: int) -> list[str]:
    """Mobile numbers that identify exactly one active customer (no recycled ones)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        numbers = conn.scalars(
            text(
                "SELECT k.value FROM party_key k JOIN customer c ON c.party_id = k.party_id "
                "WHERE k.kind = 'phone' AND k.valid_to IS NULL AND c.status = 'active' "
                "AND k.value LIKE '+491%' GROUP BY k.value HAVING count(*) = 1 "
                "ORDER BY k.value"
            )
        ).all()
    engine.dispose()
    if not numbers:
        sys.exit("no demo customer with a mobile number")
    return [numbers[i % len(numbers)] for i in range(count)]


RUN = uuid.uuid4().hex[:8]  # this run's sessions, told apart from earlier runs' (--reuse)


async def play(client, url: str, msisdn: str, args, delay: float, timings, failures) -> None:
    think = args.think
    await asyncio.sleep(delay)
    session_id = f"bench-{RUN}-{uuid.uuid4().hex}"
    inputs: list[str] = []
    for name, given, expected in STEPS:
        if given:
            inputs.append(given)
            await asyncio.sleep(think)
        form = {"sessionId": session_id, "serviceCode": "*123#", "phoneNumber": msisdn,
                "networkCode": "62120", "text": "*".join(inputs)}  # fmt: skip
        started = time.perf_counter()
        try:
            if isinstance(client, PlainClient):
                status, body = await client.post_form(url, form)
            else:
                answer = await client.post(url, data=form)
                status, body = answer.status_code, answer.text
        except (httpx.HTTPError, PlainHTTPError) as error:
            failures.append(f"{name}: {error!r}")
            return
        timings[name].append(time.perf_counter() - started)
        if status != 200 or not body.startswith(expected):
            failures.append(f"{name}: {status} {body[:80]!r}")
            return


async def run(base_url: str, numbers: list[str], args) -> tuple[dict, list, float]:
    timings: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    path = "/api/v1/channels/ussd/africastalking"
    if args.client == "plain":
        client = PlainClient(base_url, args.connections)
    else:
        limits = httpx.Limits(
            max_connections=args.connections, max_keepalive_connections=args.connections
        )
        client = httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60)
    try:
        started = time.perf_counter()
        spread = args.ramp / max(len(numbers), 1)
        await asyncio.gather(
            *(
                play(client, path, n, args, index * spread, timings, failures)
                for index, n in enumerate(numbers)
            )
        )
        elapsed = time.perf_counter() - started
    finally:
        await client.aclose()
    return timings, failures, elapsed


def ussd_interactions(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM party_interaction WHERE channel = 'ussd'"))
    engine.dispose()
    return count


def logged_once(url: str, sessions: int, before: int) -> tuple[bool, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT s.interaction_id), "
                "count(*) FILTER (WHERE i.status = 'completed' AND i.channel = 'ussd' "
                "AND i.direction = 'inbound') "
                "FROM channel_session s JOIN party_interaction i ON i.id = s.interaction_id "
                "WHERE s.session_key LIKE :run"
            ),
            {"run": f"bench-{RUN}-%"},
        ).one()
        ussd = conn.scalar(text("SELECT count(*) FROM party_interaction WHERE channel = 'ussd'"))
    engine.dispose()
    ussd -= before  # the demo data's own USSD interactions
    total, distinct, completed = rows
    ok = total == distinct == completed == ussd == sessions
    return ok, (
        f"{total} sessions, {distinct} interactions, {completed} completed inbound USSD, "
        f"{ussd} new USSD interactions in all"
    )


class Spent:
    """CPU seconds the run cost each side: this client, the server's processes, and the
    PostgreSQL backends of the benchmark's database (those that opened during the run
    from zero). The machine's other work is in none of them."""

    def __init__(self, server_pid: int, url: str):
        self.server_pid, self.engine = server_pid, create_engine(url)
        self.client = time.process_time()
        self.server = cpu_seconds(process_tree(server_pid))
        self.database = cpu_seconds(backend_pids(self.engine))

    def since(self) -> dict[str, float]:
        server = cpu_seconds(process_tree(self.server_pid))
        database = cpu_seconds(backend_pids(self.engine))
        self.engine.dispose()
        return {
            "client": time.process_time() - self.client,
            "server": sum(cpu - self.server.get(pid, 0.0) for pid, cpu in server.items()),
            "PostgreSQL": sum(cpu - self.database.get(pid, 0.0) for pid, cpu in database.items()),
        }


def row(name: str, values: list[float]) -> str:
    p50, p99 = percentile(values, 50) * 1000, percentile(values, 99) * 1000
    return f"{name:<16}{p50:>9.1f}{p99:>9.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-server", default=PG_SERVER)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=5.0, help="seconds between steps")
    parser.add_argument("--demo-customers", type=int, default=2000)
    parser.add_argument(
        "--ramp", type=float, default=20.0, help="seconds over which the sessions start"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    parser.add_argument(
        "--client",
        choices=("plain", "httpx"),
        default="plain",
        help="the handsets' HTTP client: plain asyncio streams (benchmarks/plain_http.py, "
        "lighter on the shared CPU) or an asyncio httpx client",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as workdir:
        env = {
            **os.environ,
            "PYTHONPATH": str(SRC),
            "PARLEY_JWT_SECRET": secrets.token_hex(32),
            "PARLEY_DB_POOL_SIZE": str(max(8, args.connections // args.workers)),
        }
        if args.reuse and database_exists(args.postgres_server, DATABASE):
            url = make_url(args.postgres_server).set(database=DATABASE)
            url = url.render_as_string(hide_password=False)
            env["PARLEY_DATABASE_URL"] = url
        else:
            url = create_database(args.postgres_server, DATABASE)
            env["PARLEY_DATABASE_URL"] = url
            print(f"  parley demo --customers {args.demo_customers}", file=sys.stderr, flush=True)
            cli(env, workdir, "db", "upgrade")
            cli(env, workdir, "demo", "--customers", str(args.demo_customers))
        numbers = callers(url, args.sessions)
        before = ussd_interactions(url)
        port = free_port()
        command = [sys.executable, "-c", "from parley.cli import app; app()", "serve",
                   f"--workers={args.workers}", f"--port={port}"]  # fmt: skip
        with Server("Parley", command, env, workdir, port, login=False) as server:
            asyncio.run(run(server.base_url, numbers[: min(20, len(numbers))], args))  # warm-up
            load_before = os.getloadavg()
            spent = Spent(server.process.pid, url)
            timings, failures, elapsed = asyncio.run(run(server.base_url, numbers, args))
            cpu = spent.since()
            load_after = os.getloadavg()
            if failures:  # the server's own account of them, before its log goes
                told = [line for line in server.log_path.read_text().splitlines()
                        if '" 200 OK' not in line]  # fmt: skip
                print("\n".join(told[-80:]), file=sys.stderr)
        ok, logged = logged_once(url, args.sessions + min(20, len(numbers)), before)
    steps = sum(len(values) for values in timings.values())
    print(f"USSD sessions: {args.sessions} concurrent, {len(STEPS)} steps each, "
          f"{args.connections} connections, think {args.think} s, ramp {args.ramp} s, "
          f"`parley serve --workers {args.workers}`, {args.client} client")  # fmt: skip
    print(f"machine: {machine_facts(url)}")
    print(f"{steps} steps in {elapsed:.1f} s: {steps / elapsed:.0f} steps/s")
    print(f"{'step':<16}{'p50 ms':>9}{'p99 ms':>9}")
    for name, _given, _expected in STEPS:
        values = timings[name]
        if values:
            print(row(name, values))
    every = [v for values in timings.values() for v in values]
    if every:
        print(row("every step", every))
    if steps:
        shares = ", ".join(f"{name} {seconds / steps * 1000:.2f}" for name, seconds in cpu.items())
        print(f"CPU ms per step: {shares}")
    print(f"load average (1/5/15 min) before {load_before}, after {load_after}")
    print(f"logged: {logged}")
    if failures:
        print(f"{len(failures)} failures, e.g. {failures[:3]}")
    if failures or not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
