"""Interaction log benchmark (issue 4): logging over HTTP, and timeline pages at 10M rows.

1. http: the sustained rate of POST .../partyInteractionManagement/v5/partyInteraction with
   32 concurrent clients (wrk) against `parley serve --workers 2` on PostgreSQL, beside a
   baseline endpoint served the same way that only inserts the same row (baseline_app.py).
   Creates database parley_bench_http afresh (schema, `parley demo` customers, an agent).
2. timeline: p50/p99 of the first and of a deep page (after ~9,000 entries) of the timeline
   of a customer with 10,000 interactions, in a table of 10,000,000, through
   InteractionService.timeline() in-process. Loads database parley_bench_timeline with COPY.

    .venv/bin/python benchmarks/interactions.py                       # both parts
    .venv/bin/python benchmarks/interactions.py --only http --duration 20
    .venv/bin/python benchmarks/interactions.py --only timeline --rows 10000000 --reuse

Needs wrk (`apt-get install -y wrk`) for the HTTP part and PostgreSQL at --postgres-server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.settings import Settings

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
import identify  # noqa: E402  (the customer population and its loader, shared)

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
VENV_BIN = Path(sys.executable).parent
INTERACTIONS_PATH = "/tmf-api/partyInteractionManagement/v5/partyInteraction"
BENCH_USER, BENCH_PASSWORD = "bench-agent", "wrk-load-password-2026"
WARMUP_QUERIES = 100
RATE_TARGET, P99_TARGET_MS, TIMELINE_P99_TARGET_MS = 0.5, 150.0, 10.0


# -- shared --------------------------------------------------------------------------------


def create_database(server: str, name: str) -> str:
    """(Re)create database ``name`` on ``server``; return its URL."""
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def database_exists(server: str, name: str) -> bool:
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    admin.dispose()
    return bool(found)


def reused_or_created(server: str, name: str, reuse: bool, holds) -> tuple[str, bool]:
    """The URL of database ``name`` and whether it is reused: kept when ``reuse`` and it
    exists and ``holds(url)`` says it holds the data, else created afresh."""
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    if reuse and database_exists(server, name) and holds(url):
        return url, True
    return create_database(server, name), False


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (as identify.py computes it)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)]


def machine_facts(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.scalar(text("SHOW server_version"))
        buffers = conn.scalar(text("SHOW shared_buffers"))
        sync = conn.scalar(text("SHOW synchronous_commit"))
    engine.dispose()
    return (
        f"{os.cpu_count()} cores; PostgreSQL {version.split()[0]} (shared_buffers {buffers}, "
        f"synchronous_commit {sync}); Python {sys.version.split()[0]}"
    )


def met(ok: bool) -> str:
    return "met" if ok else "not met"


# -- 1. logging over HTTP ------------------------------------------------------------------


def interaction_body(customer_id: str) -> dict:
    """The TMF683 v5 document an agent's desktop posts after a call (the issue's example,
    dated yesterday: never in the future, whenever it runs)."""
    day = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    return {
        "@type": "PartyInteraction",
        "direction": "inbound",
        "reason": "billing.enquiry",
        "status": "completed",
        "description": "Caller asked about the last bill",
        "interactionDate": {
            "startDateTime": f"{day}T10:00:00Z",
            "endDateTime": f"{day}T10:04:00Z",
        },
        "relatedChannel": [
            {"role": "contact", "channel": {"@type": "ChannelRef", "id": "phone", "name": "phone"}}
        ],
        "relatedParty": [
            {
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": customer_id,
                    "@referredType": "Customer",
                },
            }
        ],
    }


# wrk's report at the end of a run, one JSON line (run_wrk reads it); a response counts as
# "created" when the script's response() says so. Shared by the benchmarks that drive wrk.
WRK_REPORT = """function done(summary, latency, requests)
  local created_total, refused_total = 0, 0
  for _, thread in ipairs(threads) do
    created_total = created_total + thread:get("created")
    refused_total = refused_total + thread:get("refused")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "duration_us": %%d, "created": %%d, "refused": %%d, ' ..
    '"socket_errors": %%d, "timeouts": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d}\\n',
    summary.requests, summary.duration, created_total, refused_total,
    e.connect + e.read + e.write, e.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max))
end
"""

# wrk runs this in each of its threads: the requests are built once (one body per customer,
# taken in turn, so concurrent requests concern different customers), only 201 counts as
# done, and done() prints one JSON line for the script to read.
WRK_SCRIPT = (
    """
