"""Console benchmark (issue 13), the page parts: the customer 360, a timeline scroll page and
search-as-you-type, each timed through HTTP against one `parley serve` process with a
signed-in agent's session.

The database (parley_bench_console_<customers>) holds identify.py's synthetic customers (its
COPY loader) and one customer (interactions.py's timeline target, chosen by seed) holding
--interactions interactions (interactions.py's COPY loader); --reuse keeps it when it already
holds both. The app sends no Server-Timing header, so the time is what one client (this
process, one request at a time, on the same machine) observes from sending the request to
reading the whole answer.

- customer 360: GET /console/customers/{id} of the customer with the interactions.
- timeline scroll: GET .../timeline?cursor=... as htmx asks for "Older entries" (HX-Request),
  every page of that customer's timeline, following the cursor each page gives.
- search as you type: GET /console/search?q=... as the search box's htmx asks, with each
  prefix (from two characters on) of a customer's name, phone number or customer number.
"""

from __future__ import annotations

import html
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx2
import identify
from interactions import (
    InteractionLog,
    load_interactions,
    percentile,
    reused_or_created,
    timeline_customers,
)
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.settings import Settings

# Targets of issue 13 (server time; what we measure is the client-observed time).
SLOWEST_SHOWN = 8  # the typed prefixes that make the tail, named so they can be looked into
TARGETS = {"customer 360": (95, 100.0), "timeline scroll": (95, 30.0), "search": (99, 60.0)}
HTMX = {"HX-Request": "true"}
MORE = re.compile(r'hx-get="([^"]*[?&](?:amp;)?cursor=[^"]*)"')
WARMUP = 20


@dataclass
class Part:
    name: str
    latencies: list[float] = field(default_factory=list)
    load_before: float = 0.0
    load_after: float = 0.0
    note: str = ""
    slowest: list[tuple[float, str]] = field(default_factory=list)


def database(args) -> tuple[str, bool]:
    """The URL of parley_bench_console_<customers> and whether it holds the data (--reuse)."""
    name = f"parley_bench_console_{args.customers}"
    return reused_or_created(args.postgres_server, name, args.reuse, lambda url: _holds(url, args))


def _holds(url: str, args) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            customers = conn.scalar(text("SELECT count(*) FROM customer"))
            most = conn.scalar(
                text(
                    "SELECT count(*) FROM party_interaction GROUP BY customer_id "
                    "ORDER BY 1 DESC LIMIT 1"
                )
            )
        return (customers, most) == (args.customers, args.interactions)
    except Exception:  # no schema yet
        return False
    finally:
        engine.dispose()


def prepare(args, url: str, reused: bool, settings: Settings, agent: str, password: str) -> str:
    """Schema, customers and the target's interactions (unless reused), the agent; the
    target customer's id."""
    engine = build_engine(url)
    upgrade(engine)
    if not reused:
        print(f"  loading {args.customers:,} customers", file=sys.stderr, flush=True)
        identify.load(engine, identify.Population(args.seed, datetime.now(UTC)), args.customers)
    customers = timeline_customers(engine, args.seed)
    if not reused:
        # Every row goes to the target: the other customers' share would be 0.
        log = InteractionLog(args.seed, args.interactions, customers, args.interactions)
        load_interactions(engine, log)
    with sessionmaker(bind=engine)() as session:
        exists = session.scalar(text("SELECT 1 FROM auth_user WHERE username = :u"), {"u": agent})
        if not exists:
            setup = UnitOfWork(session, settings, Actor("benchmark", "cli"))
            UserService(setup).create_user(agent, ["agent"], "staff", password)
            session.commit()
    engine.dispose()
    return customers[0][0]


def typed_queries(url: str, count: int, seed: int) -> list[str]:
    """Prefixes as typed (two characters on) of ``count`` customers' names, phone numbers
    and customer numbers, a third each, drawn by seed."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.display_name, c.customer_number, "
                "(SELECT k.value FROM party_key k WHERE k.party_id = p.id AND k.kind = 'phone' "
                " AND k.valid_to IS NULL ORDER BY k.id LIMIT 1) "
                "FROM customer c JOIN party p ON p.id = c.party_id "
                "ORDER BY c.customer_number LIMIT 20000"
            )
        ).all()
    engine.dispose()
    rng = random.Random(seed + 3)
    queries: list[str] = []
    for n, (name, number, phone) in enumerate(rng.sample(rows, min(count, len(rows)))):
        whole = (name, phone and "0" + phone.removeprefix("+49"), number)[n % 3] or name
        queries += [whole[:end] for end in range(2, len(whole) + 1)]
    return queries


def timed(client: httpx2.Client, path: str, headers: dict | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    answer = client.get(path, headers=headers)
    body = answer.text
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path}: {answer.status_code} {body[:300]}")
    return elapsed, body


def measure(client: httpx2.Client, part: str, args, target: str, url: str) -> Part:
    result = Part(part, load_before=os.getloadavg()[0])
    if part == "customer 360":
        path = f"/console/customers/{target}"
        for _ in range(WARMUP):
            timed(client, path)
        result.latencies = [timed(client, path)[0] for _ in range(args.pages)]
        result.note = f"GET {path.replace(target, '{id}')}, {args.pages} times"
    elif part == "timeline scroll":
        base = f"/console/customers/{target}/timeline"
        pages = 0
        for _ in range(args.rounds):
            _, body = timed(client, base, HTMX)
            while found := MORE.search(body):
                path = html.unescape(found.group(1))
                elapsed, body = timed(client, path, HTMX)
                result.latencies.append(elapsed)
                pages += 1
        result.note = (
            f"every older page of the {args.interactions:,}-entry timeline as htmx scrolls, "
            f"{args.rounds} time(s): {pages} pages"
        )
    else:
        queries = typed_queries(url, args.typists, args.seed)
        for query in queries[:WARMUP]:
            client.get("/console/search", params={"q": query}, headers=HTMX)
        answered = 0
        for query in queries:
            started = time.perf_counter()
            answer = client.get("/console/search", params={"q": query}, headers=HTMX)
            body = answer.text
            result.latencies.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise RuntimeError(f"search {query!r}: {answer.status_code}")
            answered += "/console/customers/" in body
            result.slowest.append((result.latencies[-1], query))
        result.slowest = sorted(result.slowest, reverse=True)[:SLOWEST_SHOWN]
        result.note = (
            f"{len(queries)} prefixes of {args.typists} customers' names, phone numbers "
            f"and customer numbers; {answered} answered with candidates; slowest: "
            + ", ".join(f"{query!r} {ms:.0f} ms" for ms, query in result.slowest)
        )
    result.load_after = os.getloadavg()[0]
    print(f"  measured {part}", file=sys.stderr, flush=True)
    return result


def table(parts: list[Part]) -> str:
    lines = [
        "| part | n | p50 ms | p95 ms | p99 ms | max ms | target | load before → after |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for part in parts:
        values = part.latencies
        rank, limit = TARGETS[part.name]
        verdict = "met" if percentile(values, rank) < limit else "not met"
        lines.append(
            f"| {part.name} | {len(values)} | {statistics.median(values):.1f} | "
            f"{percentile(values, 95):.1f} | {percentile(values, 99):.1f} | {max(values):.1f} | "
            f"p{rank} < {limit:.0f} ms: {verdict} | {part.load_before:.2f} → "
            f"{part.load_after:.2f} |"
        )
    lines.append("")
    lines += [f"- {part.name}: {part.note}" for part in parts]
    return "\n".join(lines)
