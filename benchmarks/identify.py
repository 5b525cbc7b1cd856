"""Identification benchmark: load N synthetic customers, then time Identifier.identify().

Loads parties, identification keys, customers and accounts straight into the tables (COPY on
PostgreSQL, executemany on SQLite) shaped as the party service writes them, then measures
identification through the service in-process: by customer number, phone (national and
international formats), email, and by name with one and with two typos.

    .venv/bin/python benchmarks/identify.py --customers 100000
    .venv/bin/python benchmarks/identify.py --postgres --customers 1000000 --reuse
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import phonenumbers
from sqlalchemy import Engine, bindparam, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.parties.identification.matching import Identifier
from parley.parties.normalize import luhn_check_digit, search_text
from parley.settings import Settings

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TABLES = ("party", "customer", "party_key", "customer_account")
CHUNK = 20_000
WARMUP = 100

# (weight, person locales pooled for given names, for family names). Latin-script locales a
# German operator's customer base plausibly draws from; German-speaking names dominate.
LOCALES: list[tuple[float, tuple[str, ...], tuple[str, ...]]] = [
    (0.44, ("de_DE", "de_AT", "de_CH"), ("de_DE", "de_AT", "de_CH")),
    (0.08, ("pl_PL",), ("pl_PL",)),
    (0.07, ("en_GB", "en_US", "en_IE"), ("en_GB", "en_US", "en_IE")),
    (0.06, ("it_IT",), ("it_IT",)),
    (0.03, ("tr_TR",), ("tr_TR",)),
    (0.05, ("es_ES", "pt_PT"), ("es_ES", "pt_PT")),
    (0.05, ("hr_HR", "sl_SI"), ("hr_HR", "sl_SI")),
    (0.04, ("sk_SK", "cs_CZ"), ("sk_SK", "cs_CZ")),
    (0.04, ("nl_NL",), ("nl_NL",)),
    (0.04, ("fr_FR",), ("fr_FR",)),
    (0.04, ("fi_FI", "sv_SE", "da_DK"), ("fi_FI", "sv_SE", "da_DK")),
    (0.03, ("ro_RO", "hu_HU"), ("ro_RO", "hu_HU")),
    (0.03, ("et_EE", "lv_LV", "lt_LT"), ("et_EE", "lv_LV", "lt_LT")),
]
MAIL_DOMAINS = (
    "gmail.com",
    "web.de",
    "gmx.de",
    "t-online.de",
    "outlook.com",
    "yahoo.de",
    "icloud.com",
    "posteo.de",
    "freenet.de",
    "mail.de",
    "gmx.net",
    "arcor.de",
)
MOBILE_PREFIXES = (
    ("151", 8),
    ("152", 8),
    ("157", 8),
    ("159", 8),
    ("160", 7),
    ("162", 7),
    ("163", 7),
    ("170", 7),
    ("171", 7),
    ("172", 7),
    ("173", 7),
    ("174", 7),
    ("175", 7),
    ("176", 7),
    ("177", 7),
    ("178", 7),
    ("179", 7),
)
LANDLINE_PREFIXES = (
    ("30", 8),
    ("40", 8),
    ("89", 8),
    ("221", 7),
    ("69", 8),
    ("711", 7),
    ("211", 7),
    ("341", 7),
    ("351", 7),
    ("511", 7),
    ("911", 7),
    ("421", 7),
)
QWERTZ = ["qwertzuiop", "asdfghjkl", "yxcvbnm"]


# -- synthetic population -------------------------------------------------------------------


def _person_pool(locales: tuple[str, ...], attrs: tuple[str, ...]) -> list[str]:
    names: set[str] = set()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in attrs:
            names.update(n for n in getattr(provider, attr, ()) if n.replace("-", "").isalpha())
    return sorted(names)


def _cities() -> list[str]:
    cities: set[str] = set()
    for locale in ("de_DE", "de_AT"):
        cities.update(importlib.import_module(f"faker.providers.address.{locale}").Provider.cities)
    return sorted(cities)


@dataclass
class Rows:
    party: list[tuple] = field(default_factory=list)
    customer: list[tuple] = field(default_factory=list)
    party_key: list[tuple] = field(default_factory=list)
    customer_account: list[tuple] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(getattr(self, t)) for t in TABLES)


class Population:
    """Deterministic (by seed) customers: one Individual party, its keys, a customer, an account."""

    def __init__(self, seed: int, now: datetime):
        self.rng = random.Random(seed)
        self.now = now
        self.weights = [w for w, _, _ in LOCALES]
        self.given = [_person_pool(g, ("first_names",)) for _, g, _ in LOCALES]
        family_attrs = ("last_names", "unisex_last_names", "male_last_names")
        self.family = [_person_pool(f, family_attrs) for _, _, f in LOCALES]
        self.all_given = sorted({n for pool in self.given for n in pool})
        self.cities = _cities()
        self.streets = _person_pool(("de_DE",), ("last_names",))
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.numbers = iter(self.rng.sample(range(100_000_000, 1_000_000_000), 2_000_000))
        self.recycle: list[tuple[str, datetime]] = []  # numbers freed by disconnection
        self.fold_cache: dict[str, str] = {}
        self.key_id = 0
        self.account_id = 0

    def _name(self) -> tuple[str, str | None, str]:
        rng = self.rng
        group = rng.choices(range(len(LOCALES)), self.weights)[0]
        # Mixed heritage: a quarter of given names come from anywhere.
        pool = self.all_given if rng.random() < 0.25 else self.given[group]
        given = rng.choice(pool)
        middle = rng.choice(self.given[group]) if rng.random() < 0.18 else None
        family = rng.choice(self.family[group])
        if rng.random() < 0.07:
            family = f"{family}-{rng.choice(self.family[group])}"
        return given, middle, family

    def _folded(self, part: str) -> str:
        # search_text() word by word, cached: the same as search_text() of the whole for
        # parts that don't fold to nothing, and far fewer Unicode decompositions.
        folded = self.fold_cache.get(part)
        if folded is None:
            folded = self.fold_cache[part] = search_text(part)
        return folded

    def _phone(self, prefixes: tuple[tuple[str, int], ...]) -> str:
        while True:
            prefix, length = self.rng.choice(prefixes)
            subscriber = str(self.rng.randrange(10 ** (length - 1), 10**length))
            number = f"+49{prefix}{subscriber}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def _email(self, given: str, family: str) -> str:
        local = ".".join(self._folded(p).replace(" ", "") for p in (given, family))
        local = "".join(c for c in local if c.isascii() and (c.isalnum() or c == ".")) or "kunde"
        domain = self.rng.choice(MAIL_DOMAINS)
        email = f"{local}@{domain}"
        while email in self.emails:
            email = f"{local}{self.rng.randrange(1, 10_000)}@{domain}"
        self.emails.add(email)
        return email

    def _key(self, rows: Rows, party_id: str, kind: str, value: str, start, end) -> None:
        self.key_id += 1
        rows.party_key.append((self.key_id, party_id, None, kind, value, start, end))

    def chunk(self, count: int) -> Rows:
        rows, rng, now = Rows(), self.rng, self.now
        for _ in range(count):
            party_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            customer_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            given, middle, family = self._name()
            display = " ".join(p for p in (given, middle, family) if p)
            city = rng.choice(self.cities)
            created = now - timedelta(days=rng.uniform(30, 15 * 365))
            roll = rng.random()
            status = "disconnected" if roll < 0.05 else "suspended" if roll < 0.07 else "active"
            changed = created
            if status != "active":
                changed = created + (now - created) * rng.uniform(0.2, 0.9)

            media: list[dict] = []
            mobile, mobile_from, mobile_to = None, None, None
            if status == "active" and self.recycle and rng.random() < 0.2:
                mobile, freed = self.recycle.pop()  # a recycled number gets a new owner
                mobile_from = freed + timedelta(days=rng.uniform(90, 180))
                created = max(created, mobile_from)
                changed = created
            mobile = mobile or self._phone(MOBILE_PREFIXES)
            if status == "disconnected" and rng.random() < 0.2 and changed < now - timedelta(400):
                mobile_to = changed + timedelta(days=30)
                self.recycle.append((mobile, mobile_to))
            phone: dict = {
                "@type": "PhoneContactMedium",
                "contactType": "mobile",
                "preferred": True,
                "phoneNumber": mobile,
            }
            if mobile_from or mobile_to:
                phone["validFor"] = {
                    k: v.isoformat()
                    for k, v in (("startDateTime", mobile_from), ("endDateTime", mobile_to))
                    if v
                }
            media.append(phone)
            self._key(rows, party_id, "phone", mobile, mobile_from, mobile_to)
            if rng.random() < 0.15:
                landline = self._phone(LANDLINE_PREFIXES)
                media.append(
                    {"@type": "PhoneContactMedium", "contactType": "home", "phoneNumber": landline}
                )
                self._key(rows, party_id, "phone", landline, None, None)
            if rng.random() < 0.85:
                email = self._email(given, family)
                media.append({"@type": "EmailContactMedium", "emailAddress": email})
                self._key(rows, party_id, "email", email, None, None)
            media.append(
                {
                    "@type": "GeographicAddressContactMedium",
                    "preferred": True,
                    "street1": f"{rng.choice(self.streets)}straße {rng.randrange(1, 140)}",
                    "postCode": f"{rng.randrange(1000, 99999):05d}",
                    "city": city,
                    "country": "DE",
                }
            )

            party_doc = {
                "givenName": given,
                "familyName": family,
                "contactMedium": media,
                "@type": "Individual",
                "status": "validated",
            }
            if middle:
                party_doc["middleName"] = middle
            rows.party.append(
                (
                    party_id,
                    "Individual",
                    "validated",
                    display,
                    given,
                    family,
                    city,
                    " ".join(self._folded(p) for p in (given, middle, family, city) if p),
                    json.dumps(party_doc),
                    created,
                    created,
                )
            )

            body = str(next(self.numbers))
            number = body + luhn_check_digit(body)
            self.account_id += 1
            account = f"BA-{10_000_000 + self.account_id}"
            customer_doc = {
                "engagedParty": {
                    "@type": "PartyRef",
                    "id": party_id,
                    "@referredType": "Individual",
                    "name": display,
                },
                "name": display,
                "status": status,
                "@type": "Customer",
                "account": [
                    {
                        "@type": "AccountRef",
                        "id": account,
                        "name": "Billing account",
                        "@referredType": "BillingAccount",
                    }
                ],
                "validFor": {"startDateTime": created.isoformat()},
                "characteristic": [
                    {
                        "@type": "StringCharacteristic",
                        "name": "customerNumber",
                        "valueType": "string",
                        "value": number,
                    }
                ],
            }
            rows.customer.append(
                (
                    customer_id,
                    number,
                    party_id,
                    status,
                    display,
                    json.dumps(customer_doc),
                    created,
                    changed,
                    changed,
                )
            )
            rows.customer_account.append((self.account_id, customer_id, account))
        return rows


COLUMNS = {
    "party": (
        "id",
        "kind",
        "status",
        "display_name",
        "given_name",
        "family_name",
        "city",
        "search_text",
        "document",
        "created_at",
        "updated_at",
    ),
    "customer": (
        "id",
        "customer_number",
        "party_id",
        "status",
        "name",
        "document",
        "created_at",
        "updated_at",
        "status_changed_at",
    ),
    "party_key": ("id", "party_id", "customer_id", "kind", "value", "valid_from", "valid_to"),
    "customer_account": ("id", "customer_id", "account_ref"),
}


# -- loading -------------------------------------------------------------------------------


def _secondary_indexes_pg(conn) -> list[tuple[str, str]]:
    # Every table: triggers on party maintain tables of their own (the name search table).
    rows = conn.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        )
    ).all()
    return [(name, ddl) for name, ddl in rows]


def _secondary_indexes_sqlite(conn) -> list[tuple[str, str]]:
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join(repr(t) for t in TABLES)})"
    ).all()
    return [(name, ddl) for name, ddl in rows]


_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _copy_line(row: tuple) -> str:
    """One line of COPY text format (cheaper than psycopg's per-value write_row)."""
    values = []
    for value in row:
        if value is None:
            values.append("\\N")
        elif isinstance(value, str):
            for char, escaped in _COPY_ESCAPES:
                if char in value:
                    value = value.replace(char, escaped)
            values.append(value)
        elif isinstance(value, datetime):
            values.append(value.isoformat())
        else:
            values.append(str(value))
    return "\t".join(values) + "\n"


def _sqlite_value(value):
    # SQLAlchemy's SQLite DateTime format: naive UTC text.
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def load(engine: Engine, population: Population, customers: int) -> dict[str, float]:
    """Bulk-load with secondary indexes dropped and rebuilt after (as any bulk load would)."""
    postgres = engine.dialect.name == "postgresql"
    timings: dict[str, float] = {}
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        with engine.connect() as conn:
            indexes = (_secondary_indexes_pg if postgres else _secondary_indexes_sqlite)(conn)
            triggers = (
                []
                if postgres
                else conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type = 'trigger' AND tbl_name = 'party'"
                ).all()
            )
            conn.commit()
        driver = raw.driver_connection
        cursor = driver.cursor()
        if postgres:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("BEGIN")
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            for name, _ in triggers:  # the FTS index is rebuilt in one go afterwards
                cursor.execute(f'DROP TRIGGER "{name}"')
        rows_total, done = 0, 0
        while done < customers:
            rows = population.chunk(min(CHUNK, customers - done))
            done += min(CHUNK, customers - done)
            rows_total += rows.count()
            for table in TABLES:
                cols = COLUMNS[table]
                data = getattr(rows, table)
                if postgres:
                    # Skip foreign-key checks (the rows are consistent by construction) but
                    # let party's own triggers run, as they would for the service.
                    role = "DEFAULT" if table == "party" else "replica"
                    cursor.execute(f"SET session_replication_role = {role}")
                    with cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                        copy.write("".join(_copy_line(row) for row in data))
                else:
                    marks = ", ".join("?" for _ in cols)
                    cursor.executemany(
                        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                        [tuple(_sqlite_value(v) for v in row) for row in data],
                    )
            if postgres:
                driver.commit()
            print(f"\r  loaded {done:,} customers", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        timings["insert_s"] = time.perf_counter() - started
        mark = time.perf_counter()
        for _, ddl in indexes + triggers:
            cursor.execute(ddl)
        if not postgres:
            fts = cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%content=%party%'"
            ).fetchall()
            for (name,) in fts:
                cursor.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")
            cursor.execute("COMMIT")
        else:
            driver.commit()
        timings["index_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        if postgres:
            cursor.execute("SET session_replication_role = DEFAULT")
            driver.commit()
            driver.autocommit = True  # VACUUM: hint bits and visibility map, as in steady state
            cursor.execute("VACUUM ANALYZE")
            driver.autocommit = False
        else:
            cursor.execute("ANALYZE")
        timings["analyze_s"] = time.perf_counter() - mark
        timings["rows"] = rows_total
        timings["total_s"] = time.perf_counter() - started
        cursor.close()
    finally:
        raw.close()
    return timings


# -- queries -------------------------------------------------------------------------------


def _typo(name: str, rng: random.Random, edits: int) -> str:
    """``name`` with ``edits`` keyboard slips at distinct letters (still a different name)."""
    wanted = search_text(name)
    for _ in range(100):
        chars = list(name)
        letters = [i for i, c in enumerate(chars) if c.isascii() and c.isalpha()]
        for position in sorted(rng.sample(letters, min(edits, len(letters))), reverse=True):
            chars = _slip(chars, position, rng)
        result = "".join(chars)
        if search_text(result) != wanted and len(search_text(result)) >= 3:
            return result
    return name


def _slip(chars: list[str], i: int, rng: random.Random) -> list[str]:
    """One slip at letter ``i``: a neighbouring key, a dropped, doubled-up or swapped letter."""
    c = chars[i].lower()
    row = next((r for r in QWERTZ if c in r), "aeiou")
    j = row.index(c) if c in row else 0
    near = row[max(j - 1, 0) : j + 2].replace(c, "") or "e"
    cased = str.upper if chars[i].isupper() else str.lower
    kind = rng.choice(("substitute", "delete", "insert", "transpose"))
    if kind == "substitute":
        return chars[:i] + [cased(rng.choice(near))] + chars[i + 1 :]
    if kind == "delete" and sum(ch.isalpha() for ch in chars) > 4:
        return chars[:i] + chars[i + 1 :]
    if kind == "transpose" and i + 1 < len(chars) and chars[i + 1].isalpha():
        first, second = chars[i], chars[i + 1]
        second_cased = str.upper if second.isupper() else str.lower
        return chars[:i] + [cased(second), second_cased(first)] + chars[i + 2 :]
    return chars[: i + 1] + [rng.choice(near)] + chars[i + 1 :]


def _phone_format(e164: str, rng: random.Random) -> str:
    number = phonenumbers.parse(e164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    digits = national.replace(" ", "")
    return rng.choice(
        (
            national,  # 0171 2345678
            digits,  # 01712345678
            f"{digits[:4]}/{digits[4:]}",  # 0171/2345678
            f"({digits[:4]}) {digits[4:7]}-{digits[7:]}",  # (0171) 234-5678
            international,  # +49 171 2345678
            e164,  # +491712345678
            "00" + e164[1:],  # 00491712345678
            international.replace("+", "00"),  # 0049 171 2345678
        )
    )


def build_queries(engine: Engine, per_kind: int, seed: int) -> dict[str, list[tuple[str, str]]]:
    """(query, expected customer id) per kind, drawn deterministically from the loaded data."""
    rng = random.Random(seed + 1)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.id, c.customer_number, c.status, p.id, p.display_name, p.city "
                "FROM customer c JOIN party p ON p.id = c.party_id ORDER BY c.customer_number"
            )
        ).all()
        sample = rng.sample(rows, min(len(rows), per_kind * 4))
        party_ids = [r[3] for r in sample]
        keys: dict[tuple[str, str], str] = {}
        for start in range(0, len(party_ids), 500):
            for party_id, kind, value in conn.execute(
                text(
                    "SELECT party_id, kind, value FROM party_key WHERE valid_to IS NULL "
                    "AND party_id IN :ids ORDER BY id"
                ).bindparams(bindparam("ids", expanding=True)),
                {"ids": party_ids[start : start + 500]},
            ):
                keys.setdefault((party_id, kind), value)
    active = [r for r in sample if r[2] == "active"]
    queries: dict[str, list[tuple[str, str]]] = {
        "customer number": [
            (r[1] if rng.random() < 0.7 else f"{r[1][:3]} {r[1][3:6]} {r[1][6:]}", r[0])
            for r in sample[:per_kind]
        ],
        "phone": [
            (_phone_format(keys[(r[3], "phone")], rng), r[0])
            for r in sample
            if (r[3], "phone") in keys
        ][:per_kind],
        "email": [(keys[(r[3], "email")], r[0]) for r in sample if (r[3], "email") in keys][
            :per_kind
        ],
        "name, 1 typo": [(_typo(r[4], rng, 1), r[0]) for r in active[:per_kind]],
        "name, 2 typos": [(_typo(r[4], rng, 2), r[0]) for r in active[per_kind : 2 * per_kind]],
        "name + city, 1 typo": [
            (f"{_typo(r[4], rng, 1)} {r[5]}", r[0]) for r in active[2 * per_kind : 3 * per_kind]
        ],
    }
    return queries


