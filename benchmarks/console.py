"""Console benchmark (issue 13). Parts (--only, default all): `live` below; `customer`,
`timeline` and `search`, the console's pages through HTTP on 1,000,000 customers (see
console_pages.py).

The live-updates part: one `parley serve` process on
PostgreSQL holds --connections open Server-Sent-Events streams (/console/live) while task
changes made through *another* process reach every stream; prints the delivery latency
(p50/p99/max over every stream and change) and what the serving process holds.

Creates database parley_bench_console afresh (schema, a few demo customers, an agent, one
fault repair whose diagnosis task is the one changed). Starts `parley serve` (one process) on
a free port, signs the agent in, opens the streams from this process (one asyncio loop, raw
sockets), then claims and hands back the task --changes times through TaskService in this
process (a unit of work each, committed as the API commits): each commit's NOTIFY reaches the
server's listener, whose hub hands the message to every stream. The latency of a change on a
stream is from the commit's return here to the event's arrival there (one clock).

    .venv/bin/python benchmarks/console.py
    .venv/bin/python benchmarks/console.py --connections 500 --changes 40
    .venv/bin/python benchmarks/console.py --only customer timeline search --reuse
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

import parley as parley_package
from parley.actor import Actor
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.demo.loader import load_demo
from parley.requests.service import RequestService
from parley.requests.tasks import TaskService, Worker
from parley.settings import Settings
from parley.wiring import wire

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
import console_pages  # noqa: E402
from interactions import PG_SERVER, create_database, machine_facts, percentile  # noqa: E402

DATABASE = "parley_bench_console"
AGENT, PASSWORD = "bench.kim", "Bench-Agent-Password-2026"
SECRET = "bench-console-" + "x" * 40
TARGET_MS = 1000.0


def ticket(customer_id: str) -> dict:
    """A fault repair (TMF621): its workflow opens a diagnosis task."""
    party = {"@type": "PartyRoleRef", "id": customer_id, "@referredType": "Customer"}
    return {
        "@type": "TroubleTicket",
        "description": "No connection at home since last night",
        "severity": "major",
        "ticketType": "fault.repair",
        "relatedParty": [
            {"@type": "RelatedPartyOrPartyRole", "role": "customer", "partyOrPartyRole": party}
        ],
    }


def prepare(url: str, settings: Settings) -> tuple[str, Actor]:
    """Schema, demo customers, the agent, and a fault repair: (its task's id, the agent)."""
    engine = build_engine(url)
    upgrade(engine)
    with sessionmaker(bind=engine)() as session:
        load_demo(session, settings, 20, 7, False)
        setup = UnitOfWork(session, settings, Actor("benchmark", "cli"))
        made = UserService(setup).create_user(AGENT, ["agent"], "staff", PASSWORD)
        session.commit()
        agent = Actor(AGENT, "api", user_id=made.user.id)
        customer = session.scalar(text("SELECT id FROM customer ORDER BY customer_number"))
        request = RequestService(UnitOfWork(session, settings, agent)).create(ticket(customer))
        session.commit()
        task_id = session.scalar(
            text("SELECT id FROM request_task WHERE request_id = :r"), {"r": request.id}
        )
    engine.dispose()
    return task_id, agent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PARLEY_DATABASE_URL": url,
        "PARLEY_JWT_SECRET": SECRET,
        "PARLEY_BASE_URL": f"http://127.0.0.1:{port}",
        "PARLEY_LOG_LEVEL": "WARNING",
        # This checkout's Parley, whatever the environment installed.
        "PYTHONPATH": str(Path(parley_package.__file__).resolve().parents[1]),
    }
    parley = Path(sys.executable).with_name("parley")
    command = [str(parley), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx2.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("parley serve did not start")


def sign_in(port: int) -> str:
    """The agent's session cookie (every stream uses it: one agent's many tabs, as far as
    the server's work per stream goes)."""
    with httpx2.Client(base_url=f"http://127.0.0.1:{port}") as browser:
        page = browser.get("/console/sign-in").text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = {"csrf_token": token, "username": AGENT, "password": PASSWORD}
        answer = browser.post("/console/sign-in", data=form)
        assert answer.status_code == 303, answer.text[:300]
        return browser.cookies["parley_session"]


class Streams:
    """``count`` open /console/live streams; each records when its task events arrive."""

    def __init__(self, port: int, cookie: str, count: int):
        self.port, self.cookie, self.count = port, cookie, count
        self.arrivals: list[list[float]] = [[] for _ in range(count)]
        self.open = 0

    async def hold(self, index: int, ready: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 20)
        writer.write(
            (
                f"GET /console/live HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Cookie: parley_session={self.cookie}\r\nAccept: text/event-stream\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"stream {index}: {status!r}")
        self.open += 1
        if self.open == self.count:
            ready.set()
        mine = self.arrivals[index]
        try:
            while line := await reader.readline():
                if line.startswith(b"event: task"):
                    mine.append(time.monotonic())
        finally:
            writer.close()


def change_task(url: str, settings: Settings, task_id: str, agent: Actor, claim: bool) -> float:
    """Claim or hand back the task in a unit of work of this process; when the commit returned."""
    engine = change_task.engines.setdefault(url, build_engine(url, 2))  # type: ignore[attr-defined]
    with sessionmaker(bind=engine)() as session:
        tasks = TaskService(UnitOfWork(session, settings, agent), Worker(("agent",)))
        if claim:
            tasks.claim(task_id)
        else:
            tasks.hand_back(task_id, "benchmark: back to the queue")
        session.commit()
    return time.monotonic()


change_task.engines = {}  # type: ignore[attr-defined]


async def run(args, url, settings, task_id, agent, port, server: subprocess.Popen):
    streams = Streams(port, sign_in(port), args.connections)
    ready = asyncio.Event()
    started = time.monotonic()
    holders = [asyncio.create_task(streams.hold(i, ready)) for i in range(args.connections)]
    await asyncio.wait_for(ready.wait(), 60)
    print(f"  {streams.open} streams open in {time.monotonic() - started:.1f} s", flush=True)
    await asyncio.sleep(1)
    commits: list[float] = []
    for n in range(args.changes):
        commits.append(
            await asyncio.to_thread(change_task, url, settings, task_id, agent, n % 2 == 0)
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and min(len(a) for a in streams.arrivals) <= n:
            await asyncio.sleep(0.01)
        await asyncio.sleep(args.pause)
    latencies, missing = [], 0
    for arrivals in streams.arrivals:
        for n, committed in enumerate(commits):
            if n < len(arrivals):
                latencies.append((arrivals[n] - committed) * 1000)
            else:
                missing += 1
    # Stop the server with the streams open: it ends them and exits.
    rss = rss_mb(server.pid)
    stopping = time.monotonic()
    server.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(server.wait, 30)
    stopped = time.monotonic() - stopping
    await asyncio.wait_for(asyncio.gather(*holders, return_exceptions=True), 10)
    return streams, latencies, missing, rss, (code, stopped)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


PAGE_PARTS = {"customer": "customer 360", "timeline": "timeline scroll", "search": "search"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=("live", *PAGE_PARTS), help="parts to run")
    parser.add_argument("--postgres-server", default=PG_SERVER)
    parser.add_argument("--seed", type=int, default=42)
    live = parser.add_argument_group("live updates")
    live.add_argument("--connections", type=int, default=500)
    live.add_argument("--changes", type=int, default=40)
    live.add_argument("--pause", type=float, default=0.2, help="seconds between changes")
    pages = parser.add_argument_group("pages")
    pages.add_argument("--customers", type=int, default=1_000_000)
    pages.add_argument("--interactions", type=int, default=10_000, help="the one customer's")
    pages.add_argument("--pages", type=int, default=300, help="360 pages timed")
    pages.add_argument("--rounds", type=int, default=1, help="scrolls through the timeline")
    pages.add_argument("--typists", type=int, default=150, help="customers typed into search")
    pages.add_argument(
        "--reuse", action="store_true", help="keep a database that holds these customers"
    )
    args = parser.parse_args()
    if not 1000 <= args.customers <= 1_000_000:
        parser.error("--customers must be between 1,000 and 1,000,000")
    wire()
    chosen = args.only or ["live", *PAGE_PARTS]
    code = 0
    if "live" in chosen:
        code = live_part(args)
    wanted = [PAGE_PARTS[name] for name in PAGE_PARTS if name in chosen]
    if wanted:
        code = pages_part(args, wanted) or code
    return code


def pages_part(args, wanted: list[str]) -> int:
    url, reused = console_pages.database(args)
    settings = Settings(database_url=url, jwt_secret=SecretStr(SECRET), _env_file=None)
    target = console_pages.prepare(args, url, reused, settings, AGENT, PASSWORD)
    load_before = os.getloadavg()
    port = free_port()
    server = serve(url, port)
    try:
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            client.cookies.set("parley_session", sign_in(port))
            parts = [console_pages.measure(client, p, args, target, url) for p in wanted]
    finally:
        server.terminate()
        server.wait(30)
    load_after = os.getloadavg()
    print(
        f"Console pages: {args.customers:,} customers, one holding {args.interactions:,} "
        f"interactions; one `parley serve` process, one client, time observed by the client "
        f"(the app sends no Server-Timing); {machine_facts(url)}"
    )
    print(console_pages.table(parts))
    print(
        "load average (1, 5, 15 min) before "
        + " ".join(f"{x:.2f}" for x in load_before)
        + ", after "
        + " ".join(f"{x:.2f}" for x in load_after)
    )
    met = all(
        percentile(p.latencies, console_pages.TARGETS[p.name][0]) < console_pages.TARGETS[p.name][1]
        for p in parts
    )
    return 0 if met else 1


def live_part(args) -> int:
    url = create_database(PG_SERVER, DATABASE)
    settings = Settings(database_url=url, jwt_secret=SecretStr(SECRET), _env_file=None)
    print(f"Live updates: {machine_facts(url)}", flush=True)
    task_id, agent = prepare(url, settings)
    port = free_port()
    server = serve(url, port)
    try:
        outcome = asyncio.run(run(args, url, settings, task_id, agent, port, server))
        _streams, latencies, missing, held_rss, (code, stopped) = outcome
    finally:
        if server.poll() is None:
            server.kill()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    worst = max(latencies) if latencies else float("nan")
    verdict = "met" if worst < TARGET_MS and not missing else "not met"
    print(
        f"  {args.connections} streams on one `parley serve` process (RSS {held_rss:.0f} MB), "
        f"{args.changes} task changes from another process: {len(latencies)} deliveries, "
        f"{missing} missing"
    )
    print(
        f"  delivery latency p50 {percentile(latencies, 50):.1f} ms, "
        f"p99 {percentile(latencies, 99):.1f} ms, max {worst:.1f} ms "
        f"(target: all within {TARGET_MS:.0f} ms: {verdict})"
    )
    print(
        f"  SIGTERM with the {args.connections} streams open: the server ended them and exited "
        f"in {stopped:.1f} s (exit {code}); load average {load}"
    )
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
