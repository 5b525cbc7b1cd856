"""Durations as bucket counts, so that percentiles come from the daily roll-ups on both
databases (SQLite has no percentile function) and days add up by adding their counts.

Bucket 0 holds [0, 60 s); bucket k ≥ 1 holds [60·1.2^(k-1), 60·1.2^k) seconds, up to about
a year; the last bucket takes anything longer. A percentile read from the buckets lies in the
same bucket as the exact one, so it is within 20 % of it (interpolated linearly inside).
"""

import math
from bisect import bisect_right
from collections.abc import Iterable

FIRST_EDGE, RATIO = 60.0, 1.2
BUCKETS = 76  # 60 s · 1.2^74 ≈ 420 days
EDGES = [0.0] + [FIRST_EDGE * RATIO**k for k in range(BUCKETS - 1)]


def empty() -> list[int]:
    return [0] * BUCKETS


def bucket_of(seconds: float) -> int:
    return max(0, min(BUCKETS - 1, bisect_right(EDGES, max(seconds, 0.0)) - 1))


def add(counts: list[int], seconds: float | None) -> None:
    if seconds is not None:
        counts[bucket_of(seconds)] += 1


def sparse(counts: list[int]) -> dict[str, int]:
    """As stored in a roll-up: only the buckets that hold something (JSON keys are text)."""
    return {str(index): count for index, count in enumerate(counts) if count}


def merged(histograms: Iterable[dict[str, int]]) -> list[int]:
    """The dense sum of stored (sparse) histograms. Summed by their text keys, turned into
    numbers once at the end: this loop is most of a quarter's analysis."""
    summed: dict[str, int] = {}
    known = summed.get
    for counts in histograms:
        for index, count in counts.items():
            summed[index] = known(index, 0) + count
    total = empty()
    for index, count in summed.items():
        total[int(index)] = count
    return total


def percentile(counts: list[int], fraction: float) -> float | None:
    """The ``fraction`` quantile (0.5: the median) of the durations counted; None if none.
    The rank is the nearest-rank one, ceil(fraction·n); inside its bucket the value is
    interpolated between the bucket's edges."""
    total = sum(counts)
    if total == 0:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= rank:
            low = EDGES[index]
            high = EDGES[index + 1] if index + 1 < BUCKETS else low * RATIO
            return low + (high - low) * (rank - seen - 0.5) / count
        seen += count
    return None


def exact_percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank quantile of ``values``, for drill-downs and the tests."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]