local path = %(path)s
local headers = {["Content-Type"] = "application/json", ["Authorization"] = %(auth)s}
local bodies = {%(bodies)s}
local prepared = {}
local turn = 0
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  for i, body in ipairs(bodies) do
    prepared[i] = wrk.format("POST", path, headers, body)
  end
  turn = offset
  created, refused = 0, 0
end

function request()
  turn = turn %% #prepared + 1
  return prepared[turn]
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else refused = refused + 1 end
end

"""
    + WRK_REPORT
)


def lua_string(value: str) -> str:
    return f"[==[{value}]==]"


def write_wrk_script(path: Path, customer_ids: list[str], token: str) -> None:
    bodies = ", ".join(lua_string(json.dumps(interaction_body(c))) for c in customer_ids)
    script = WRK_SCRIPT % {
        "path": lua_string(INTERACTIONS_PATH),
        "auth": lua_string(f"Bearer {token}"),
        "bodies": bodies,
    }
    path.write_text(script)


@dataclass
class LoadResult:
    endpoint: str
    created: int  # 201 answers
    seconds: float
    errors: int  # other statuses, socket errors and timeouts
    p50_ms: float
    p99_ms: float
    max_ms: float
    stored: int  # rows party_interaction gained meanwhile
    app_cpu_ms: float  # CPU time of the server's processes per 201 answer
    db_cpu_ms: float  # CPU time of its PostgreSQL backends per 201 answer

    @property
    def rate(self) -> float:
        return self.created / self.seconds


def run_wrk(base_url: str, script: Path, seconds: float, args) -> dict:
    """One closed-loop wrk run: ``--connections`` requests in flight for ``seconds``."""
    command = [
        "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
        base_url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")


class Server:
    """A uvicorn service in a subprocess of ours, stopped again by its process id."""

    def __init__(self, name: str, command: list[str], env: dict, cwd: str, port: int, login: bool):
        self.name, self.command, self.env, self.cwd = name, command, env, cwd
        self.login = login  # whether requests need a token from its /oauth/token
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = Path(cwd) / f"{name.split()[0].lower()}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            self.command, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        time.sleep(1)  # let the second worker finish starting too
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer /healthz:\n{self.log_tail()}")

    def __exit__(self, *_) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # uvicorn stops its workers itself
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text().splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parley_cli(env: dict, cwd: str, *words: str) -> str:
    done = subprocess.run(
        [str(VENV_BIN / "parley"), *words], env=env, cwd=cwd, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"parley {' '.join(words)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def access_token(base_url: str) -> str:
    form = urllib.parse.urlencode(
        {"grant_type": "password", "username": BENCH_USER, "password": BENCH_PASSWORD}
    ).encode()
    with urllib.request.urlopen(f"{base_url}/oauth/token", data=form, timeout=30) as answer:
        return json.loads(answer.read())["access_token"]


def count_interactions(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM party_interaction"))


def check_one(base_url: str, token: str, customer_id: str) -> None:
    """One request by hand first: a wrong contract shows as its error, not as 0 req/s."""
    request = urllib.request.Request(
        base_url + INTERACTIONS_PATH,
        data=json.dumps(interaction_body(customer_id)).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            if answer.status != 201:
                raise RuntimeError(f"expected 201, got {answer.status}: {answer.read()[:500]}")
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"expected 201, got {error.code}: {error.read()[:1000]}") from None


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_tree(root: int) -> list[int]:
    """The process and all its descendants (uvicorn's workers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def backend_pids(engine: Engine) -> list[int]:
    """The PostgreSQL backends serving the benchmark's database, ours excepted."""
    with engine.connect() as conn:
        return list(
            conn.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            )
        )


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    return {pid: process_cpu(pid) for pid in pids}


