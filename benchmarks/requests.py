"""Request workflow benchmark (issue 6): requests driven through a three-task workflow to closure
per second, on PostgreSQL.

Creates database parley_bench_requests afresh (schema, `parley demo` customers, two agents).
Each request is a fault.repair raised through RequestService.create, then each of its three
tasks (diagnose, repair, confirm) is found (the open task of the request, as an agent's
GET /api/v1/tasks?requestId= would), claimed and completed through TaskService, the two agents
taking turns; every step is a unit of work of its own, committed as the API commits it. The
last completion resolves and closes the request (the workflow's own doing). No outbox worker
runs: the notices and events the requests queue wait in the outbox.

Prints, per number of threads (each driving its own requests, one after another), the median
rate over --rounds rounds of --requests requests, and p50/p99 of each step. Fails (exit 1)
unless every request ends closed completed with three done tasks.

    .venv/bin/python benchmarks/requests.py
    .venv/bin/python benchmarks/requests.py --requests 300 --rounds 3 --threads 1,4
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.demo.loader import load_demo
from parley.requests.service import RequestService
from parley.requests.tasks import TaskService, Worker
from parley.settings import Settings

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
from interactions import PG_SERVER, create_database, machine_facts, percentile  # noqa: E402

DATABASE = "parley_bench_requests"
AGENTS = ("bench.kim", "bench.ole")
STEPS = ("create", "find task", "claim", "complete")
WARMUP_REQUESTS = 20


def ticket(customer_id: str) -> dict:
    """A fault as an agent's desktop raises it (TMF621), of the type the workflow follows."""
    return {
        "@type": "TroubleTicket",
        "name": "No internet",
        "description": "No connection at home since last night; router lights are red",
        "severity": "major",
        "ticketType": "fault.repair",
        "priority": "high",
        "relatedParty": [
            {
                "@type": "RelatedPartyOrPartyRole",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": customer_id,
                    "@referredType": "Customer",
                },
            }
        ],
    }


Agent = tuple[Actor, Worker]  # who acts, and how they work tasks


def prepare(url: str, settings: Settings, customers: int) -> tuple[list[str], list[Agent]]:
    """Schema, demo customers and two agents: (customer ids, the agents as task workers)."""
    engine = build_engine(url)
    upgrade(engine)
    with sessionmaker(bind=engine)() as session:
        print(f"  parley demo --customers {customers}", file=sys.stderr, flush=True)
        load_demo(session, settings, customers, 7, False)
        setup = Actor("benchmark", "cli")
        users = [
            UserService(UnitOfWork(session, settings, setup)).create_user(
                name, ["agent"], "staff", "Bench-Agent-Password-2026"
            )
            for name in AGENTS
        ]
        session.commit()
        workers = [
            (Actor(u.user.username, "api", user_id=u.user.id), Worker(("agent",))) for u in users
        ]
        ids = list(session.scalars(text("SELECT id FROM customer ORDER BY customer_number")))
    engine.dispose()
    return ids, workers


class Driver:
    """Drives requests through their workflow, one unit of work per step, timing each."""

    def __init__(self, engine: Engine, settings: Settings, workers: list[Agent]):
        self.sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self.settings, self.workers = settings, workers
        self.creator = workers[0][0]

    def step(self, timings: dict, name: str, work):
        started = time.perf_counter()
        with self.sessions() as session:
            result = work(session)
            session.commit()
        timings[name].append((time.perf_counter() - started) * 1000)
        return result

    def drive(self, customer_id: str, timings: dict) -> str:
        request_id = self.step(
            timings,
            "create",
            lambda s: RequestService(self.work(s, self.creator)).create(ticket(customer_id)).id,
        )
        for turn in range(3):
            worker = self.workers[turn % len(self.workers)]
            task_id = self.step(timings, "find task", lambda s: self.open_task(s, request_id))
            self.work_task(timings, worker, task_id)
        return request_id

    def work(self, session, actor: Actor | None = None) -> UnitOfWork:
        return UnitOfWork(session, self.settings, actor)

    def work_task(self, timings: dict, agent: Agent, task_id: str) -> None:
        """Claim, then complete: two requests of the agent, as over the API."""
        actor, worker = agent
        self.step(
            timings, "claim", lambda s: TaskService(self.work(s, actor), worker).claim(task_id)
        )
        self.step(
            timings,
            "complete",
            lambda s: TaskService(self.work(s, actor), worker).complete(task_id, "done"),
        )

    def open_task(self, session, request_id: str) -> str:
        tasks, _ = TaskService(self.work(session)).list_tasks(status="open", request_id=request_id)
        if len(tasks) != 1:
            raise RuntimeError(f"request {request_id}: {len(tasks)} open tasks, expected 1")
        return tasks[0].id


