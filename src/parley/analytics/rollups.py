"""A day's roll-ups from its facts: one row per combination of dimensions that occurs, with
counts, sums and histograms. Made in Python from the day's facts (a few thousand rows at
most), so both databases make them alike."""

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
INTERACTION_DIMENSIONS = ("direction", "channel", "reason_code", "segment", "area")
# Histogram name -> the fact's duration it counts.
DURATIONS = {
    "resolution": "resolution_seconds",
    "resolutionBusiness": "resolution_business_seconds",
    "firstResponse": "first_response_seconds",
    "firstResponseBusiness": "first_response_business_seconds",
}


def first_touch(fact) -> bool:
    """Closed completed at the first touch: never reopened, never handed to a team's queue."""
    return fact["outcome"] == "completed" and not fact["reopens"] and not fact["tasks"]


def request_rollups(day, facts) -> list[dict]:
    groups: dict[tuple, dict] = {}
    for fact in facts:
        key = tuple(fact[name] for name in REQUEST_DIMENSIONS)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "day": day,
                **dict(zip(REQUEST_DIMENSIONS, key, strict=True)),
                "closed": 0,
                "reopened": 0,
                "first_touch": 0,
                "sla_due": 0,
                "sla_met": 0,
                "resolution_seconds": 0.0,
                "first_response_seconds": 0.0,
                "histograms": {name: histogram.empty() for name in DURATIONS},
            }
        group["closed"] += 1
        group["reopened"] += 1 if fact["reopens"] else 0
        group["first_touch"] += 1 if first_touch(fact) else 0
        if fact["sla_met"] is not None:
            group["sla_due"] += 1
            group["sla_met"] += 1 if fact["sla_met"] else 0
        group["resolution_seconds"] += fact["resolution_seconds"] or 0.0
        group["first_response_seconds"] += fact["first_response_seconds"] or 0.0
        for name, column in DURATIONS.items():
            histogram.add(group["histograms"][name], fact[column])
    for group in groups.values():
        group["histograms"] = {
            name: histogram.sparse(counts) for name, counts in group["histograms"].items()
        }
    return list(groups.values())


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