def measure_endpoint(
    server: Server, token: str, customers: list[str], engine: Engine, workdir: str, args
) -> LoadResult:
    check_one(server.base_url, token, customers[0])
    script = Path(workdir) / "post.lua"
    write_wrk_script(script, customers, token)
    print(f"  {server.name}: {args.warmup:g} s warm-up", file=sys.stderr, flush=True)
    run_wrk(server.base_url, script, args.warmup, args)
    with engine.connect() as conn:  # a checkpoint now rather than in the middle of the run
        conn.execute(text("CHECKPOINT"))
        conn.commit()
    before = count_interactions(engine)
    # CPU time per answer is what a shared, noisy machine changes least: counted for the
    # server's processes and for the backends that serve them (connections are pooled).
    app_before = cpu_seconds(process_tree(server.process.pid))
    db_before = cpu_seconds(backend_pids(engine))
    print(f"  {server.name}: {args.duration:g} s measured", file=sys.stderr, flush=True)
    summary = run_wrk(server.base_url, script, args.duration, args)
    app_used = sum(process_cpu(pid) - cpu for pid, cpu in app_before.items())
    db_used = sum(process_cpu(pid) - cpu for pid, cpu in db_before.items())
    time.sleep(1)  # the requests in flight when wrk stopped end too
    answers = max(1, summary["created"])
    return LoadResult(
        endpoint=server.name,
        created=summary["created"],
        seconds=summary["duration_us"] / 1e6,
        errors=summary["refused"] + summary["socket_errors"] + summary["timeouts"],
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        max_ms=summary["max_us"] / 1000,
        stored=count_interactions(engine) - before,
        app_cpu_ms=1000 * app_used / answers,
        db_cpu_ms=1000 * db_used / answers,
    )


def prepare_http_database(args, env: dict, workdir: str) -> tuple[str, list[str]]:
    """A fresh database with the schema, demo customers and an agent; some active customers."""
    url = create_database(args.postgres_server, "parley_bench_http")
    env["PARLEY_DATABASE_URL"] = url
    parley_cli(env, workdir, "db", "upgrade")
    print(f"  parley demo --customers {args.demo_customers}", file=sys.stderr, flush=True)
    parley_cli(env, workdir, "demo", "--customers", str(args.demo_customers))
    parley_cli(
        env,
        workdir,
        "users",
        "create",
        f"--username={BENCH_USER}",
        "--role=agent",
        f"--password={BENCH_PASSWORD}",
    )
    engine = create_engine(url)
    with engine.connect() as conn:
        customers = conn.scalars(
            text(
                "SELECT id FROM customer WHERE status = 'active' ORDER BY customer_number LIMIT :n"
            ),
            {"n": args.connections},
        ).all()
    engine.dispose()
    return url, list(customers)


