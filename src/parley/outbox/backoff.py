"""When to try a failed delivery again: exponential backoff with full jitter.

The n-th retry waits a uniformly random time between 0 and min(max_delay, base * 2**(n-1)).
The randomness spreads the retries of many messages that failed together (a receiver that was
down) instead of sending them back all at once when it returns.
"""

import random
from datetime import timedelta


def backoff_ceiling(attempt: int, base: float, max_delay: float) -> float:
    """The longest wait after failed attempt number ``attempt`` (1 for the first)."""
    exponent = min(attempt - 1, 63)  # 2**63 seconds is beyond any max_delay already
    return min(max_delay, base * 2.0**exponent)


def retry_delay(
    attempt: int, base: float, max_delay: float, rng: random.Random | None = None
) -> timedelta:
    ceiling = backoff_ceiling(attempt, base, max_delay)
    return timedelta(seconds=(rng or random).uniform(0, ceiling))
