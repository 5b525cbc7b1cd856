"""Analyze & Report over HTTP: the KPIs, the closed-request analysis (completed versus
unfulfilled by any of its dimensions and by period) and its drill-down to the requests behind
a number. Read with ``report:read`` (supervisors and administrators). Definitions:
docs/analytics.md."""

from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from parley.analytics.analysis import DIMENSIONS, AnalyticsReader, Period
from parley.analytics.exports import TABLES, checked_format, export
from parley.api.deps import AppLinks, RequestWork
from parley.api.security import require
from parley.api.v1.kit import Page, listed, paging
from parley.api.v1.reports import download
from parley.auth.permissions import REPORT_READ
from parley.db.base import iso, utcnow
from parley.errors import InvalidInput

DEFAULT_DAYS = 30
DRILL_DOWN = "/analytics/closed-requests/requests"


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["analytics"], dependencies=[require(REPORT_READ)])

    @api.get("/analytics/kpis", summary="The KPIs of a period (docs/analytics.md)")
    def kpis(
        uow: RequestWork,
        start: date | None = Query(None, alias="from", description="first day (UTC)"),
        end: date | None = Query(None, alias="to", description="day after the last"),
    ):
        return AnalyticsReader(uow).kpis(_period(start, end), utcnow())

    @api.get(
        "/analytics/closed-requests",
        summary="Closed requests, completed versus unfulfilled, grouped by dimensions",
    )
    def closed_requests(
        request: Request,
        uow: RequestWork,
        start: date | None = Query(None, alias="from", description="first day (UTC)"),
        end: date | None = Query(None, alias="to", description="day after the last"),
        group_by: str = Query(
            "outcome",
            alias="groupBy",
            max_length=200,
            description=f"comma-separated, of: {', '.join(DIMENSIONS)}",
        ),
        period: str | None = Query(None, description="day, week, month or quarter"),
    ):
        chosen = _period(start, end)
        names = [name.strip() for name in group_by.split(",") if name.strip()]
        filters = _filters(request)
        groups = AnalyticsReader(uow).closed_requests(chosen, names, filters, period)
        for group in groups:
            group["drillDown"] = _drill_down(request, chosen, period, filters, group)
        return {
            "period": {"from": chosen.start.isoformat(), "to": chosen.end.isoformat()},
            "groupBy": names,
            "filters": filters,
            "groups": groups,
        }

    @api.get(
        f"{DRILL_DOWN}/export",
        summary="Every closed request behind a number, as CSV or XLSX (no row cap)",
        response_class=StreamingResponse,
    )
    def export_drill_down(
        request: Request,
        uow: RequestWork,
        links: AppLinks,
        start: date | None = Query(None, alias="from", description="first day (UTC)"),
        end: date | None = Query(None, alias="to", description="day after the last"),
        format: str = Query("csv", description="csv or xlsx"),
    ):
        kind = checked_format(format, TABLES)
        chosen = _period(start, end)
        facts = AnalyticsReader(uow).every_closed(chosen, _filters(request))
        rows = (list(_fact(links, row, plain=True).values()) for row in facts)
        file = export(list(FACT_COLUMNS), rows, kind)
        return download(file, kind, f"closed-requests-{chosen.start}-{chosen.end}")

    @api.get(DRILL_DOWN, summary="The closed requests behind a number of the analysis")
    def drill_down(
        request: Request,
        response: Response,
        uow: RequestWork,
        links: AppLinks,
        page: Annotated[Page, paging(100, 1000)],
        start: date | None = Query(None, alias="from", description="first day (UTC)"),
        end: date | None = Query(None, alias="to", description="day after the last"),
    ):
        reader = AnalyticsReader(uow)
        rows, total = reader.drill_down(
            _period(start, end), _filters(request), page.offset, page.limit
        )
        return listed(response, [_fact(links, row) for row in rows], total)

    return api


def _period(start: date | None, end: date | None) -> Period:
    end = end or utcnow().date() + timedelta(days=1)
    return Period.of(start or end - timedelta(days=DEFAULT_DAYS), end)


def _filters(request: Request) -> dict[str, str]:
    filters = {}
    for name in DIMENSIONS:
        value = request.query_params.get(name)
        if value is not None:
            if not value or len(value) > 100:
                raise InvalidInput(f"{name}: 1 to 100 characters", name)
            filters[name] = value
    return filters


def _drill_down(request: Request, period: Period, by_period, filters: dict, group: dict) -> str:
    """The drill-down URL of one group: its dimensions as filters, its period as the range."""
    start, end = period.start, period.end
    if by_period and group.get("period"):
        start = max(start, date.fromisoformat(group["period"]))
        end = min(end, _next_period(start, by_period))
    query = {"from": start.isoformat(), "to": end.isoformat(), **filters}
    for name in DIMENSIONS:
        if name in group and group[name] is not None:
            query[name] = group[name]
    prefix = request.app.state.settings.parley_api_prefix
    return f"{str(request.base_url).rstrip('/')}{prefix}{DRILL_DOWN}?{urlencode(query)}"


def _next_period(start: date, period: str) -> date:
    if period == "day":
        return start + timedelta(days=1)
    if period == "week":
        return start + timedelta(days=7)
    months = 1 if period == "month" else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def _fact(links: AppLinks, row, plain: bool = False) -> dict:
    """A fact as the drill-down shows it (``plain``: times as datetimes, for exports)."""
    shown = {
        "id": row["request_id"],
        "href": links.href("TroubleTicket", row["request_id"]),
        "reference": row["reference"],
        "customerId": row["customer_id"],
    }
    for name, column in DIMENSIONS.items():
        shown[name] = row[column]
    for column in ("created_at", "first_response_at", "closed_at", "due_at"):
        moment = row[column]
        shown[_camel(column)] = moment if plain or moment is None else iso(moment)
    for column in (
        "reopens",
        "tasks",
        "handbacks",
        "first_response_seconds",
        "first_response_business_seconds",
        "resolution_seconds",
        "resolution_business_seconds",
        "sla_met",
    ):
        shown[_camel(column)] = row[column]
    return shown


FACT_COLUMNS = (
    "id",
    "href",
    "reference",
    "customerId",
    *DIMENSIONS,
    "createdAt",
    "firstResponseAt",
    "closedAt",
    "dueAt",
    "reopens",
    "tasks",
    "handbacks",
    "firstResponseSeconds",
    "firstResponseBusinessSeconds",
    "resolutionSeconds",
    "resolutionBusinessSeconds",
    "slaMet",
)


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)
