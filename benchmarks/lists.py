"""TMF list benchmark (issue 19): the customer list at 1,000,000 customers, and filtered
interaction and ticket lists at 10,000,000 interactions, over HTTP.

Part customers: loads the identification benchmark's population (identify.py: parties, keys,
customers, accounts, by COPY) into database parley_bench_lists_<customers> on PostgreSQL, runs
`parley serve --workers 2`, and drives GET /tmf-api/customerManagement/v5/customer with wrk:
each case with one client (latency: p50/p99) and with 32 (throughput: requests/s), closed
loop. Cases: the first page, a deep page by cursor and by offset, and filtered pages (status,
name, a creation-date range, sorted by name).

Part interactions: loads interactions.py's timeline data set (--interactions over 20,000
customers) and --tickets tickets into parley_bench_lists_interactions_<interactions>
(lists_activity.py) and drives GET .../partyInteraction and .../troubleTicket the same way,
filtered by customer (the busiest and a typical one), by a day and a month, by channel and by
combinations of them.

    .venv/bin/python benchmarks/lists.py --customers 1000000            # load, then measure
    .venv/bin/python benchmarks/lists.py --customers 1000000 --reuse    # measure again
    .venv/bin/python benchmarks/lists.py --part interactions --interactions 10000000 --reuse

Needs wrk and PostgreSQL at --postgres-server.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from parley.db.engine import build_engine
from parley.db.listing import Ordering
from parley.db.migrate import upgrade
from parley.parties.models import Customer

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
import identify  # noqa: E402  (the customer population and its loader)
import interactions  # noqa: E402  (server, wrk and CLI helpers)
import lists_activity  # noqa: E402  (the interactions part's data and cases)

CUSTOMERS_PATH = "/tmf-api/customerManagement/v5/customer"
P99_TARGET_MS, RATE_TARGET = 20.0, 300.0
# Issue 19: "a filtered list at 10,000,000 interactions stays under 100 ms".
ACTIVITY_P99_TARGET_MS = 100.0

# One GET per request, only 200 counts; done() prints one JSON line (as interactions.py's).
WRK_SCRIPT = (
    """
local request_text = wrk.format("GET", %(path)s, {["Authorization"] = %(auth)s})
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  created, refused = 0, 0
end

function request()
  return request_text
end

function response(status, headers, body)
  if status == 200 then created = created + 1 else refused = refused + 1 end
end

