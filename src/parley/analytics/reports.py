"""Defined reports: an administrator saves which measures of the closed-request analysis to
show by which dimensions, filtered how, over which period and compared with which; anyone
with ``report:read`` runs them. A run is a table (columns and rows) that the edges show,
chart or export (``exports.py``) without a row cap.

A definition::

    {"name": "Faults by area", "description": "...",
     "measures": ["closed", "completionRate", "resolutionP90Seconds"],
     "dimensions": ["area", "outcome"], "filters": {"category": "assurance"},
     "period": {"last": 3, "unit": "month"}  |  {"from": "2026-10-01", "to": "2027-01-01"},
     "by": "week" | null, "compareWith": "previousPeriod" | "previousYear" | null}

A relative period ends with today (UTC) included: the last 3 months from the same day three
months ago.
"""

import copy
from datetime import date, timedelta

from sqlalchemy import select

from parley.analytics.analysis import DIMENSIONS, PERIODS, AnalyticsReader, Period
from parley.analytics.models import ReportDefinition
from parley.analytics.pdf import LANGUAGES, Heading
from parley.changes import CREATE, DELETE, UPDATE, UnitOfWork
from parley.db.base import storable_id, utcnow
from parley.db.repository import Repository
from parley.errors import Conflict, InvalidInput, NotFound

RESOURCE = "analyticsReport"
MEASURES = (
    "closed",
    "completed",
    "unfulfilled",
    "completionRate",
    "reopenRate",
    "firstTouchRate",
    "slaCompliance",
    "resolutionP50Seconds",
    "resolutionP90Seconds",
    "resolutionBusinessP50Seconds",
    "resolutionBusinessP90Seconds",
    "firstResponseP50Seconds",
    "firstResponseP90Seconds",
    "firstResponseBusinessP50Seconds",
    "firstResponseBusinessP90Seconds",
)
UNITS = ("day", "week", "month")
COMPARISONS = ("previousPeriod", "previousYear")
PREVIOUS = "Previous"  # the suffix of a measure's column in the comparison period


class Reports:
    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.repo = Repository(uow.session)

    def find(self) -> list[ReportDefinition]:
        return list(self.session.scalars(select(ReportDefinition).order_by(ReportDefinition.name)))

    def get(self, report_id: str) -> ReportDefinition:
        row = self.session.get(ReportDefinition, report_id) if storable_id(report_id, 36) else None
        if row is None:
            raise NotFound(f"No report with id {report_id}")
        return row

    def create(self, document: dict) -> ReportDefinition:
        checked = check(document)
        self._name_free(checked["name"])
        now = utcnow()
        row = ReportDefinition(
            name=checked["name"],
            document=checked,
            created_by=self.uow.writer().name[:150],
            created_at=now,
            updated_at=now,
        )
        self.repo.add(row)
        self.uow.record(RESOURCE, CREATE, row.id, after=checked, event={**checked, "id": row.id})
        return row

    def replace(self, report_id: str, document: dict) -> ReportDefinition:
        row = self.get(report_id)
        checked, before = check(document), copy.deepcopy(row.document)
        if checked["name"] != row.name:
            self._name_free(checked["name"])
        row.name, row.document, row.updated_at = checked["name"], checked, utcnow()
        self.repo.add(row)
        shown = {**checked, "id": row.id}
        self.uow.record(RESOURCE, UPDATE, row.id, before=before, after=checked, event=shown)
        return row

    def delete(self, report_id: str) -> None:
        row = self.get(report_id)
        before = copy.deepcopy(row.document)
        self.repo.delete(row)
        self.uow.record(RESOURCE, DELETE, report_id, before=before, event={**before, "id": row.id})

    def run(self, report_id: str, today: date | None = None) -> dict:
        """The report's table: ``columns`` (dimensions, the period if grouped by one, the
        measures and, compared, each measure's value in the comparison period) and ``rows``."""
        row = self.get(report_id)
        return run_definition(AnalyticsReader(self.uow), row.document, today or utcnow().date())

    def _name_free(self, name: str) -> None:
        taken = select(ReportDefinition.id).where(ReportDefinition.name == name)
        if self.session.scalar(taken) is not None:
            raise Conflict(f"name: a report named {name!r} exists already")


