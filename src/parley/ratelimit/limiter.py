"""Rate limits and exponential delays that hold across every API process: counters in the
database (``rate_counter``), on SQLite and PostgreSQL alike.

Two tools, for any edge or domain (log-in, verification, identification; the portal's
one-time codes next):

- **Windows** (``hit``, ``peek``, ``give_back``): at most ``limit`` events of a subject per
  window of a rate (``parley.rates``: ``30/minute, 300/hour``). Fixed windows: the window's
  number is part of the counter's key, and a hit is one atomic ``INSERT ... ON CONFLICT DO
  UPDATE ... RETURNING``, so concurrent hits from any number of processes are each counted
  exactly once and no more than ``limit`` pass per window. (A burst may straddle two windows:
  at most twice the limit within one window's length.) A refused hit is remembered by this
  process until its window ends, so a caller hammering a closed window costs no database work.
- **Delays** (``strike``, ``waiting``, ``clear``): failures of a subject in a row; after
  ``Backoff.free`` of them each further one makes the subject wait, twice as long each time up
  to a cap, and the count is forgotten after a quiet ``Backoff.memory``.

Plus marks (``remember``, ``remembered``): a subject seen, for a while (a source a user signed
in from). Subjects are hashed into the key, parts separated, so ``forget`` can drop every
counter under a first part (all of one username's).

Transactions: a write in a session with no transaction open runs in a short one of its own,
committed at once (on PostgreSQL without waiting for the disk: a counter lost to a crash
costs nothing), so a hot counter's row is locked for one statement, not for the caller's
work. In a session with a transaction open it is part of that transaction (committed or
rolled back with it): call ``hit`` first where that matters.
"""

import hashlib
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, text, update
from sqlalchemy.orm import Session

from parley.db.base import utcnow
from parley.db.upsert import upsert
from parley.ratelimit.models import RateCounter
from parley.rates import Rate

_TABLE = RateCounter.__table__
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")
MEMORY_ENTRIES = 10_000


@dataclass(frozen=True)
class Verdict:
    """What a hit (or a peek) found. ``retry_after``: whole seconds until a refused caller
    may try again. ``first``: this hit is the first refused in its window (record it once,
    not every refusal); ``full``: this hit took the last one its window allows."""

    allowed: bool
    retry_after: int = 0
    exceeded: Rate | None = None
    first: bool = False
    full: bool = False
    keys: tuple[str, ...] = ()


ALLOWED = Verdict(True)


def counter_key(scope: str, *subject: str) -> str:
    """``scope:<hash>:<hash>``: each part of the subject hashed on its own (``forget`` by the
    first part), none stored as given."""
    return ":".join([scope, *(_digest(part) for part in subject)])


def _digest(part: str) -> str:
    return hashlib.sha256(part.encode("utf-8", "surrogatepass")).hexdigest()[:24]


# -- windows --------------------------------------------------------------------------------


def hit(session: Session, rates: tuple[Rate, ...], scope: str, *subject: str) -> Verdict:
    """Count one event of ``subject`` in each rate's current window; refused if any window
    now holds more than its limit (the refused event counts too)."""
    if not rates:
        return ALLOWED
    now = utcnow()
    windows = _windows(rates, now, scope, subject)
    keys = tuple(key for _, key, _ in windows)
    remembered = _REFUSED.refused(keys, now)
    if remembered is not None:
        end, rate = remembered
        return Verdict(False, _seconds_until(end, now), rate, keys=keys)
    with _own_transaction(session):
        counted = [(rate, key, end, _count_one(session, key, end)) for rate, key, end in windows]
    full = any(n == rate.limit for rate, _, _, n in counted)
    refused = [(rate, key, end, n) for rate, key, end, n in counted if n > rate.limit]
    if not refused:
        return Verdict(True, full=full, keys=keys)
    for refused_rate, key, end, _ in refused:
        _REFUSED.remember(key, end, refused_rate)
    rate, _, end, _ = max(refused, key=lambda found: found[2])
    first = any(n == refused_rate.limit + 1 for refused_rate, _, _, n in refused)
    return Verdict(False, _seconds_until(end, now), rate, first=first, full=full, keys=keys)


def peek(session: Session, rates: tuple[Rate, ...], scope: str, *subject: str) -> Verdict:
    """Would one more event be refused? (Counts nothing.)"""
    if not rates:
        return ALLOWED
    now = utcnow()
    windows = _windows(rates, now, scope, subject)
    keys = [key for _, key, _ in windows]
    counts = dict(
        session.execute(select(_TABLE.c.key, _TABLE.c.hits).where(_TABLE.c.key.in_(keys))).all()
    )
    closed = [(rate, end) for rate, key, end in windows if counts.get(key, 0) >= rate.limit]
    if not closed:
        return ALLOWED
    rate, end = max(closed, key=lambda found: found[1])
    return Verdict(False, _seconds_until(end, now), rate, keys=tuple(keys))


def give_back(session: Session, verdict: Verdict) -> None:
    """Undo an allowed hit (it turned out not to be what is limited: a log-in that succeeded)."""
    if verdict.keys:
        session.execute(
            update(_TABLE)
            .where(_TABLE.c.key.in_(verdict.keys), _TABLE.c.hits > 0)
            .values(hits=_TABLE.c.hits - 1)
        )