def baseline_pool(args) -> int:
    """Connections per baseline worker: by default enough that no request waits for one."""
    return args.baseline_pool or -(-args.connections // args.workers)


def http_part(args) -> str:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed for the HTTP part: apt-get install -y wrk (or --only timeline)")
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as workdir:
        # Its own working directory: no .env, and the generated token key stays in there.
        env = {**os.environ, "PARLEY_JWT_SECRET": secrets.token_hex(32)}
        url, customers = prepare_http_database(args, env, workdir)
        engine = create_engine(url)
        libpq_url = make_url(url).set(drivername="postgresql").render_as_string(False)
        baseline_env = {
            **env,
            "BASELINE_DSN": libpq_url,
            "BASELINE_POOL_SIZE": str(baseline_pool(args)),
        }
        port = free_port()
        servers = [
            Server(
                "baseline (raw insert)",
                [
                    str(VENV_BIN / "uvicorn"),
                    "baseline_app:app",
                    f"--app-dir={BENCHMARKS}",
                    f"--workers={args.workers}",
                    f"--port={port}",
                    "--log-level=info",  # as `parley serve` runs uvicorn
                ],
                baseline_env,
                workdir,
                port,
                login=False,
            ),
            Server(
                "Parley",
                [str(VENV_BIN / "parley"), "serve", f"--workers={args.workers}", f"--port={port}"],
                env,
                workdir,
                port,
                login=True,
            ),
        ]
        load_before = os.getloadavg()[0]
        results = []
        for server in servers:  # one after the other, never side by side
            with server:
                # The baseline ignores the header; a token-sized one keeps the requests alike.
                token = access_token(server.base_url) if server.login else "x" * 300
                results.append(measure_endpoint(server, token, customers, engine, workdir, args))
        load_after = os.getloadavg()[0]
        facts = machine_facts(url)
        engine.dispose()
    return http_report(results, args, facts, load_before, load_after)


def http_report(results: list[LoadResult], args, facts: str, before: float, after: float) -> str:
    baseline, parley = results
    ratio = parley.rate / baseline.rate if baseline.rate else float("nan")
    lines = [
        f"### Logging interactions over HTTP ({args.connections} clients, "
        f"{args.workers} workers, {args.duration:g} s after {args.warmup:g} s warm-up)",
        "",
        "| endpoint | requests | req/s | p50 ms | p99 ms | errors | CPU ms/req app | db |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.endpoint} | {r.created:,} | {r.rate:,.0f} | {r.p50_ms:.1f} | "
            f"{r.p99_ms:.1f} | {r.errors} | {r.app_cpu_ms:.2f} | {r.db_cpu_ms:.2f} |"
        )
    lines += [
        "",
        f"Parley / baseline: {ratio:.2f} ({100 * ratio:.0f} % of the baseline rate).",
        "",
        f"- Parley rate ≥ {100 * RATE_TARGET:.0f} % of baseline: {met(ratio >= RATE_TARGET)} "
        f"({100 * ratio:.0f} %)",
        f"- Parley p99 < {P99_TARGET_MS:.0f} ms: {met(parley.p99_ms < P99_TARGET_MS)} "
        f"({parley.p99_ms:.1f} ms)",
        "",
        "requests: 201 answers in the measured run; errors: other statuses, socket errors and "
        "timeouts. CPU ms/req: CPU time (user + system) of the server's processes and of "
        "the PostgreSQL backends serving it during the measured run, per 201 answer. "
        "Rows stored meanwhile (includes the requests in flight when wrk stopped): "
        + ", ".join(f"{r.endpoint} {r.stored:,}" for r in results)
        + "; max latency: "
        + ", ".join(f"{r.endpoint} {r.max_ms:.0f} ms" for r in results)
        + ".",
        f"Load generator: wrk, {args.threads} thread(s), {args.connections} connections, on the "
        f"same machine; baseline pool {baseline_pool(args)}"
        " connections per worker.",
        f"{facts}; load average {before:.2f} before, {after:.2f} after.",
    ]
    return "\n".join(lines)


# -- 2. the timeline at 10M rows -----------------------------------------------------------

TIMELINE_DB = "parley_bench_timeline"
YEAR = 365.25 * 86400
SPAN = 5 * YEAR
# One COPY (and commit) per section, written in pieces through a queue: PostgreSQL parses
# one piece while Python makes the next, instead of each waiting for the other.
SECTION_ROWS = 1_000_000
PIECE_ROWS = 10_000
INTERACTION_COLUMNS = (
    "id",
    "customer_id",
    "party_id",
    "direction",
    "channel",
    "reason_code",
    "reason",
    "status",
    "started_at",
    "ended_at",
    "description",
    "logged_by",
    "document",
    "created_at",
    "updated_at",
    "status_changed_at",
)
# (channel, share, typical length in seconds: (shortest, longest))
CHANNELS = (
    ("phone", 45, (30, 1200)),
    ("email", 15, (0, 0)),
    ("web", 15, (0, 300)),
    ("ivr", 10, (20, 240)),
    ("ussd", 5, (5, 60)),
    ("store", 10, (300, 1800)),
)
# Reason codes of migration 0005's SEED_REASONS, with their share of each direction.
INBOUND_REASONS = (
    ("billing.enquiry", 20),
    ("billing.dispute", 5),
    ("payment", 8),
    ("fault.report", 14),
    ("service.outage", 4),
    ("order.new", 8),
    ("order.status", 7),
    ("plan.change", 9),
    ("contact.change", 5),
    ("account.cancel", 3),
    ("complaint", 4),
    ("request.status", 6),
    ("information", 7),
)
OUTBOUND_REASONS = (
    ("notification", 35),
    ("billing.issued", 30),
    ("service.outage", 5),
    ("order.status", 10),
    ("payment", 10),
    ("fault.report", 5),
    ("plan.change", 5),
)
# Plain words only: they go into COPY text and JSON unescaped.
DESCRIPTIONS = {
    "billing.enquiry": ("Caller asked about the last bill", "Explained roaming charges on bill"),
    "billing.dispute": ("Disputes premium SMS charges", "Disputes data overage, credit asked"),
    "billing.issued": ("Monthly bill issued",),
    "payment": ("Direct debit returned, new mandate", "Payment arrangement agreed"),
    "fault.report": ("No internet since this morning", "Line drops calls, ticket opened"),
    "service.outage": ("Informed about the regional outage", "Outage in the area, ETA given"),
    "order.new": ("Ordered an extra SIM card", "Wants fibre 500, order placed"),
    "order.status": ("Asked when the router arrives", "Delivery date confirmed"),
    "plan.change": ("Moved to the unlimited plan", "Downgraded to basic tariff"),
    "contact.change": ("New email address recorded", "Moved house, address updated"),
    "account.cancel": ("Wants to cancel at end of term", "Retention offer made"),
    "complaint": ("Complained about the waiting time", "Unhappy with technician visit"),
    "request.status": ("Asked about the open request", "Status of refund explained"),
    "information": ("Asked for opening hours of store", "Asked about 5G coverage"),
    "notification": ("Contract renewal reminder sent", "Data volume at 80 percent"),
}
DOCUMENT = (
    '{"@type": "PartyInteraction", "direction": "%s", "reason": "%s", "status": "%s", '
    '"description": "%s", "interactionDate": {%s}, "relatedChannel": [{"role": "contact", '
    '"channel": {"@type": "ChannelRef", "id": "%s", "name": "%s"}}], "relatedParty": [%s], '
    '"creationDate": "%s", "lastUpdate": "%s", "statusChangeDate": "%s"}'
)
CUSTOMER_REF = (
    '{"role": "customer", "partyOrPartyRole": {"@type": "PartyRoleRef", "id": "%s", '
    '"@referredType": "Customer"}}'
)


class Clock:
    """ISO 8601 UTC text for whole seconds, from cached days and times of day: strftime for
    each of 30M timestamps would take a minute of the load on its own."""

    def __init__(self):
        self.days: dict[int, str] = {}
        self.times = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(86400)]

    def iso(self, seconds: int) -> str:
        day, moment = divmod(seconds, 86400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
        return prefix + self.times[moment]


def random_uuids(rng: random.Random, count: int) -> list[str]:
    """Version 4 UUIDs from ``rng`` (repeatable), a few times cheaper than uuid.UUID()."""
    hexes = rng.randbytes(16 * count).hex()
    variant = dict(zip("0123456789abcdef", "89ab89ab89ab89ab", strict=True))
    return [
        f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant[h[16]]}{h[17:20]}-{h[20:]}"
        for h in (hexes[i : i + 32] for i in range(0, 32 * count, 32))
    ]