def run_definition(reader: AnalyticsReader, document: dict, today: date) -> dict:
    period = period_of(document["period"], today)
    dimensions, measures, by = document["dimensions"], document["measures"], document.get("by")
    groups = reader.closed_requests(period, dimensions, document["filters"], by)
    keys = (["period"] if by else []) + dimensions
    columns = keys + measures
    rows = [[group[key] for key in columns] for group in groups]
    compared = None
    if document.get("compareWith"):
        compared = comparison(period, document["compareWith"])
        earlier = reader.closed_requests(compared, dimensions, document["filters"], None)
        by_key = {tuple(group[d] for d in dimensions): group for group in earlier}
        columns = columns + [f"{measure}{PREVIOUS}" for measure in measures]
        for values, group in zip(rows, groups, strict=True):
            before = by_key.get(tuple(group[d] for d in dimensions), {})
            values.extend(before.get(measure) for measure in measures)
    return {
        "name": document["name"],
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "comparison": None
        if compared is None
        else {"from": compared.start.isoformat(), "to": compared.end.isoformat()},
        "columns": columns,
        "rows": rows,
    }


def heading_of(document: dict, table: dict, language: str = "en") -> Heading:
    """What a report's PDF says above its table: its name, period and comparison, and a
    chart of its first measure by its groups (as the console's report page draws it)."""
    if language not in LANGUAGES:
        raise InvalidInput(f"language: one of {', '.join(LANGUAGES)}", "language")
    keys = (["period"] if document.get("by") else []) + document["dimensions"]
    return Heading(
        title=table["name"],
        language=language,
        period=table["period"],
        comparison=table["comparison"],
        chart_keys=keys,
        chart_measure=document["measures"][0],
    )


def period_of(spec: dict, today: date) -> Period:
    if "last" in spec:
        end, count = today + timedelta(days=1), spec["last"]
        if spec["unit"] == "day":
            return Period.of(end - timedelta(days=count), end)
        if spec["unit"] == "week":
            return Period.of(end - timedelta(weeks=count), end)
        return Period.of(_months_before(end, count), end)
    return Period.of(date.fromisoformat(spec["from"]), date.fromisoformat(spec["to"]))


def comparison(period: Period, how: str) -> Period:
    if how == "previousYear":
        return Period(_months_before(period.start, 12), _months_before(period.end, 12))
    length = period.end - period.start
    return Period(period.start - length, period.start)


def _months_before(day: date, months: int) -> date:
    month = day.year * 12 + day.month - 1 - months
    year, month = divmod(month, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check(document) -> dict:
    """The definition as stored, or InvalidInput naming what is wrong."""
    if not isinstance(document, dict):
        raise InvalidInput("a report definition is a JSON object")
    name = document.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InvalidInput("name: 1 to 200 characters", "name")
    description = document.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > 1000):
        raise InvalidInput("description: at most 1000 characters", "description")
    measures = _names(document.get("measures"), MEASURES, "measures", at_least=1)
    dimensions = _names(document.get("dimensions") or [], tuple(DIMENSIONS), "dimensions")
    filters = document.get("filters") or {}
    if not isinstance(filters, dict) or any(
        key not in DIMENSIONS or not isinstance(value, str) or not 0 < len(value) <= 100
        for key, value in filters.items()
    ):
        raise InvalidInput(
            f"filters: dimension -> value (1 to 100 characters), of {', '.join(DIMENSIONS)}",
            "filters",
        )
    by = document.get("by")
    if by is not None and by not in PERIODS:
        raise InvalidInput(f"by: one of {', '.join(PERIODS)}, or null", "by")
    compare = document.get("compareWith")
    if compare is not None and compare not in COMPARISONS:
        raise InvalidInput(f"compareWith: one of {', '.join(COMPARISONS)}, or null", "compareWith")
    period = _period(document.get("period"))
    checked = {
        "name": name.strip(),
        "description": description,
        "measures": measures,
        "dimensions": dimensions,
        "filters": dict(filters),
        "period": period,
        "by": by,
        "compareWith": compare,
    }
    period_of(period, utcnow().date())  # a fixed period too long or reversed is refused now
    return checked


def _names(given, allowed: tuple, field: str, at_least: int = 0) -> list[str]:
    if (
        not isinstance(given, list)
        or len(given) < at_least
        or len(set(map(str, given))) != len(given)
        or any(name not in allowed for name in given)
    ):
        raise InvalidInput(f"{field}: a list of distinct names of {', '.join(allowed)}", field)
    return list(given)


def _period(spec) -> dict:
    if isinstance(spec, dict) and set(spec) == {"last", "unit"}:
        last, unit = spec["last"], spec["unit"]
        whole = isinstance(last, int) and not isinstance(last, bool)
        if whole and 1 <= last <= 366 and unit in UNITS:
            return {"last": last, "unit": unit}
    if isinstance(spec, dict) and set(spec) == {"from", "to"}:
        try:
            date.fromisoformat(spec["from"]), date.fromisoformat(spec["to"])
        except (TypeError, ValueError):
            pass
        else:
            return {"from": spec["from"], "to": spec["to"]}
    raise InvalidInput(
        "period: {last: 1-366, unit: day|week|month} or {from: date, to: date}", "period"
    )
