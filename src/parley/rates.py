"""Rates as an operator writes them: ``30/minute``, ``10/15 minutes``, ``30/minute, 300/hour``.

A rate is at most ``limit`` events in a window of ``seconds``; a setting may hold several
(each must hold), or none (empty: no limit). Parsed here, below the settings, so that a bad
value stops Parley at start (``parley.settings``) and the rate limiter (``parley.ratelimit``)
reads the same thing. Imports nothing of Parley.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"(\d+)\s*(?:/|per)\s*(\d+)?\s*(second|minute|hour|day)s?", re.IGNORECASE)
LONGEST_WINDOW = 7 * 86400


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    def __str__(self) -> str:
        for unit, length in reversed(UNITS.items()):
            if self.seconds % length == 0:
                count = self.seconds // length
                return f"{self.limit}/{unit}" if count == 1 else f"{self.limit}/{count} {unit}s"
        return f"{self.limit}/{self.seconds} seconds"  # pragma: no cover - seconds divide all


@lru_cache(maxsize=256)
def parse_rates(text: str) -> tuple[Rate, ...]:
    """The rates of ``text`` (comma- or semicolon-separated); ValueError naming a bad one."""
    found = []
    for part in re.split(r"[,;]", text or ""):
        if not part.strip():
            continue
        match = _RATE.fullmatch(part.strip())
        if match is None:
            raise ValueError(
                f"{part.strip()!r} is not a rate: write e.g. 30/minute or 10/15 minutes "
                "(units: second, minute, hour, day)"
            )
        limit, count, unit = int(match[1]), int(match[2] or 1), match[3].lower()
        seconds = count * UNITS[unit]
        if limit < 1 or not 1 <= seconds <= LONGEST_WINDOW:
            raise ValueError(f"{part.strip()!r}: at least 1 event, a window of 1 s to 7 days")
        found.append(Rate(limit, seconds))
    return tuple(found)


def describe(rates: tuple[Rate, ...]) -> str:
    return ", ".join(str(rate) for rate in rates) or "no limit"