def _windows(rates, now: datetime, scope: str, subject) -> list[tuple[Rate, str, datetime]]:
    base = counter_key(scope, *subject)
    epoch = now.timestamp()
    found = []
    for rate in rates:
        number = int(epoch // rate.seconds)
        end = datetime.fromtimestamp((number + 1) * rate.seconds, now.tzinfo)
        found.append((rate, f"{base}@{rate.seconds}:{number}", end))
    return found


def _count_one(session: Session, key: str, expires_at: datetime) -> int:
    statement = upsert(
        session,
        _TABLE,
        {"key": key, "hits": 1, "expires_at": expires_at},
        {"hits": _TABLE.c.hits + 1},
        [_TABLE.c.key],
    ).returning(_TABLE.c.hits)
    return session.execute(statement).scalar_one()


def _seconds_until(end: datetime, now: datetime) -> int:
    return max(1, math.ceil((end - now).total_seconds()))


# -- delays ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backoff:
    """``free`` failures in a row cost nothing; the next makes the subject wait
    ``first_wait`` seconds, each further one twice as long, at most ``longest_wait``; after
    ``memory`` seconds without a failure the count starts again."""

    free: int
    first_wait: int
    longest_wait: int
    memory: int

    def wait_after(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return min(self.longest_wait, self.first_wait * 2 ** min(failures - self.free, 30))


def strike(session: Session, backoff: Backoff, scope: str, *subject: str) -> tuple[int, int]:
    """One more failure of ``subject``: (its failures in a row, the seconds it must now wait
    before the next try; 0: none)."""
    now = utcnow()
    key = counter_key(scope, *subject)
    forgotten_at = now + timedelta(seconds=max(backoff.memory, backoff.longest_wait))
    with _own_transaction(session):
        statement = upsert(
            session,
            _TABLE,
            {"key": key, "hits": 1, "expires_at": forgotten_at},
            {
                "hits": case((_TABLE.c.expires_at <= now, 1), else_=_TABLE.c.hits + 1),
                "expires_at": forgotten_at,
            },
            [_TABLE.c.key],
        ).returning(_TABLE.c.hits)
        failures = session.execute(statement).scalar_one()
        wait = backoff.wait_after(failures)
        until = now + timedelta(seconds=wait) if wait else None
        session.execute(update(_TABLE).where(_TABLE.c.key == key).values(until=until))
    return failures, wait


def waiting(session: Session, scope: str, *subject: str) -> int:
    """Seconds ``subject`` must still wait after its failures (0: none)."""
    now = utcnow()
    until = session.scalar(
        select(_TABLE.c.until).where(
            _TABLE.c.key == counter_key(scope, *subject), _TABLE.c.expires_at > now
        )
    )
    return _seconds_until(until, now) if until is not None and until > now else 0


def clear(session: Session, scope: str, *subject: str) -> None:
    """Forget ``subject``'s failures (it succeeded)."""
    session.execute(delete(_TABLE).where(_TABLE.c.key == counter_key(scope, *subject)))


# -- marks ----------------------------------------------------------------------------------


def remember(session: Session, seconds: int, scope: str, *subject: str) -> None:
    """Mark ``subject`` as seen, for ``seconds`` from now."""
    expires_at = utcnow() + timedelta(seconds=seconds)
    key = counter_key(scope, *subject)
    session.execute(
        upsert(
            session,
            _TABLE,
            {"key": key, "hits": 1, "expires_at": expires_at},
            {"expires_at": expires_at},
            [_TABLE.c.key],
        )
    )


def remembered(session: Session, scope: str, *subject: str) -> bool:
    key = counter_key(scope, *subject)
    found = session.scalar(
        select(_TABLE.c.key).where(_TABLE.c.key == key, _TABLE.c.expires_at > utcnow())
    )
    return found is not None


# -- housekeeping ---------------------------------------------------------------------------


def forget(session: Session, scope: str, *subject: str) -> None:
    """Drop every counter, delay and mark of ``scope`` whose subject starts with ``subject``
    (e.g. all of one username's, whatever the address)."""
    prefix = counter_key(scope, *subject)
    _REFUSED.drop(prefix)
    session.execute(
        delete(_TABLE).where(
            or_(
                _TABLE.c.key == prefix,
                _TABLE.c.key.startswith(prefix + ":", autoescape=True),
                _TABLE.c.key.startswith(prefix + "@", autoescape=True),
            )
        )
    )


def purge_expired(session: Session) -> int:
    """Delete the rows that mean nothing any more; how many."""
    result = session.execute(delete(_TABLE).where(_TABLE.c.expires_at <= utcnow()))
    return result.rowcount or 0


def forget_refusals() -> None:
    """Empty this process's memory of refused windows (tests; nothing else needs it)."""
    _REFUSED.clear()


@contextmanager
def _own_transaction(session: Session) -> Iterator[None]:
    if session.in_transaction():
        yield
        return
    with session.begin():
        if session.get_bind().dialect.name == "postgresql":
            session.execute(_ASYNC_COMMIT)
        yield


class _Refusals:
    """This process's memory of windows known to be closed: key -> (the window's end, its
    rate)."""

    def __init__(self) -> None:
        self._until: dict[str, tuple[datetime, Rate]] = {}
        self._lock = threading.Lock()

    def refused(self, keys, now: datetime) -> tuple[datetime, Rate] | None:
        closed = [found for found in map(self._until.get, keys) if found and found[0] > now]
        return max(closed, key=lambda found: found[0]) if closed else None

    def remember(self, key: str, end: datetime, rate: Rate) -> None:
        with self._lock:
            if len(self._until) >= MEMORY_ENTRIES:
                self._until.clear()  # rare: costs a database hit per caller, nothing more
            self._until[key] = (end, rate)

    def drop(self, prefix: str) -> None:
        with self._lock:
            for key in [key for key in self._until if key.startswith(prefix)]:
                del self._until[key]

    def clear(self) -> None:
        with self._lock:
            self._until.clear()


_REFUSED = _Refusals()