def run_round(driver: Driver, customers: list[str], count: int, threads: int, offset: int):
    """``count`` requests split over ``threads``: (seconds, per-step timings, request ids)."""
    timings: dict[str, list[float]] = defaultdict(list)
    made: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        own: dict[str, list[float]] = defaultdict(list)
        ids = []
        try:
            for n in range(index, count, threads):
                ids.append(driver.drive(customers[(offset + n) % len(customers)], own))
        except BaseException as error:  # re-raised below, in the main thread
            failures.append(error)
        with lock:
            made.extend(ids)
            for step, values in own.items():
                timings[step].extend(values)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise failures[0]
    return seconds, timings, made


def verify(engine: Engine, request_ids: list[str], expected: int) -> None:
    """Every request closed completed (repaired) with exactly three done tasks, else exit 1."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.id, r.status, r.outcome, r.resolution_code, "
                "count(t.id) FILTER (WHERE t.status = 'done') AS done, count(t.id) AS tasks "
                "FROM customer_request r LEFT JOIN request_task t ON t.request_id = r.id "
                "GROUP BY r.id"
            )
        ).all()
    found = {row.id: row for row in rows}
    wrong = [(rid, found.get(rid)) for rid in request_ids if not closed_as_expected(found.get(rid))]
    if wrong or len(set(request_ids)) != expected:
        made = len(set(request_ids))
        print(
            f"FAILED: {made} requests made of {expected}; {len(wrong)} not closed completed "
            f"with three done tasks, e.g. {wrong[:3]}",
            file=sys.stderr,
        )
        sys.exit(1)


def closed_as_expected(row) -> bool:
    if row is None:
        return False
    ended = (row.status, row.outcome, row.resolution_code)
    return ended == ("closed", "completed", "repaired") and (row.done, row.tasks) == (3, 3)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-server", default=PG_SERVER)
    parser.add_argument("--requests", type=int, default=300, help="requests per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="1,4", help="comma-separated thread counts")
    parser.add_argument("--customers", type=int, default=50, help="demo customers")
    args = parser.parse_args(argv)
    thread_counts = [int(n) for n in args.threads.split(",")]

    url = create_database(args.postgres_server, DATABASE)
    settings = Settings(database_url=url, jwt_secret=SecretStr("x" * 64), _env_file=None)
    customers, workers = prepare(url, settings, args.customers)
    engine = build_engine(url)
    driver = Driver(engine, settings, workers)
    all_ids: list[str] = []
    _, _, warm = run_round(driver, customers, WARMUP_REQUESTS, 1, 0)
    all_ids += warm

    load_before = os.getloadavg()[0]
    results = []
    for threads in thread_counts:
        rates, timings = [], defaultdict(list)
        for round_no in range(args.rounds):
            seconds, measured, made = run_round(
                driver, customers, args.requests, threads, len(all_ids)
            )
            all_ids += made
            rates.append(len(made) / seconds)
            for step, values in measured.items():
                timings[step] += values
            print(f"  {threads} thread(s), round {round_no + 1}: {rates[-1]:.1f} requests/s",
                  file=sys.stderr, flush=True)  # fmt: skip
        results.append((threads, rates, timings))
    load_after = os.getloadavg()[0]
    expected = WARMUP_REQUESTS + args.requests * args.rounds * len(thread_counts)
    verify(engine, all_ids, expected)
    with engine.connect() as conn:
        outbox = conn.scalar(text("SELECT count(*) FROM outbox_message"))
    engine.dispose()

    lines = [
        "| threads | median requests closed/s | rounds |",
        "|---:|---:|---|",
        *(
            f"| {threads} | {statistics.median(rates):.1f} | "
            f"{', '.join(f'{r:.1f}' for r in rates)} |"
            for threads, rates, _ in results
        ),
        "",
        "| threads | step | n | p50 ms | p99 ms |",
        "|---:|---|---:|---:|---:|",
    ]
    for threads, _, timings in results:
        for step in STEPS:
            values = timings[step]
            lines.append(
                f"| {threads} | {step} | {len(values)} | {statistics.median(values):.2f} | "
                f"{percentile(values, 99):.2f} |"
            )
    lines += [
        "",
        f"{args.requests} fault.repair requests per round, {args.rounds} rounds per thread "
        f"count, after {WARMUP_REQUESTS} warm-up requests; {len(all_ids):,} requests in all, "
        f"every one verified closed completed with three done tasks; {outbox:,} outbox rows "
        f"queued (notices, events), none delivered.",
        f"{machine_facts(url)}; load average {load_before:.2f} before, {load_after:.2f} after.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