class InteractionLog:
    """Deterministic (by seed) interactions, in the order they happen over five years.

    One customer (the target) gets exactly ``target_count`` of them, spread over the span; the
    rest go to the other customers with lognormal weights (a few very chatty, most quiet), and
    2 % to callers never identified (no customer, no party).
    """

    def __init__(self, seed: int, rows: int, customers: list[tuple[str, str]], target_count: int):
        self.rng = random.Random(seed)
        self.rows = rows
        self.target, self.others = customers[0], customers[1:]
        self.target_rows = set(self.rng.sample(range(rows), target_count))
        weights = [self.rng.lognormvariate(0, 0.8) for _ in self.others]
        total, self.cum_weights = 0.0, []
        for weight in weights:
            total += weight
            self.cum_weights.append(total)
        self.end = int(time.time()) - 86400
        self.start = self.end - int(SPAN)
        self.agents = [f"agent{n:03d}" for n in range(1, 241)]
        self.clock = Clock()

    def lines(self, first: int, count: int) -> str:
        """COPY text for rows first .. first + count - 1."""
        rng, iso = self.rng, self.clock.iso
        owners = rng.choices(self.others, cum_weights=self.cum_weights, k=count)
        channels = rng.choices(CHANNELS, weights=[c[1] for c in CHANNELS], k=count)
        inbound_reasons = rng.choices(INBOUND_REASONS, [r[1] for r in INBOUND_REASONS], k=count)
        outbound_reasons = rng.choices(OUTBOUND_REASONS, [r[1] for r in OUTBOUND_REASONS], k=count)
        ids = random_uuids(rng, count)
        out = []
        step = SPAN / self.rows
        for offset in range(count):
            index = first + offset
            started = self.start + int((index + rng.random()) * step)
            if index in self.target_rows:
                customer_id, party_id = self.target
            elif rng.random() < 0.02:
                customer_id = party_id = None
            else:
                customer_id, party_id = owners[offset]
            channel, _, (shortest, longest) = channels[offset]
            inbound = rng.random() < 0.75
            if inbound:
                code = inbound_reasons[offset][0]
            else:  # the enterprise writes, texts or calls; it doesn't visit or run an IVR
                code = outbound_reasons[offset][0]
                if channel in ("store", "ivr", "ussd"):
                    channel, shortest, longest = "email", 0, 0
            roll = rng.random()
            status = "completed" if roll < 0.98 else "opened" if roll < 0.99 else "inProgress"
            texts = DESCRIPTIONS[code]
            description = texts[int(rng.random() * len(texts))]
            start_text = iso(started)
            if status == "completed":
                ended = started + shortest + int(rng.random() * (longest - shortest))
                end_text = iso(ended)
                dates = f'"startDateTime": "{start_text}", "endDateTime": "{end_text}"'
                created = ended + 1 + int(rng.random() * 30)
            else:
                end_text = "\\N"
                dates = f'"startDateTime": "{start_text}"'
                created = started + 1 + int(rng.random() * 30)
            created_text = iso(created)
            logged_by = "system" if not inbound and code == "notification" else None
            logged_by = logged_by or self.agents[int(rng.random() * len(self.agents))]
            related = CUSTOMER_REF % customer_id if customer_id else ""
            document = DOCUMENT % (
                "inbound" if inbound else "outbound",
                code,
                status,
                description,
                dates,
                channel,
                channel,
                related,
                created_text,
                created_text,
                created_text,
            )
            out.append(
                "\t".join(
                    (
                        ids[offset],
                        customer_id or "\\N",
                        party_id or "\\N",
                        "inbound" if inbound else "outbound",
                        channel,
                        code,
                        code,
                        status,
                        start_text,
                        end_text,
                        description,
                        logged_by,
                        document,
                        created_text,
                        created_text,
                        created_text,
                    )
                )
            )
        return "\n".join(out) + "\n"


