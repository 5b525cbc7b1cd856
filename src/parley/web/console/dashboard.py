"""The supervisor's dashboard and the defined reports in the console (``report:read``).

Each chart is drawn by Chart.js (vendored) from the table printed beside it: the table is the
content, readable without JavaScript and by screen readers; the chart is a picture of it.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from parley.analytics.analysis import AnalyticsReader, Period
from parley.analytics.exports import attachment, checked_format, chunks, export
from parley.analytics.pdf import LANGUAGES as PDF_LANGUAGES
from parley.analytics.reports import Reports, heading_of
from parley.auth.permissions import REPORT_READ
from parley.db.base import utcnow
from parley.interactions.reasons import ReasonCatalogue
from parley.web.access import Visitor
from parley.web.console import report_schedules
from parley.web.i18n import N_
from parley.web.site import Site

SPANS = (7, 30, 90, 365)  # the dashboard's periods, in days up to today
TOP_REASONS = 10


@dataclass
class Chart:
    """A table and how to picture it: ``kind`` bar or line; ``percent``: values are shares."""

    key: str
    title: str
    kind: str
    label_header: str
    series: list[str]
    rows: list[tuple[str, list]] = field(default_factory=list)
    percent: bool = False


def router(site: Site) -> APIRouter:
    pages = APIRouter()
    Reader = Annotated[Visitor, site.page(REPORT_READ)]

    @pages.get("/dashboard")
    def dashboard(visitor: Reader, days: int = Query(30)):
        from parley.web.console.upsell_charts import acceptance_charts  # builds on Chart (here)

        if days not in SPANS:
            days = 30
        today = utcnow().date()
        period = Period(today - timedelta(days=days - 1), today + timedelta(days=1))
        context = {
            "current": "dashboard",
            "days": days,
            "spans": SPANS,
            "period": period,
            "last_day": today,
            "charts": [
                render(visitor, chart)
                for chart in (*charts(visitor, period), *acceptance_charts(visitor, period))
            ],
        }
        return site.render(visitor, "console/dashboard.html", context)

    @pages.get("/reports")
    def reports(visitor: Reader):
        context = {"current": "reports", "reports": Reports(visitor.uow).find()}
        return site.render(visitor, "console/reports.html", context)

    @pages.get("/reports/{report_id}")
    def report(visitor: Reader, report_id: str):
        return report_page(visitor, report_id)

    def report_page(visitor: Visitor, report_id: str, form=None, status: int = 200):
        row = Reports(visitor.uow).get(report_id)  # else the 404 page
        table = Reports(visitor.uow).run(row.id)
        context = {
            **report_schedules.context(visitor, row.id, form),
            "current": "reports",
            "report": row,
            "table": table,
            "cells": [
                [
                    shown(visitor, value, _is_share(column))
                    for column, value in zip(table["columns"], line, strict=True)
                ]
                for line in table["rows"]
            ],
            "chart": render(visitor, report_chart(visitor, row.document, table)),
        }
        return site.render(visitor, "console/report.html", context, status=status)

    @pages.get("/reports/{report_id}/export")
    def export_report(visitor: Reader, report_id: str, format: str = Query("csv")):
        kind = checked_format(format)
        reports = Reports(visitor.uow)
        document = reports.get(report_id).document
        table = reports.run(report_id)
        heading = heading_of(document, table, _pdf_language(visitor))
        file = export(table["columns"], table["rows"], kind, heading)
        return visitor.finish(
            StreamingResponse(chunks(file), headers=attachment(table["name"], kind))
        )

    pages.include_router(report_schedules.router(site, report_page))
    return pages


def _pdf_language(visitor: Visitor) -> str:
    """The PDF's labels in the visitor's language where the PDF has it, else English."""
    language = visitor.locale.language
    return language if language in PDF_LANGUAGES else "en"


def charts(visitor: Visitor, period: Period) -> list[Chart]:
    reader, gettext = AnalyticsReader(visitor.uow), visitor.locale.gettext
    channels = reader.contact_volumes(period, "channel")
    labels = {r.code: gettext(r.label) for r in ReasonCatalogue(visitor.uow).list_reasons()}
    reasons = [
        (labels.get(code, code), count)
        for code, count in list(reader.contact_volumes(period, "reason_code").items())[:TOP_REASONS]
    ]
    weekly = reader.closed_requests(period, [], {}, "week")
    backlog = reader.kpis(period, utcnow(), customers=0)["backlog"]["byAge"]
    contacts = gettext("Contacts")
    return [
        Chart(
            "channels",
            gettext("Contacts by channel"),
            "bar",
            gettext("Channel"),
            [contacts],
            [(name, [count]) for name, count in channels.items()],
        ),  # fmt: skip
        Chart(
            "reasons",
            gettext("Contacts by reason (top 10)"),
            "bar",
            gettext("Reason"),
            [contacts],
            [(name, [count]) for name, count in reasons],
        ),  # fmt: skip
        Chart(
            "sla",
            gettext("SLA compliance by week"),
            "line",
            gettext("Week from"),
            [gettext("Closed in time")],
            [(w["period"], [w["slaCompliance"]]) for w in weekly],
            percent=True,
        ),  # fmt: skip
        Chart(
            "backlog",
            gettext("Open requests by age"),
            "bar",
            gettext("Age"),
            [gettext("Open requests")],
            [(gettext(AGE_LABELS[age]), [count]) for age, count in backlog.items()],
        ),  # fmt: skip
        Chart(
            "fcr",
            gettext("First-contact resolution by week"),
            "line",
            gettext("Week from"),
            [gettext("Resolved at first contact")],
            [(start.isoformat(), [f["rate"]]) for start, f in reader.fcr_by_week(period)],
            percent=True,
        ),  # fmt: skip
    ]


AGE_LABELS = {
    "<1d": N_("under a day"),
    "1-3d": N_("1 to 3 days"),
    "3-7d": N_("3 to 7 days"),
    "7-30d": N_("7 to 30 days"),
    ">30d": N_("over 30 days"),
}


def report_chart(visitor: Visitor, document: dict, table: dict) -> Chart:
    """A report's first measure by its first grouping (period or dimension)."""
    columns, measure = table["columns"], document["measures"][0]
    keys = (["period"] if document.get("by") else []) + document["dimensions"]
    value_at = columns.index(measure)
    rows = [
        (" · ".join(str(line[columns.index(k)] or "–") for k in keys) or document["name"],
         [line[value_at]])
        for line in table["rows"]
    ]  # fmt: skip
    kind = "line" if document.get("by") and len(document["dimensions"]) == 0 else "bar"
    percent = _is_share(measure)
    return Chart("report", document["name"], kind, visitor.locale.gettext("Group"), [measure],
                 rows, percent)  # fmt: skip


def _is_share(column: str) -> bool:
    """A rate or the SLA compliance (of the period or the one compared with): a share."""
    measure = column.removesuffix("Previous")
    return measure.endswith("Rate") or measure == "slaCompliance"


def render(visitor: Visitor, chart: Chart) -> dict:
    """The chart with each value as raw number (for the picture) and as text (for people)."""
    return {
        "chart": chart,
        "rows": [
            (label, [(value, shown(visitor, value, chart.percent)) for value in values])
            for label, values in chart.rows
        ],
    }


def shown(visitor: Visitor, value, percent: bool = False) -> str:
    language = visitor.locale.language
    if value is None:
        return "–"
    if isinstance(value, bool | str | date):
        return str(value)
    if percent:
        return format_percent(value, "#,##0.0%", locale=language)
    return format_decimal(value, locale=language)
