"""A day's roll-ups from its facts, and a month's from its days: one row per combination of
the dimensions of each **cuboid** that occurs, with counts, sums and histograms. Made in
Python, so both databases make them alike.

All the dimensions at once barely compress (nearly every request is a combination of its
own); the cuboids below each keep a few, so that a quarter's analysis reads a few hundred or
thousand month rows. An analysis is answered from the smallest cuboid holding every dimension
it groups and filters by; ``full`` (all of them, days only) answers the rest, more slowly.
"""

from operator import itemgetter

from parley.analytics import histogram

REQUEST_DIMENSIONS = (
    "type_code",
    "category",
    "channel",
    "reason_code",
    "outcome",
    "resolution_code",
    "segment",
    "area",
    "team",
)
CUBOIDS: dict[str, tuple[str, ...]] = {
    "core": ("type_code", "category", "channel", "reason_code", "outcome"),
    "detail": ("type_code", "category", "outcome", "resolution_code", "segment", "team"),
    "area": ("area", "reason_code", "type_code", "category", "outcome"),
    "full": REQUEST_DIMENSIONS,
}
DAYS_ONLY = ("full",)  # kept by day only: a month of it is about as big as its facts
COUNTS = ("closed", "reopened", "first_touch", "sla_due", "sla_met")
SUMS = ("resolution_seconds", "first_response_seconds")
INTERACTION_DIMENSIONS = ("direction", "channel", "reason_code", "segment")
# Histogram name -> the fact's duration it counts.
DURATIONS = {
    "resolution": "resolution_seconds",
    "resolutionBusiness": "resolution_business_seconds",
    "firstResponse": "first_response_seconds",
    "firstResponseBusiness": "first_response_business_seconds",
}
# The fact columns a day's roll-up reads.
ROLLED_UP = tuple(
    dict.fromkeys((*REQUEST_DIMENSIONS, "reopens", "tasks", "sla_met", *SUMS, *DURATIONS.values()))
)


def first_touch(fact) -> bool:
    """Closed completed at the first touch: never reopened, never handed to a team's queue."""
    return fact["outcome"] == "completed" and not fact["reopens"] and not fact["tasks"]


def cuboid_for(dimensions) -> str:
    """The smallest cuboid holding every one of ``dimensions`` (fact column names)."""
    needed = set(dimensions)
    return next(name for name, kept in CUBOIDS.items() if needed <= set(kept))


def request_rollups(day, facts) -> list[dict]:
    """The day's rows of every cuboid. What a fact adds (its counts, sums and buckets) is
    worked out once and added to its group in each cuboid: a rebuild rolls up every fact."""
    groups: dict[tuple, tuple[list, list, dict]] = {}
    pickers = [(cuboid, itemgetter(*kept)) for cuboid, kept in CUBOIDS.items()]
    for fact in facts:
        counts = _counts(fact)
        sums = (fact["resolution_seconds"] or 0.0, fact["first_response_seconds"] or 0.0)
        buckets = [
            (name, str(histogram.bucket_of(fact[column])))
            for name, column in DURATIONS.items()
            if fact[column] is not None
        ]
        for cuboid, pick in pickers:
            key = (cuboid, pick(fact))
            group = groups.get(key)
            if group is None:
                group = groups[key] = ([0] * len(COUNTS), [0.0] * len(SUMS), {})
                group[2].update({name: {} for name in DURATIONS})
            counted, summed, histograms = group
            for index, count in enumerate(counts):
                counted[index] += count
            summed[0] += sums[0]
            summed[1] += sums[1]
            for name, bucket in buckets:
                counts_of = histograms[name]
                counts_of[bucket] = counts_of.get(bucket, 0) + 1
    rows = []
    for (cuboid, values), (counted, summed, histograms) in groups.items():
        kept = dict(zip(CUBOIDS[cuboid], values if len(CUBOIDS[cuboid]) > 1 else (values,),
                        strict=True))  # fmt: skip
        row = _empty(cuboid, "day", day, [kept.get(name) for name in REQUEST_DIMENSIONS])
        row.update(zip(COUNTS, counted, strict=True))
        row.update(zip(SUMS, summed, strict=True))
        row["histograms"] = histograms
        rows.append(_sparse(row))
    return rows


def month_rollups(month, days) -> list[dict]:
    """A month's rows (``month``: its first day) from its day rows, for each cuboid kept by
    month."""
    groups: dict[tuple, dict] = {}
    for row in days:
        if row["cuboid"] in DAYS_ONLY:
            continue
        key = (row["cuboid"], *(row[name] for name in REQUEST_DIMENSIONS))
        group = groups.get(key)
        if group is None:
            group = groups[key] = _empty(row["cuboid"], "month", month, key[1:])
        for name in (*COUNTS, *SUMS):
            group[name] += row[name]
        for name, counts in row["histograms"].items():
            mine = group["histograms"][name]
            for index, count in counts.items():
                mine[index] = mine.get(index, 0) + count
    return [_sparse(group) for group in groups.values()]


def _empty(cuboid: str, span: str, day, values) -> dict:
    return {
        "cuboid": cuboid,
        "span": span,
        "day": day,
        **dict(zip(REQUEST_DIMENSIONS, values, strict=True)),
        **dict.fromkeys(COUNTS, 0),
        **dict.fromkeys(SUMS, 0.0),
        # Kept sparse, by the stored text keys, while counting: most groups hold a few
        # requests, and a dense list per histogram cost more than the counting.
        "histograms": {name: {} for name in DURATIONS},
    }


def _counts(fact) -> tuple[int, ...]:
    """What ``fact`` adds to each of COUNTS."""
    due = fact["sla_met"] is not None
    return (
        1,
        1 if fact["reopens"] else 0,
        1 if first_touch(fact) else 0,
        1 if due else 0,
        1 if due and fact["sla_met"] else 0,
    )


def _sparse(group: dict) -> dict:
    """The group as stored: each histogram's buckets in their order (histogram.sparse's)."""
    group["histograms"] = {
        name: {index: counts[index] for index in sorted(counts, key=int)}
        for name, counts in group["histograms"].items()
    }
    return group


def interaction_rollups(day, facts) -> list[dict]:
    groups: dict[tuple, dict] = {}
    for fact in facts:
        key = tuple(fact[name] for name in INTERACTION_DIMENSIONS)
        group = groups.setdefault(
            key,
            {
                "day": day,
                **dict(zip(INTERACTION_DIMENSIONS, key, strict=True)),
                "contacts": 0,
                "self_service": 0,
            },
        )
        group["contacts"] += 1
        group["self_service"] += 1 if fact["self_service"] else 0
    return list(groups.values())


def contact_hours(day, facts) -> list[dict]:
    """Inbound contacts with a reason and an area, per hour: what problem detection counts."""
    counts: dict[tuple, int] = {}
    for fact in facts:
        if fact["direction"] != "inbound" or not fact["reason_code"] or not fact["area"]:
            continue
        hour = fact["started_at"].replace(minute=0, second=0, microsecond=0)
        key = (hour, fact["reason_code"], fact["area"])
        counts[key] = counts.get(key, 0) + 1
    return [
        {"day": day, "hour": hour, "reason_code": reason, "area": area, "contacts": count}
        for (hour, reason, area), count in counts.items()
    ]