def _constraints_to_drop(conn) -> list[tuple[str, str, str]]:
    """(table, name, definition) of party_interaction's primary key and the foreign keys that
    point at it: rebuilt by one sort after the load instead of 10M random B-tree inserts."""
    rows = conn.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE (c.conrelid = 'party_interaction'::regclass "
            "AND c.contype = 'p') OR c.confrelid = 'party_interaction'::regclass "
            "ORDER BY c.contype = 'p' DESC"
        )
    ).all()
    return [(table, name, ddl) for table, name, ddl in rows]


def _interaction_indexes(conn) -> list[tuple[str, str]]:
    rows = conn.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = 'party_interaction'::regclass AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        )
    ).all()
    return [(name, ddl) for name, ddl in rows]


def load_interactions(engine: Engine, log: InteractionLog) -> dict[str, float]:
    """COPY the interactions with the secondary indexes and the primary key dropped (and the
    foreign-key triggers off: the rows are consistent by construction), then rebuild them and
    VACUUM ANALYZE."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with engine.connect() as conn:
        indexes = _interaction_indexes(conn)
        constraints = _constraints_to_drop(conn)
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        cursor = driver.cursor()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET session_replication_role = replica")
        for table, name, _ in reversed(constraints):  # foreign keys first, then the key
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        driver.commit()
        columns = ", ".join(INTERACTION_COLUMNS)
        done = 0
        while done < log.rows:
            section_end = min(done + SECTION_ROWS, log.rows)
            with cursor.copy(
                f"COPY party_interaction ({columns}) FROM STDIN",
                writer=QueuedLibpqWriter(cursor),  # sends from a thread of its own
            ) as copy:
                while done < section_end:
                    count = min(PIECE_ROWS, section_end - done)
                    copy.write(log.lines(done, count))
                    done += count
                    if done % 100_000 == 0 or done == log.rows:
                        rate = done / (time.perf_counter() - started)
                        print(
                            f"\r  loaded {done:,} interactions ({rate:,.0f}/s)",
                            end="",
                            file=sys.stderr,
                            flush=True,
                        )
            driver.commit()
        print(file=sys.stderr)
        timings["insert_s"] = time.perf_counter() - started
        mark = time.perf_counter()
        for table, name, ddl in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}')
        for _, ddl in indexes:
            cursor.execute(ddl)
        cursor.execute("SET session_replication_role = DEFAULT")
        driver.commit()
        timings["index_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        driver.autocommit = True  # VACUUM: hint bits and visibility map, as in steady state
        cursor.execute("VACUUM ANALYZE party_interaction")
        driver.autocommit = False
        timings["analyze_s"] = time.perf_counter() - mark
        timings["rows"] = log.rows
        timings["total_s"] = time.perf_counter() - started
        cursor.close()
    finally:
        raw.close()
    return timings


def timeline_customers(engine: Engine, seed: int) -> list[tuple[str, str]]:
    """(customer id, party id) of every customer, the target first (an active one, by seed)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, party_id, status FROM customer ORDER BY customer_number")
        ).all()
    active = [r for r in rows if r.status == "active"]
    target = random.Random(seed + 2).choice(active)
    return [(target.id, target.party_id)] + [(r.id, r.party_id) for r in rows if r.id != target.id]