"""
    + interactions.WRK_REPORT
)


@dataclass
class Case:
    name: str
    query: str
    path: str = CUSTOMERS_PATH
    target: bool = True  # held to the targets (deep offset is shown for comparison)


@dataclass
class Measured:
    case: Case
    clients: int
    ok: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.ok / self.seconds


def prepare(args) -> str:
    """The database, loaded unless --reuse finds it loaded; migrated to the head either way."""
    name = f"parley_bench_lists_{args.customers}"
    url = make_url(args.postgres_server).set(database=name).render_as_string(False)
    loaded = interactions.database_exists(args.postgres_server, name) and args.reuse
    if not (loaded and identify._populated(url, args.customers)):
        url = interactions.create_database(args.postgres_server, name)
        engine = build_engine(url)
        upgrade(engine)
        timings = identify.load(
            engine, identify.Population(args.seed, datetime.now(UTC)), args.customers
        )
        print(f"  loaded in {timings['total_s']:.0f} s", file=sys.stderr)
        engine.dispose()
    engine = build_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def cases(url: str, customers: int) -> list[Case]:
    """The cases, with values taken from the data: a name that exists, a month of creations,
    and the cursor after the middle customer (what following the cursors would reach)."""
    middle = customers // 2
    engine = create_engine(url)
    with engine.connect() as conn:
        name = conn.scalar(text("SELECT name FROM customer ORDER BY customer_number LIMIT 1"))
        deep = conn.execute(
            text(
                "SELECT created_at, id FROM customer ORDER BY created_at DESC, id DESC "
                "OFFSET :n LIMIT 1"
            ),
            {"n": middle - 1},
        ).one()
        newest = conn.scalar(text("SELECT max(created_at) FROM customer"))
    engine.dispose()
    order = Ordering(((Customer.created_at, True), (Customer.id, True)))
    cursor = order.cursor_of(Customer(created_at=deep.created_at, id=deep.id))
    month_end = newest.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month_start = (
        month_end.replace(month=month_end.month - 1)
        if month_end.month > 1
        else (month_end.replace(year=month_end.year - 1, month=12))
    )
    since = month_start.isoformat().replace("+00:00", "Z")
    until = month_end.isoformat().replace("+00:00", "Z")
    return [
        Case("first page", "limit=100"),
        Case(f"deep page by cursor (after {middle:,})", f"limit=100&cursor={cursor}"),
        Case(f"deep page by offset={middle}", f"limit=100&offset={middle}", target=False),
        Case("status=suspended", "limit=100&status=suspended"),
        Case("name=<one name>", "limit=100&" + urllib.parse.urlencode({"name": name})),
        Case(
            "creationDate in one month",
            f"limit=100&creationDate.gte={since}&creationDate.lt={until}",
        ),
        Case("sort=name", "limit=100&sort=name"),
    ]


def run(server, token: str, case: Case, clients: int, args, workdir: str) -> Measured:
    script = Path(workdir) / "list.lua"
    path = f"{case.path}?{case.query}"
    script.write_text(
        WRK_SCRIPT
        % {
            "path": interactions.lua_string(path),
            "auth": interactions.lua_string(f"Bearer {token}"),
        }
    )
    wrk_args = argparse.Namespace(threads=1, connections=clients)
    interactions.run_wrk(server.base_url, script, args.warmup, wrk_args)
    summary = interactions.run_wrk(server.base_url, script, args.duration, wrk_args)
    errors = summary["refused"] + summary["socket_errors"] + summary["timeouts"]
    return Measured(
        case,
        clients,
        summary["created"],
        errors,
        summary["duration_us"] / 1e6,
        summary["p50_us"] / 1000,
        summary["p99_us"] / 1000,
    )


def check(base_url: str, token: str, case: Case) -> str:
    """One request by hand first: a wrong query shows as its error, not as 0 req/s."""
    request = urllib.request.Request(
        f"{base_url}{case.path}?{case.query}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        items = json.loads(answer.read())
        total = answer.headers.get("X-Total-Count")
        exact = answer.headers.get("X-Total-Count-Exact", "true")
    return f"{len(items)} items, X-Total-Count {total}{'' if exact == 'true' else ' (estimate)'}"


def report(results: list[Measured], shapes: dict[str, str], args, facts: str, loads) -> str:
    what = (
        f"The customer list over HTTP at {args.customers:,} customers"
        if args.part == "customers"
        else f"Interaction and ticket lists over HTTP at {args.interactions:,} interactions "
        f"and {args.tickets:,} tickets"
    )
    lines = [
        f"### {what} ({args.workers} workers, {args.duration:g} s per run after "
        f"{args.warmup:g} s warm-up; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        "| case | answer | 1 client p50 / p99 | 1 client req/s | 32 clients req/s (p99) |",
        "|---|---|---|---|---|",
    ]
    by_case: dict[str, dict[int, Measured]] = {}
    for result in results:
        by_case.setdefault(result.case.name, {})[result.clients] = result
    for name, runs in by_case.items():
        one, many = runs[1], runs[args.connections]
        errors = one.errors + many.errors
        lines.append(
            f"| {name} | {shapes[name]} | {one.p50_ms:.1f} / {one.p99_ms:.1f} ms | "
            f"{one.rate:.0f} | {many.rate:.0f} ({many.p99_ms:.0f} ms)"
            f"{f', {errors} errors' if errors else ''} |"
        )
    held = [r for r in results if r.case.target]
    worst_p99 = max(r.p99_ms for r in held if r.clients == 1)
    lowest_rate = min(r.rate for r in held if r.clients == args.connections)
    if args.part == "interactions":
        lines += [
            "",
            f"Target: every filtered list p99 < {ACTIVITY_P99_TARGET_MS:g} ms with one client "
            f"(worst {worst_p99:.1f} ms: {interactions.met(worst_p99 < ACTIVITY_P99_TARGET_MS)}); "
            f"lowest rate with {args.connections} clients {lowest_rate:.0f} requests/s.",
        ]
    else:
        lines += [
            "",
            f"Targets (all cases but the deep offset): p99 < {P99_TARGET_MS:g} ms with one client "
            f"(worst {worst_p99:.1f} ms: {interactions.met(worst_p99 < P99_TARGET_MS)}); "
            f"≥ {RATE_TARGET:g} requests/s with {args.connections} clients (lowest "
            f"{lowest_rate:.0f}: {interactions.met(lowest_rate >= RATE_TARGET)}).",
        ]
    lines += [
        "",
        f"{facts}. Load average {loads[0]:.2f} before, {loads[1]:.2f} after; wrk on the same "
        "machine, 1 thread.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("customers", "interactions"), default="customers")
    parser.add_argument("--postgres-server", default=interactions.PG_SERVER)
    parser.add_argument(
        "--customers",
        type=int,
        help="customers loaded (default: 1,000,000; 20,000 for the interactions part)",
    )
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep a loaded database")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=float, default=10, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--explain",
        action="store_true",
        help="interactions part: print each case's statements with EXPLAIN (ANALYZE, BUFFERS)",
    )
    parser.add_argument("--no-measure", action="store_true", help="with --explain: only that")
    args = parser.parse_args(argv)
    if args.customers is None:
        args.customers = 1_000_000 if args.part == "customers" else 20_000
    print("  " + " ".join(["benchmarks/lists.py", *sys.argv[1:]]), file=sys.stderr)
    url = prepare(args) if args.part == "customers" else lists_activity.database(args)
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as workdir:
        env = {
            **os.environ,
            "PARLEY_JWT_SECRET": secrets.token_hex(32),
            "PARLEY_DATABASE_URL": url,
            # The server runs this checkout's code, whatever the venv was installed from.
            "PYTHONPATH": str(BENCHMARKS.parent / "src"),
        }
        username = f"{interactions.BENCH_USER}-{secrets.token_hex(3)}"
        interactions.parley_cli(
            env,
            workdir,
            "users",
            "create",
            f"--username={username}",
            "--role=agent",
            f"--password={interactions.BENCH_PASSWORD}",
        )
        listed = (
            cases(url, args.customers)
            if args.part == "customers"
            else lists_activity.cases(url, args.seed, Case)
        )
        port = interactions.free_port()
        command = [str(interactions.VENV_BIN / "parley"), "serve", f"--workers={args.workers}"]
        server = interactions.Server(
            "Parley", [*command, f"--port={port}"], env, workdir, port, True
        )
        results, shapes = [], {}
        loads = [os.getloadavg()[0]]
        with server:
            token = _token(server.base_url, username)
            if args.explain and args.part == "interactions":
                print(lists_activity.explain(url, listed, token, env["PARLEY_JWT_SECRET"]))
            for case in [] if args.no_measure else listed:
                shapes[case.name] = check(server.base_url, token, case)
                for clients in (1, args.connections):
                    results.append(run(server, token, case, clients, args, workdir))
                    print(f"  {case.name}, {clients} client(s) done", file=sys.stderr)
        loads.append(os.getloadavg()[0])
    if args.no_measure:
        return
    print(report(results, shapes, args, interactions.machine_facts(url), loads))
    print(
        f"\nCommand: PYTHONPATH=src .venv/bin/python benchmarks/lists.py {' '.join(sys.argv[1:])}"
    )


def _token(base_url: str, username: str) -> str:
    form = urllib.parse.urlencode(
        {"grant_type": "password", "username": username, "password": interactions.BENCH_PASSWORD}
    ).encode()
    with urllib.request.urlopen(f"{base_url}/oauth/token", data=form, timeout=30) as answer:
        return json.loads(answer.read())["access_token"]


if __name__ == "__main__":
    main()
