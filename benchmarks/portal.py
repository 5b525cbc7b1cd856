"""Portal benchmark (issue 14): the customer portal's pages timed through HTTP against one
`parley serve` process on PostgreSQL, with a signed-in customer's session.

The database (parley_bench_portal_<customers>) holds identify.py's synthetic customers (its
COPY loader), one request for every tenth of them (inserted in bulk, so the request tables
are as large as a real portal's), the demo's offer catalogue, and one customer (chosen by
seed, as interactions.py chooses its timeline target) with a portal log-in, residential, who
raised --requests requests of their own through the request service (notes on some, two
files on the first, a few cancelled), as a customer of the portal would. --reuse keeps a
database that already holds all of it.

Each page is asked for --pages times after a warm-up, one request at a time from this
process on the same machine; the time is what this client observes from sending the request
to reading the whole answer (the app sends no Server-Timing), so it is an upper bound of the
server time the issue's target names (p95 < 100 ms). Prints p50/p95/p99/max per page and the
load average before and after each.

    .venv/bin/python benchmarks/portal.py --customers 100000
    .venv/bin/python benchmarks/portal.py --customers 1000000 --reuse
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import sessionmaker

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
import identify  # noqa: E402
from console import free_port, serve  # noqa: E402
from interactions import (  # noqa: E402
    PG_SERVER,
    machine_facts,
    percentile,
    reused_or_created,
    timeline_customers,
)

from parley.actor import Actor  # noqa: E402
from parley.auth.users import UserService  # noqa: E402
from parley.changes import UnitOfWork  # noqa: E402
from parley.db.engine import build_engine  # noqa: E402
from parley.db.migrate import upgrade  # noqa: E402
from parley.demo.offers import create_demo_offers  # noqa: E402
from parley.requests.attachments import Upload  # noqa: E402
from parley.requests.models import CustomerRequest, RequestStatusChange, RequestType  # noqa: E402
from parley.requests.service import RequestService  # noqa: E402
from parley.settings import Settings  # noqa: E402
from parley.wiring import wire  # noqa: E402

TARGET_P95_MS = 100.0
PASSWORD = "Bench-Portal-Password-2026"
WARMUP = 20
PAGES = ("home", "requests", "one request", "profile", "offers")
FILES = (("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(2000)), ("notes.txt", b"Meter reading\n" * 50))


@dataclass
class PageTimes:
    name: str
    path: str
    latencies: list[float] = field(default_factory=list)
    load_before: float = 0.0
    load_after: float = 0.0


def database(args) -> tuple[str, bool]:
    """The URL of parley_bench_portal_<customers> and whether it holds the data (--reuse)."""
    name = f"parley_bench_portal_{args.customers}"
    return reused_or_created(args.postgres_server, name, args.reuse, lambda url: _holds(url, args))


def _holds(url: str, args) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            customers = conn.scalar(text("SELECT count(*) FROM customer"))
            logins = conn.scalar(text("SELECT count(*) FROM auth_user WHERE kind = 'customer'"))
        return customers == args.customers and logins == 1
    except Exception:  # no schema yet
        return False
    finally:
        engine.dispose()


def load_requests(engine, customers: list[tuple[str, str]], share: int, seed: int) -> int:
    """One request (and its first status) for every ``share``-th customer, in bulk."""
    rng = random.Random(seed + 5)
    with engine.connect() as conn:
        types = conn.execute(select(RequestType.id, RequestType.code)).all()
    now = datetime.now(UTC)
    chosen = customers[1::share]
    for start in range(0, len(chosen), 10_000):
        requests, changes = [], []
        for n, (customer_id, _party) in enumerate(chosen[start : start + 10_000], start):
            type_id, code = rng.choice(types)
            created = now - timedelta(minutes=rng.randrange(60 * 24 * 365))
            closed = rng.random() < 0.7
            request_id = str(uuid.UUID(int=rng.getrandbits(128)))
            status = "closed" if closed else "inProgress"
            requests.append(
                {
                    "id": request_id,
                    "reference": f"R-{n // 100_000:04d}-{n % 100_000:05d}",
                    "customer_id": customer_id,
                    "type_id": type_id,
                    "status": status,
                    "priority": "medium",
                    "expected_resolution_at": created + timedelta(days=2),
                    "closed_at": created + timedelta(days=1) if closed else None,
                    "outcome": "completed" if closed else None,
                    "resolution_code": "done" if closed else None,
                    "version": 1,
                    "document": {"@type": "TroubleTicket", "ticketType": code, "status": status},
                    "created_at": created,
                    "updated_at": created,
                    "status_changed_at": created,
                }
            )
            changes.append(
                {"request_id": request_id, "status": "acknowledged", "actor": "bench",
                 "changed_at": created}
            )  # fmt: skip
        with engine.begin() as conn:
            conn.execute(insert(CustomerRequest), requests)
            conn.execute(insert(RequestStatusChange), changes)
    return len(chosen)


def prepare_customer(engine, settings: Settings, customer_id: str, count: int) -> str:
    """The target's log-in, segment and own requests (through the services); its username."""
    username = "bench-portal-customer"
    with sessionmaker(bind=engine)() as session:
        session.execute(
            text(
                "UPDATE customer SET document = document || "
                '\'{"characteristic": [{"name": "segment", "value": "residential"}]}\''
                "::jsonb WHERE id = :id"
            ),
            {"id": customer_id},
        )
        setup = UnitOfWork(session, settings, Actor("benchmark", "cli"))
        create_demo_offers(setup)
        UserService(setup).create_user(
            username, ["customer"], "customer", PASSWORD, "Bench Customer", customer_id
        )
        session.commit()
        actor = Actor(username, "web", customer_id=customer_id, self_service=True)
        requests = RequestService(UnitOfWork(session, settings, actor))
        for n in range(count):
            row = requests.create(_fault(customer_id, n))
            if n % 3 == 0:
                requests.add_note(row.id, f"Still broken, day {n}")
            if n == 0:
                for name, content in FILES:
                    requests.add_attachment(row.id, Upload(name, content))
            if n % 5 == 4:
                requests.cancel(row.id, "Works again")
            session.commit()
    return username