def prepare_timeline_database(args) -> tuple[str, bool]:
    """The database URL and whether it already holds this data set (--reuse)."""
    if args.reuse and database_exists(args.postgres_server, TIMELINE_DB):
        url = make_url(args.postgres_server).set(database=TIMELINE_DB)
        url = url.render_as_string(hide_password=False)
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                customers = conn.scalar(text("SELECT count(*) FROM customer"))
                rows = conn.scalar(text("SELECT count(*) FROM party_interaction"))
            if (customers, rows) == (args.customers, args.rows):
                return url, True
        except Exception:  # no schema yet: load afresh
            pass
        finally:
            engine.dispose()
    return create_database(args.postgres_server, TIMELINE_DB), False


def load_timeline_data(engine: Engine, args) -> dict:
    """Customers (identify.py's population and loader), then the interactions."""
    print(f"  loading {args.customers:,} customers", file=sys.stderr, flush=True)
    population = identify.Population(args.seed, datetime.now(UTC))
    customer_timings = identify.load(engine, population, args.customers)
    customers = timeline_customers(engine, args.seed)
    log = InteractionLog(args.seed, args.rows, customers, args.target)
    timings = load_interactions(engine, log)
    timings["customer_rows"] = customer_timings["rows"]
    timings["customer_s"] = customer_timings["total_s"]
    return timings


def walk_timeline(page, customer_id: str, deep: int) -> tuple[str, int, int, float]:
    """Follow the cursor to the end once: the cursor of the page after ``deep`` entries, the
    number of entries and pages, and how long the walk took."""
    started = time.perf_counter()
    cursor, seen, pages, deep_cursor = None, 0, 0, None
    while True:
        _, result = page(customer_id, cursor)
        seen += len(result.items)
        pages += 1
        cursor = result.next_cursor
        if deep_cursor is None and seen >= deep:
            deep_cursor = cursor
        if cursor is None:
            break
    if deep_cursor is None:
        raise RuntimeError(f"the timeline has only {seen} entries; no page after {deep}")
    return deep_cursor, seen, pages, time.perf_counter() - started


def measure_timeline(engine: Engine, url: str, customer_id: str, args) -> dict:
    from parley.changes import UnitOfWork
    from parley.interactions.service import InteractionService

    settings = Settings(database_url=url, _env_file=None)
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def page(customer: str, cursor: str | None):
        with factory() as session:
            started = time.perf_counter()
            result = InteractionService(UnitOfWork(session, settings)).timeline(
                customer, limit=args.page_size, cursor=cursor
            )
            session.commit()  # the API's unit of work ends in a commit
            return (time.perf_counter() - started) * 1000, result

    deep_cursor, entries, pages, walk_s = walk_timeline(page, customer_id, args.deep)
    plan = explain_page(engine, lambda: page(customer_id, deep_cursor))
    kinds = {
        "first": None,
        f"deep (page {args.deep // args.page_size + 1}, after {args.deep:,})": deep_cursor,
    }
    for n in range(WARMUP_QUERIES):
        page(customer_id, list(kinds.values())[n % 2])
    latencies: dict[str, list[float]] = {}
    for kind, cursor in kinds.items():
        latencies[kind] = []
        for _ in range(args.queries):
            elapsed, result = page(customer_id, cursor)
            if len(result.items) != args.page_size:
                raise RuntimeError(f"{kind} page has {len(result.items)} entries")
            latencies[kind].append(elapsed)
        print(f"  measured the {kind} page", file=sys.stderr, flush=True)
    return {
        "latencies": latencies,
        "entries": entries,
        "pages": pages,
        "walk_s": walk_s,
        "plan": plan,
    }


def explain_page(engine: Engine, fetch_page) -> str:
    """The plan PostgreSQL runs for the page's party_interaction query, with its real
    parameters (captured as the service sends them): where a deep page's time goes."""
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM party_interaction" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        fetch_page()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    if not seen:
        return "(no query on party_interaction seen)"
    statement, parameters = seen[-1]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        raw.rollback()
    finally:
        raw.close()
    return plan


