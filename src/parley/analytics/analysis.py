"""Reading the analysis: the closed-request analysis (from the roll-ups) with its drill-down
(the facts behind a number), and the KPIs. Definitions: docs/analytics.md."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from parley.analytics import histogram
from parley.analytics.models import RequestRollup
from parley.analytics.repository import FACTS, AnalyticsRepository
from parley.analytics.rollups import DURATIONS, cuboid_for, first_touch
from parley.changes import UnitOfWork
from parley.channels.outcomes import session_outcomes
from parley.db.repository import Page
from parley.errors import InvalidInput
from parley.parties.service import PartyService
from parley.requests.surveys import SurveyResults, SurveyService

# The dimensions one may group and filter the analysis by (API name -> fact column).
DIMENSIONS = {
    "type": "type_code",
    "category": "category",
    "channel": "channel",
    "reason": "reason_code",
    "outcome": "outcome",
    "resolutionCode": "resolution_code",
    "segment": "segment",
    "area": "area",
    "team": "team",
}
PERIODS = ("day", "week", "month", "quarter")
AGE_BUCKETS = ((1, "<1d"), (3, "1-3d"), (7, "3-7d"), (30, "7-30d"), (None, ">30d"))
REPEAT_WINDOWS = (7, 30)
CONTAINMENT_HOURS = 24
SESSION_CHANNELS = ("ivr", "ussd")  # whose sessions a caller can abandon
SATISFIED = (4, 5)  # the ratings (of 1 to 5) that count as satisfied
MAX_PERIOD_DAYS = 3660


@dataclass(frozen=True)
class Period:
    """Days [start, end), UTC."""

    start: date
    end: date

    @classmethod
    def of(cls, start: date, end: date) -> "Period":
        if end <= start:
            raise InvalidInput("to: the period must end after it starts", "to")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise InvalidInput(f"to: a period of at most {MAX_PERIOD_DAYS} days", "to")
        return cls(start, end)

    def moments(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.start, time(), UTC),
            datetime.combine(self.end, time(), UTC),
        )


class AnalyticsReader:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = AnalyticsRepository(uow.session)

    # -- closed-request analysis ----------------------------------------------------------

    def closed_requests(
        self, period: Period, group_by: list[str], filters: dict[str, str], by_period=None
    ) -> list[dict]:
        """Completed versus unfulfilled per group, with times and SLA compliance."""
        columns = [_dimension(name) for name in group_by]
        if by_period is not None and by_period not in PERIODS:
            raise InvalidInput(f"period: one of {', '.join(PERIODS)}", "period")
        cuboid = cuboid_for(columns + [_dimension(name) for name in filters])
        conditions = _conditions(filters, True)
        # Grouped by day or week, the rows must be days; by month or quarter, months do.
        months = by_period not in ("day", "week")
        rows = self.repo.request_rollups(period.start, period.end, cuboid, conditions, months)
        groups: dict[tuple, list] = defaultdict(list)
        for row in rows:
            key = tuple(row[column] for column in columns)
            if by_period:
                key = (_period_start(row["day"], by_period).isoformat(), *key)
            groups[key].append(row)
        names = (["period"] if by_period else []) + list(group_by)
        shown = [
            {**dict(zip(names, key, strict=True)), **summary(members)}
            for key, members in groups.items()
        ]
        return sorted(shown, key=lambda group: [str(group[name] or "") for name in names])

    def drill_down(self, period: Period, filters: dict[str, str], offset: int, limit: int):
        """The requests behind a number: the facts matching ``filters``, and how many."""
        conditions = _conditions(filters, False)
        rows = self.repo.closed_between(period.start, period.end, conditions, offset, limit)
        return rows, self.repo.count_closed_between(period.start, period.end, conditions)

    def every_closed(self, period: Period, filters: dict[str, str]):
        """Every fact the drill-down would page through, streamed (for exports)."""
        return self.repo.stream_closed_between(
            period.start, period.end, _conditions(filters, False)
        )

    # -- for the dashboard ----------------------------------------------------------------

    def contact_volumes(self, period: Period, dimension: str) -> dict[str, int]:
        """Inbound contacts of the period per ``channel`` or ``reason_code``, most first."""
        counts: Counter = Counter()
        for row in self.repo.interaction_rollups(period.start, period.end):
            if row["direction"] == "inbound":
                counts[row[dimension] or "unknown"] += row["contacts"]
        return dict(counts.most_common())

    def fcr_by_week(self, period: Period) -> list[tuple[date, dict]]:
        """First-contact resolution of each week (from Monday) that starts in the period."""
        start = period.start - timedelta(days=period.start.weekday())
        weeks = []
        while start < period.end:
            week = Period(max(start, period.start), min(start + timedelta(days=7), period.end))
            begin, end = week.moments()
            contacts = self.repo.interactions_between(begin, end + timedelta(days=7))
            facts = self.repo.closed_between(week.start, week.end)
            contacts, facts = self._with_persons(contacts, facts)
            inbound = [c for c in contacts if c["direction"] == "inbound"]
            weeks.append((start, fcr(facts, inbound)))
            start += timedelta(days=7)
        return weeks

    # -- KPIs -----------------------------------------------------------------------------

    def kpis(self, period: Period, now: datetime, customers: int | None = None) -> dict:
        """The KPIs of ``period``; backlog as of ``now``; reasons per 1,000 of ``customers``
        (None: the customers on record)."""
        rollups = self.repo.request_rollups(period.start, period.end, "core")
        closed = summary(rollups)
        start, end = period.moments()
        longest = timedelta(days=max(REPEAT_WINDOWS))
        contacts = self.repo.interactions_between(start, end + longest)
        facts = self.repo.closed_between(period.start, period.end)
        contacts, facts = self._with_persons(contacts, facts)
        inbound = [c for c in contacts if c["direction"] == "inbound"]
        within = [c for c in inbound if c["started_at"] < end]
        if customers is None:
            customers = PartyService(self.uow).find_customers(Page({}, 0, 1))[1]
        return {
            "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
            "closedRequests": closed,
            "firstContactResolution": fcr(facts, inbound),
            "repeatContactRate": {
                f"{days}d": repeat_rate(within, inbound, days) for days in REPEAT_WINDOWS
            },
            "backlog": backlog(self.repo.open_requests(), now),
            "contactReasonsPer1000Customers": reasons_per_1000(within, customers),
            "channelMix": channel_mix(within),
            "selfServiceContainment": containment(within, inbound),
            "abandonedSessions": abandoned(
                session_outcomes(self.uow, start, end, SESSION_CHANNELS)
            ),
            "csat": csat(SurveyService(self.uow).results(start, end)),
        }

    def _with_persons(self, contacts, facts) -> tuple[list[dict], list[dict]]:
        """The contacts and facts, each with the ``person`` behind its customer: the
        customer's engaged party, so that one person's several accounts count as one (a
        customer analysis does not know yet: itself)."""
        persons = self.repo.persons_of(
            [row["customer_id"] for row in contacts] + [row["customer_id"] for row in facts]
        )

        def person(row) -> dict:
            customer = row["customer_id"]
            return {**row, "person": persons.get(customer, customer) if customer else None}

        return [person(row) for row in contacts], [person(row) for row in facts]


def summary(rows) -> dict:
    """Counts, rates and percentiles of a set of roll-up rows."""
    total = sum(row["closed"] for row in rows)
    completed = sum(row["closed"] for row in rows if row["outcome"] == "completed")
    due = sum(row["sla_due"] for row in rows)
    histograms = {
        name: histogram.merged(row["histograms"].get(name, {}) for row in rows)
        for name in DURATIONS
    }
    times = {}
    for name, counts in histograms.items():
        for label, fraction in (("p50", 0.5), ("p90", 0.9)):
            value = histogram.percentile(counts, fraction)
            times[f"{name}{label.upper()}Seconds"] = None if value is None else round(value, 1)
    return {
        "closed": total,
        "completed": completed,
        "unfulfilled": total - completed,
        "completionRate": _rate(completed, total),
        "reopenRate": _rate(sum(row["reopened"] for row in rows), total),
        "firstTouchRate": _rate(sum(row["first_touch"] for row in rows), total),
        "slaCompliance": _rate(sum(row["sla_met"] for row in rows), due),
        **times,
    }


def fcr(facts, inbound) -> dict:
    """First-contact resolution: closed requests resolved at the first touch (completed, no
    reopen, no task for a team) with no inbound contact from the customer on the same reason
    in the 7 days after the close."""
    later = _by_customer_reason(inbound)
    resolved = 0
    for fact in facts:
        if not first_touch(fact):
            continue
        until = fact["closed_at"] + timedelta(days=7)
        moments = later.get((_who(fact), fact["reason_code"]), ())
        if not any(fact["closed_at"] < at <= until for at in moments):
            resolved += 1
    return {"requests": len(facts), "resolved": resolved, "rate": _rate(resolved, len(facts))}


def repeat_rate(contacts, inbound, days: int) -> dict:
    """Of the inbound contacts with a customer and a reason, the share followed by another
    from the same customer (the same person: any of their accounts) on the same reason
    within ``days``."""
    later = _by_customer_reason(inbound)
    counted = repeated = 0
    for contact in contacts:
        if not contact["customer_id"] or not contact["reason_code"]:
            continue
        counted += 1
        start, until = contact["started_at"], contact["started_at"] + timedelta(days=days)
        moments = later.get((_who(contact), contact["reason_code"]), ())
        repeated += any(start < at <= until for at in moments)
    return {"contacts": counted, "repeated": repeated, "rate": _rate(repeated, counted)}


def backlog(created: list[datetime], now: datetime) -> dict:
    counts = Counter()
    for moment in created:
        age = (now - moment).total_seconds() / 86400
        label = next(name for limit, name in AGE_BUCKETS if limit is None or age < limit)
        counts[label] += 1
    return {"open": len(created), "byAge": {name: counts[name] for _, name in AGE_BUCKETS}}


def reasons_per_1000(contacts, customers: int) -> dict:
    counts = Counter(c["reason_code"] for c in contacts if c["reason_code"])
    if not customers:
        return {}
    return {reason: round(count * 1000 / customers, 2) for reason, count in counts.most_common()}


def channel_mix(contacts) -> dict:
    counts = Counter(c["channel"] or "unknown" for c in contacts)
    return {channel: _rate(count, len(contacts)) for channel, count in counts.most_common()}


def containment(contacts, inbound) -> dict:
    """Of the inbound self-service contacts of an identified customer, the share not
    followed within 24 hours by an assisted inbound contact from the same customer (person).
    Contacts of no known customer cannot be followed: counted apart, as ``unidentified``."""
    assisted: dict[str, list[datetime]] = defaultdict(list)
    for contact in inbound:
        if not contact["self_service"] and contact["customer_id"]:
            assisted[_who(contact)].append(contact["started_at"])
    own = [c for c in contacts if c["self_service"] and c["customer_id"]]
    contained = 0
    for contact in own:
        start = contact["started_at"]
        until = start + timedelta(hours=CONTAINMENT_HOURS)
        if not any(start < at <= until for at in assisted.get(_who(contact), ())):
            contained += 1
    unidentified = sum(1 for c in contacts if c["self_service"] and not c["customer_id"])
    return {
        "selfService": len(own),
        "contained": contained,
        "rate": _rate(contained, len(own)),
        "unidentified": unidentified,
    }


def abandoned(outcomes: dict[str, Counter]) -> dict:
    """Per channel (IVR, USSD), of the sessions started in the period that are over, the
    share the caller abandoned (no input before the session timed out, or the gateway gave
    up waiting); sessions still going on are left out."""
    shown = {}
    for channel, statuses in outcomes.items():
        over = statuses["ended"] + statuses["abandoned"]
        shown[channel] = {
            "sessions": over,
            "abandoned": statuses["abandoned"],
            "rate": _rate(statuses["abandoned"], over),
        }
    over = sum(channel["sessions"] for channel in shown.values())
    gone = sum(channel["abandoned"] for channel in shown.values())
    return {"sessions": over, "abandoned": gone, "rate": _rate(gone, over), "byChannel": shown}


def csat(results: SurveyResults) -> dict:
    """Customer satisfaction from the surveys after closure: of the answers given in the
    period, the share rating 4 or 5 (``score``) and the mean rating, overall and per request
    type; and of the surveys asked in the period, the share answered by now."""
    overall: Counter = Counter()
    by_type = {}
    for code, ratings in sorted(results.ratings.items()):
        overall.update(ratings)
        by_type[code] = _satisfaction(Counter(ratings))
    return {
        "asked": results.asked,
        "responseRate": _rate(results.answered_of_asked, results.asked),
        **_satisfaction(overall),
        "ratings": {str(rating): overall[rating] for rating in range(1, 6)},
        "byType": by_type,
    }


def _satisfaction(ratings: Counter) -> dict:
    answered = sum(ratings.values())
    satisfied = sum(ratings[rating] for rating in SATISFIED)
    total = sum(rating * count for rating, count in ratings.items())
    return {
        "answered": answered,
        "satisfied": satisfied,
        "score": _rate(satisfied, answered),
        "averageRating": round(total / answered, 2) if answered else None,
    }


def _who(row) -> str | None:
    """Whose contact or request it is: the person behind the customer (``person``), else the
    customer."""
    return row.get("person") or row["customer_id"]


def _by_customer_reason(contacts) -> dict[tuple, list[datetime]]:
    found: dict[tuple, list[datetime]] = defaultdict(list)
    for contact in contacts:
        found[(_who(contact), contact["reason_code"])].append(contact["started_at"])
    return found


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _dimension(name: str) -> str:
    if name not in DIMENSIONS:
        raise InvalidInput(f"groupBy: each one of {', '.join(DIMENSIONS)}", "groupBy")
    return DIMENSIONS[name]


def _conditions(filters: dict[str, str], rollups: bool) -> list:
    """``filters`` (API names) as conditions on the roll-ups' or the facts' columns."""
    table = RequestRollup.__table__ if rollups else FACTS
    return [table.c[_dimension(name)] == value for name, value in filters.items()]


def _period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day