def _fault(customer_id: str, n: int) -> dict:
    return {
        "@type": "TroubleTicket",
        "ticketType": "fault.repair",
        "name": "Fault repair",
        "description": f"No internet since this morning ({n})",
        "channel": {"id": "web"},
        "relatedParty": [
            {"role": "customer",
             "partyOrPartyRole": {"id": customer_id, "@referredType": "Customer"}}
        ],
    }  # fmt: skip


def sign_in(client: httpx2.Client, username: str) -> None:
    page = client.get("/portal/sign-in").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": token, "username": username, "password": PASSWORD}
    answer = client.post("/portal/sign-in", data=form)
    if answer.status_code != 303:
        raise SystemExit(f"the customer could not sign in: {answer.status_code}")


def first_request(url: str, customer_id: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.scalar(
            text(
                "SELECT request_id FROM request_attachment a JOIN customer_request r "
                "ON r.id = a.request_id WHERE r.customer_id = :c LIMIT 1"
            ),
            {"c": customer_id},
        )
    engine.dispose()
    return found


def measure(client: httpx2.Client, page: PageTimes, count: int) -> PageTimes:
    for _ in range(WARMUP):
        client.get(page.path)
    page.load_before = os.getloadavg()[0]
    for _ in range(count):
        started = time.perf_counter()
        answer = client.get(page.path)
        body = answer.content
        page.latencies.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200 or not body:
            raise RuntimeError(f"GET {page.path}: {answer.status_code}")
    page.load_after = os.getloadavg()[0]
    print(f"  measured {page.name}", file=sys.stderr, flush=True)
    return page


def table(pages: list[PageTimes]) -> str:
    lines = [
        "| page | n | p50 ms | p95 ms | p99 ms | max ms | p95 < 100 ms | load before → after |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for page in pages:
        values = page.latencies
        verdict = "met" if percentile(values, 95) < TARGET_P95_MS else "not met"
        lines.append(
            f"| {page.name} (`{page.path.split('/requests/')[0]}"
            f"{'/requests/{id}' if '/requests/' in page.path else ''}`) | {len(values)} | "
            f"{statistics.median(values):.1f} | {percentile(values, 95):.1f} | "
            f"{percentile(values, 99):.1f} | {max(values):.1f} | {verdict} | "
            f"{page.load_before:.2f} → {page.load_after:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-server", default=PG_SERVER)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30, help="the target customer's own")
    parser.add_argument("--pages", type=int, default=300, help="times each page is asked for")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reuse", action="store_true", help="keep a database holding the data")
    args = parser.parse_args(argv)

    wire()
    url, reused = database(args)
    files = Path(tempfile.gettempdir()) / f"parley-bench-portal-files-{args.customers}"
    os.environ["PARLEY_ATTACHMENT_DIR"] = str(files)  # for `parley serve` too
    settings = Settings(database_url=url, attachment_dir=str(files), _env_file=None)
    engine = build_engine(url)
    upgrade(engine)
    customers = None
    if not reused:
        started = time.perf_counter()
        print(f"  loading {args.customers:,} customers", file=sys.stderr, flush=True)
        identify.load(engine, identify.Population(args.seed, datetime.now(UTC)), args.customers)
        customers = timeline_customers(engine, args.seed)
        made = load_requests(engine, customers, 10, args.seed)
        print(f"  {made:,} requests of other customers", file=sys.stderr, flush=True)
        prepare_customer(engine, settings, customers[0][0], args.requests)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        print(f"  loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    target = (customers or timeline_customers(engine, args.seed))[0][0]
    engine.dispose()
    request_id = first_request(url, target)

    port = free_port()
    server = serve(url, port)
    try:
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            sign_in(client, "bench-portal-customer")
            paths = {
                "home": "/portal/",
                "requests": "/portal/requests",
                "one request": f"/portal/requests/{request_id}",
                "profile": "/portal/profile",
                "offers": "/portal/offers",
            }
            results = [measure(client, PageTimes(n, paths[n]), args.pages) for n in PAGES]
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\nPortal pages, one customer's session, {args.customers:,} customers "
        f"({'reused' if reused else 'loaded'}), {args.requests} requests of their own, "
        f"{args.pages} answers per page after {WARMUP} warm-up ones; client-observed time."
    )
    print(machine_facts(url))
    print()
    print(table(results))


if __name__ == "__main__":
    main()
