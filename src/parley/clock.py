"""Where every "now" in Parley comes from (``parley.db.base.utcnow`` asks here).

In production it is the system clock. Tests (and an end-to-end run through the HTTP API)
install a ``ShiftedClock`` to make hours pass at once: an SLA deadline, a token's expiry or an
outbox message's retry time then comes without sleeping. A shifted clock keeps ticking with
the system clock, so timestamps taken one after the other still differ and sort in order.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock(SystemClock):
    """The system clock moved by an offset that ``advance`` and ``set`` change."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self._lock = threading.Lock()  # the API's threads and a test's thread read it

    def now(self) -> datetime:
        with self._lock:
            return super().now() + self.offset

    def advance(self, **delta: float) -> datetime:
        """Move time on, e.g. ``advance(hours=5)``; returns the new now."""
        step = timedelta(**delta)
        if step < timedelta(0):
            raise ValueError("time only moves forward")
        with self._lock:
            self.offset += step
        return self.now()

    def set(self, moment: datetime) -> None:
        """Make it ``moment`` now (an aware datetime), ticking on from there."""
        if moment.tzinfo is None:
            raise ValueError("an aware datetime, please")
        with self._lock:
            self.offset = moment - super().now()


_current: SystemClock = SystemClock()


def now() -> datetime:
    return _current.now()


@contextmanager
def shifted() -> Iterator[ShiftedClock]:
    """Install a shifted clock for the duration of the block (tests), then the one before."""
    global _current
    before, _current = _current, ShiftedClock()
    try:
        yield _current
    finally:
        _current = before
