"""Mediation benchmarks (issue 16), on PostgreSQL.

``--part email``: inbound email throughput. Creates database parley_bench_mediation afresh
(schema, `parley demo` customers, a request per customer to answer). Each round stores
``--mails`` raw mails in the inbound store (as the IMAP fetcher and the LMTP server do: one
committed INSERT each), then the workers' job (InboundJob, as every `parley worker` runs it)
parses, identifies and applies them with 1 and then 2 workers at once (FOR UPDATE SKIP
LOCKED: disjoint batches). The mix, as a support mailbox gets it: 70 % new mails of known
customers (identified by their address: an interaction and an acknowledgement queued), 20 %
answers quoting a request's token (a note on the request and an interaction), 10 % mails of
unknown senders (an interaction for an agent, an acknowledgement). No outbox worker runs.

Prints stored/s and applied/s (median of the rounds) with the load average before and after,
and fails (exit 1) unless every mail was applied exactly once.

    .venv/bin/python benchmarks/mediation.py --part email
    .venv/bin/python benchmarks/mediation.py --part email --mails 400 --rounds 3

``--part import``: bulk import beside a raw COPY of the same rows (benchmarks/bulk_import.py,
which says how; its options follow, e.g. ``--rows 100000``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import Engine, bindparam, text
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.demo.loader import load_demo
from parley.logging import configure_logging
from parley.mediation import InboundJob, InboundStore
from parley.mediation.email import store_mail
from parley.parties.models import INACTIVE_CUSTOMER_STATUSES
from parley.requests.service import RequestService
from parley.settings import Mailbox, Settings
from parley.wiring import wire

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
from interactions import PG_SERVER, create_database, machine_facts  # noqa: E402

DATABASE = "parley_bench_mediation"
SUPPORT = "support@bench.example.com"
BODY = (
    "Hello,\n\nmy {what} since this morning. I restarted the router twice.\n\n"
    "Kind regards\n{name}\nTel. 0171 {phone:07d}\n\n"
    "On Mon, 7 Dec 2026 at 09:12, Customer Care <care@bench.example.com> wrote:\n"
    "> Thank you for your message.\n> We will get back to you.\n"
)


def mail(sender: str, subject: str, body: str, number: int) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, SUPPORT, subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<bench-{number}@mail.example.net>"
    message.set_content(body)
    return message.as_bytes()


def prepare(url: str, settings: Settings, customers: int) -> tuple[list, list[str]]:
    """Schema, demo customers, a request each of those with an address of their own (active
    ones: a disconnected customer's mail is not theirs to thread): ([(address, name)],
    request references)."""
    engine = build_engine(url)
    upgrade(engine)
    with sessionmaker(bind=engine)() as session:
        print(f"  parley demo --customers {customers}", file=sys.stderr, flush=True)
        load_demo(session, settings, customers, 11, False)
        rows = session.execute(
            text(
                "SELECT k.value, p.display_name, c.id FROM party_key k "
                "JOIN customer c ON c.party_id = k.party_id JOIN party p ON p.id = c.party_id "
                "WHERE k.kind = 'email' AND k.valid_to IS NULL AND c.status NOT IN :inactive"
            ).bindparams(bindparam("inactive", expanding=True)),
            {"inactive": list(INACTIVE_CUSTOMER_STATUSES)},
        ).all()
        counts: dict[str, int] = {}
        for address, _, _ in rows:
            counts[address] = counts.get(address, 0) + 1
        known = [(a, n, c) for a, n, c in rows if counts[a] == 1]
        uow = UnitOfWork(session, settings, Actor("benchmark", "cli"))
        references = []
        for _, _, customer_id in known:
            request = RequestService(uow).create(
                {
                    "@type": "TroubleTicket",
                    "description": "No internet at home",
                    "ticketType": "fault.repair",
                    "relatedParty": [{"role": "customer", "partyOrPartyRole": {
                        "id": customer_id, "@referredType": "Customer"}}],
                }
            )  # fmt: skip
            references.append(request.reference)
        session.commit()
    engine.dispose()
    return [(a, n) for a, n, _ in known], references


def mails_of_round(known, references, count: int, first: int) -> list[bytes]:
    made = []
    for index in range(count):
        number = first + index
        share = index % 10
        if share < 7:
            address, name = known[number % len(known)]
            body = BODY.format(what="internet is down", name=name, phone=number)
            made.append(mail(address, f"Internet down ({number})", body, number))
        elif share < 9:
            address, name = known[number % len(known)]
            reference = references[number % len(references)]
            body = BODY.format(what="line is still down", name=name, phone=number)
            made.append(mail(address, f"Re: your request [#{reference}]", body, number))
        else:
            body = BODY.format(what="question", name="A. Stranger", phone=number)
            made.append(mail(f"stranger{number}@elsewhere.example", "Prices", body, number))
    return made


def apply_with(engine: Engine, settings: Settings, workers: int) -> None:
    def run():
        while InboundJob(engine, settings).run_once().claimed:
            pass

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def email_throughput(args) -> None:
    url = create_database(args.postgres_server, DATABASE)
    settings = Settings(
        database_url=url,
        jwt_secret=SecretStr("x" * 64),
        smtp_from=f"Customer Care <{SUPPORT}>",
        mail_mailboxes=[Mailbox(name="support", address=SUPPORT)],
        mail_acknowledge_limit="",  # every new mail acknowledged: the work measured
        inbound_batch_size=20,
        _env_file=None,
    )
    wire()
    configure_logging("WARNING")  # a line per applied mail would be measured too
    known, references = prepare(url, settings, args.customers)
    engine = build_engine(url)
    store = InboundStore(sessionmaker(bind=engine, expire_on_commit=False))
    load_before = os.getloadavg()
    results: dict[int, tuple[list[float], list[float]]] = {}
    number = 0
    for workers in (1, 2):
        stored_rates, applied_rates = [], []
        for round_no in range(args.rounds):
            mails = mails_of_round(known, references, args.mails, number)
            number += len(mails)
            started = time.perf_counter()
            for content in mails:
                store_mail(store, content, "support")
            stored_rates.append(len(mails) / (time.perf_counter() - started))
            started = time.perf_counter()
            apply_with(engine, settings, workers)
            applied_rates.append(len(mails) / (time.perf_counter() - started))
            print(f"  {workers} worker(s), round {round_no + 1}: {stored_rates[-1]:.0f} stored/s, "
                  f"{applied_rates[-1]:.1f} applied/s", file=sys.stderr, flush=True)  # fmt: skip
        results[workers] = (stored_rates, applied_rates)
    load_after = os.getloadavg()
    by_state = "SELECT state, count(*) FROM inbound_message GROUP BY state"
    by_token = "SELECT count(*) FROM inbound_message WHERE outcome ->> 'threadedBy' = 'subject'"
    with engine.connect() as conn:
        states = dict(conn.execute(text(by_state)).all())
        threaded = conn.scalar(text(by_token))
    engine.dispose()
    answers = sum(1 for n in range(number) if n % args.mails % 10 in (7, 8))
    if states != {"applied": number} or threaded != answers:
        print(f"FAILED: {number} mails stored, states {states}; {threaded} of {answers} "
              "answers threaded to their request", file=sys.stderr)  # fmt: skip
        sys.exit(1)
    lines = [
        "| workers | stored/s (median) | applied/s (median) | applied/s per round |",
        "|---:|---:|---:|---|",
        *(
            f"| {workers} | {statistics.median(stored):.0f} | {statistics.median(applied):.1f} | "
            f"{', '.join(f'{r:.1f}' for r in applied)} |"
            for workers, (stored, applied) in results.items()
        ),
        "",
        f"{args.mails} mails per round, {args.rounds} rounds per worker count; {number:,} mails "
        f"in all, every one applied once, each of the {threaded:,} answers threaded to its "
        "request by its token; "
        f"{len(known)} identifiable demo customers. Load average "
        f"{' '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{' '.join(f'{x:.2f}' for x in load_after)} after. {machine_facts(url)}.",
    ]
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    # ``--part import``: bulk import beside COPY (benchmarks/bulk_import.py, its own options).
    chosen, rest = argparse.ArgumentParser(add_help=False), None
    chosen.add_argument("--part", choices=["email", "import"], default="email")
    known, rest = chosen.parse_known_args(argv)
    if known.part == "import":
        import bulk_import

        bulk_import.main(rest)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["email", "import"], default="email")
    parser.add_argument("--postgres-server", default=PG_SERVER)
    parser.add_argument("--mails", type=int, default=300, help="mails per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--customers", type=int, default=200, help="demo customers")
    args = parser.parse_args(argv)
    if args.part == "email":
        email_throughput(args)


if __name__ == "__main__":
    main()