def timeline_part(args) -> str:
    url, reused = prepare_timeline_database(args)
    engine = build_engine(url)
    upgrade(engine)  # also brings a reused database to the current revision
    timings = None if reused else load_timeline_data(engine, args)
    target_id, target_party = timeline_customers(engine, args.seed)[0]
    with engine.connect() as conn:
        owned = conn.scalar(
            text("SELECT count(*) FROM party_interaction WHERE party_id = :p"),
            {"p": target_party},
        )
    load_before = os.getloadavg()[0]
    measured = measure_timeline(engine, url, target_id, args)
    load_after = os.getloadavg()[0]
    facts = machine_facts(url)
    engine.dispose()

    lines = [f"### Timeline: {owned:,} interactions of one customer in {args.rows:,}", ""]
    if timings:
        total = timings["total_s"]
        lines += [
            f"Load: {args.customers:,} customers ({timings['customer_rows']:,} rows with their "
            f"parties, keys and accounts) in {timings['customer_s']:.1f} s; "
            f"{args.rows:,} interactions in {total:.1f} s ({timings['insert_s']:.1f} s COPY, "
            f"{timings['index_s']:.1f} s key and indexes, {timings['analyze_s']:.1f} s "
            f"vacuum + analyze): {args.rows / total:,.0f} rows/s.",
            "",
        ]
    lines += [
        "| page | n | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    p99s = []
    for kind, values in measured["latencies"].items():
        p99s.append(percentile(values, 99))
        lines.append(
            f"| {kind} | {len(values)} | {statistics.median(values):.2f} | "
            f"{percentile(values, 99):.2f} | {max(values):.2f} |"
        )
    lines += [
        "",
        f"- p99 < {TIMELINE_P99_TARGET_MS:.0f} ms: "
        f"{met(max(p99s) < TIMELINE_P99_TARGET_MS)} (worst p99 {max(p99s):.2f} ms)",
        "",
        f"InteractionService.timeline(limit={args.page_size}) in-process, a fresh session per "
        f"page, committed; {WARMUP_QUERIES} warm-up pages. Following the cursor from the first "
        f"page to the last took {measured['pages']} pages for {measured['entries']:,} entries "
        f"({measured['walk_s']:.1f} s).",
        f"{facts}; load average {load_before:.2f} before, {load_after:.2f} after.",
        "",
        "Plan of the deep page's query:",
        "",
        *("    " + line for line in measured["plan"].splitlines()),
    ]
    return "\n".join(lines)


# -- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("http", "timeline"), help="run one part only")
    parser.add_argument("--postgres-server", default=PG_SERVER)
    parser.add_argument("--seed", type=int, default=42)
    http = parser.add_argument_group("HTTP logging rate")
    http.add_argument("--duration", type=float, default=20, help="seconds measured per endpoint")
    http.add_argument("--warmup", type=float, default=3, help="seconds before measuring")
    http.add_argument("--connections", type=int, default=32, help="requests in flight")
    http.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    http.add_argument("--threads", type=int, default=1, help="wrk threads")
    http.add_argument(
        "--baseline-pool",
        type=int,
        default=0,
        help="connections per baseline worker (default: connections / workers)",
    )
    http.add_argument("--demo-customers", type=int, default=300)
    timeline = parser.add_argument_group("timeline")
    timeline.add_argument("--rows", type=int, default=10_000_000, help="interactions in all")
    timeline.add_argument("--customers", type=int, default=20_000)
    timeline.add_argument("--target", type=int, default=10_000, help="the customer's share")
    timeline.add_argument("--deep", type=int, default=9_000, help="entries before the deep page")
    timeline.add_argument("--page-size", type=int, default=20)
    timeline.add_argument("--queries", type=int, default=1000, help="pages timed per kind")
    timeline.add_argument(
        "--reuse",
        action="store_true",
        help=f"keep {TIMELINE_DB} if it holds --customers customers and --rows interactions",
    )
    args = parser.parse_args(argv)
    if args.target > args.rows or args.deep + args.page_size > args.target:
        parser.error("need --deep + --page-size <= --target <= --rows")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")

    reports = []
    if args.only in (None, "http"):
        reports.append(http_part(args))
    if args.only in (None, "timeline"):
        reports.append(timeline_part(args))
    print("\n\n".join(reports))


if __name__ == "__main__":
    main()