@dataclass
class Result:
    kind: str
    latencies_ms: list[float]
    hits_top1: int
    hits_top3: int

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)]


def measure(engine: Engine, settings: Settings, queries: dict[str, list[tuple[str, str]]]):
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def run(query: str) -> tuple[float, list[str]]:
        with factory() as session:
            started = time.perf_counter()
            found = Identifier(UnitOfWork(session, settings)).identify(query)
            # The API's unit of work ends in a commit. (A rollback would also make psycopg
            # forget its prepared statements, so every query would be planned anew.)
            session.commit()
            elapsed = (time.perf_counter() - started) * 1000
            return elapsed, [c.customer.id if c.customer else "" for c in found]

    warm = [q for kind in queries.values() for q, _ in kind[: WARMUP // len(queries)]]
    for query in warm:
        run(query)
    results = []
    for kind, items in queries.items():
        result = Result(kind, [], 0, 0)
        for query, expected in items:
            elapsed, ids = run(query)
            result.latencies_ms.append(elapsed)
            result.hits_top1 += ids[:1] == [expected]
            result.hits_top3 += expected in ids[:3]
        results.append(result)
        print(f"  measured {kind}", file=sys.stderr, flush=True)
    return results


def report(results: list[Result], timings: dict | None, label: str) -> str:
    lines = [f"### {label}", ""]
    if timings:
        lines.append(
            f"Load: {timings['total_s']:.1f} s total ({timings['insert_s']:.1f} s insert, "
            f"{timings['index_s']:.1f} s indexes, {timings['analyze_s']:.1f} s vacuum/analyze); "
            f"{timings['rows']:,} rows, {timings['rows'] / timings['total_s']:,.0f} rows/s "
            f"({timings['customers'] / timings['total_s']:,.0f} customers/s)."
        )
        lines.append("")
    lines += [
        "| query | n | median ms | p95 ms | p99 ms | max ms | right one first | in top 3 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        n = len(r.latencies_ms)
        lines.append(
            f"| {r.kind} | {n} | {statistics.median(r.latencies_ms):.2f} | "
            f"{r.percentile(95):.2f} | {r.percentile(99):.2f} | {max(r.latencies_ms):.2f} | "
            f"{100 * r.hits_top1 / n:.1f}% | {100 * r.hits_top3 / n:.1f}% |"
        )
    return "\n".join(lines)


# -- databases -----------------------------------------------------------------------------


def prepare_database(args) -> tuple[str, bool]:
    """The database URL to use and whether it already holds the population (--reuse)."""
    if args.postgres:
        server = make_url(args.postgres_server)
        name = f"parley_bench_{args.customers}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            url = server.set(database=name).render_as_string(hide_password=False)
            if exists and args.reuse and _populated(url, args.customers):
                admin.dispose()
                return url, True
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return url, False
    url = args.database_url or f"sqlite:////tmp/parley_bench_{args.customers}.db"
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = Path(parsed.database)
        if path.exists() and args.reuse and _populated(url, args.customers):
            return url, True
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return url, False
    return url, args.reuse and _populated(url, args.customers)


def _populated(url: str, customers: int) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM customer")) == customers
    except Exception:
        return False
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file under /tmp")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="create database parley_bench_<customers> on --postgres-server",
    )
    parser.add_argument("--postgres-server", default=PG_SERVER)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an existing database that already holds --customers customers",
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000, help="queries per kind")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if not 1000 <= args.customers <= 1_000_000:
        parser.error("--customers must be between 1,000 and 1,000,000")

    url, reused = prepare_database(args)
    engine = build_engine(url)
    print(f"database: {make_url(url).render_as_string(hide_password=True)}", file=sys.stderr)
    upgrade(engine)  # also brings a reused database to the current revision
    timings = None
    if not reused:
        population = Population(args.seed, datetime.now(UTC))
        timings = load(engine, population, args.customers)
        timings["customers"] = args.customers
    queries = build_queries(engine, args.queries, args.seed)
    settings = Settings(database_url=url, default_phone_region="DE", _env_file=None)
    load_before = os.getloadavg()[0]
    results = measure(engine, settings, queries)
    label = f"{engine.dialect.name}, {args.customers:,} customers"
    print(report(results, timings, label))
    print(
        f"\n{os.cpu_count()} cores; load average {load_before:.2f} before measuring, "
        f"{os.getloadavg()[0]:.2f} after; {args.queries} queries per kind, seed {args.seed}."
    )
    engine.dispose()


if __name__ == "__main__":
    main()
