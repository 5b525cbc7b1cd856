"""Retry delays: exponential ceilings, full jitter below them, capped."""

import random
from datetime import timedelta

import pytest

from parley.outbox.backoff import backoff_ceiling, retry_delay


def test_the_ceiling_doubles_per_attempt_up_to_the_cap():
    ceilings = [backoff_ceiling(n, base=2.0, max_delay=60.0) for n in range(1, 8)]

    assert ceilings == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert backoff_ceiling(10_000, base=2.0, max_delay=60.0) == 60.0  # no overflow


@pytest.mark.parametrize("attempt", [1, 3, 6, 50])
def test_delays_are_spread_over_the_whole_range_below_the_ceiling(attempt):
    rng = random.Random(1)
    ceiling = timedelta(seconds=backoff_ceiling(attempt, 1.0, 30.0))
    delays = [retry_delay(attempt, 1.0, 30.0, rng) for _ in range(2000)]

    assert all(timedelta(0) <= delay <= ceiling for delay in delays)
    # Full jitter: some retries come early, some late, not all at the same moment.
    assert min(delays) < ceiling * 0.05
    assert max(delays) > ceiling * 0.95
    assert len(set(delays)) > 1900
