"""Defined reports: administrators (``report:write``) save them and schedule their delivery by
email; those with ``report:read`` list, run and export them (CSV, XLSX or PDF, no row cap) and
read their schedules and deliveries."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import StreamingResponse

from parley.analytics.delivery import ReportSchedules, delivery_shown, shown
from parley.analytics.exports import attachment, checked_format, chunks, export
from parley.analytics.reports import Reports, heading_of
from parley.api.deps import RequestWork
from parley.api.security import require
from parley.api.v1.kit import Page, listed, paging
from parley.auth.permissions import REPORT_READ, REPORT_WRITE
from parley.db.base import iso

EXAMPLE = {
    "name": "Faults by area",
    "description": "Closed assurance requests per area, against the quarter before",
    "measures": ["closed", "completionRate", "resolutionP90Seconds"],
    "dimensions": ["area", "outcome"],
    "filters": {"category": "assurance"},
    "period": {"last": 3, "unit": "month"},
    "by": None,
    "compareWith": "previousPeriod",
}
SCHEDULE = {
    "frequency": "weekly",
    "weekday": "monday",
    "time": "07:30",
    "timeZone": "Europe/Berlin",
    "format": "pdf",
    "language": "de",
    "recipients": [
        {"userId": "6b1f0c1e-3d51-4c1e-9a4e-2f0d8e7a5b21"},
        {"email": "ops@example.net"},
    ],
    "active": True,
}


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["analytics"])

    @api.get("/reports", summary="The defined reports", dependencies=[require(REPORT_READ)])
    def list_reports(uow: RequestWork):
        return [_shown(row) for row in Reports(uow).find()]

    @api.post(
        "/reports",
        status_code=201,
        summary="Define a report",
        dependencies=[require(REPORT_WRITE)],
    )
    def create_report(uow: RequestWork, document: dict = Body(..., examples=[EXAMPLE])):
        return _shown(Reports(uow).create(document))

    @api.get("/reports/{report_id}", summary="One report", dependencies=[require(REPORT_READ)])
    def get_report(report_id: str, uow: RequestWork):
        return _shown(Reports(uow).get(report_id))

    @api.put(
        "/reports/{report_id}",
        summary="Change a report's definition",
        dependencies=[require(REPORT_WRITE)],
    )
    def replace_report(report_id: str, uow: RequestWork, document: dict = Body(...)):
        return _shown(Reports(uow).replace(report_id, document))

    @api.delete(
        "/reports/{report_id}",
        status_code=204,
        summary="Remove a report",
        dependencies=[require(REPORT_WRITE)],
    )
    def delete_report(report_id: str, uow: RequestWork):
        Reports(uow).delete(report_id)
        return Response(status_code=204)

    @api.get(
        "/reports/{report_id}/run",
        summary="Run a report: its table as of today",
        dependencies=[require(REPORT_READ)],
    )
    def run_report(report_id: str, uow: RequestWork):
        return Reports(uow).run(report_id)

    @api.get(
        "/reports/{report_id}/export",
        summary="Run a report and download it: its table as CSV or XLSX, or as PDF with its "
        "chart (no row cap)",
        dependencies=[require(REPORT_READ)],
        response_class=StreamingResponse,
    )
    def export_report(
        report_id: str,
        uow: RequestWork,
        format: str = Query("csv", description="csv, xlsx or pdf"),
        language: str = Query("en", max_length=8, description="the PDF's labels: en or de"),
    ):
        kind = checked_format(format)
        reports = Reports(uow)
        document = reports.get(report_id).document
        table = reports.run(report_id)
        heading = heading_of(document, table, language)
        file = export(table["columns"], table["rows"], kind, heading)
        return download(file, kind, table["name"])

    schedules(api)
    return api


def schedules(api: APIRouter) -> None:
    """A report's scheduled deliveries by email, and what was sent."""
    one = "/reports/{report_id}/schedules/{schedule_id}"

    @api.get(
        "/reports/{report_id}/schedules",
        summary="A report's delivery schedules",
        dependencies=[require(REPORT_READ)],
    )
    def list_schedules(report_id: str, uow: RequestWork):
        return [shown(row) for row in ReportSchedules(uow).find(report_id)]

    @api.post(
        "/reports/{report_id}/schedules",
        status_code=201,
        summary="Schedule a report's delivery by email (daily, weekly or monthly)",
        dependencies=[require(REPORT_WRITE)],
    )
    def create_schedule(
        report_id: str, uow: RequestWork, document: dict = Body(..., examples=[SCHEDULE])
    ):
        return shown(ReportSchedules(uow).create(report_id, document))

    @api.get(one, summary="One delivery schedule", dependencies=[require(REPORT_READ)])
    def get_schedule(report_id: str, schedule_id: str, uow: RequestWork):
        return shown(ReportSchedules(uow).get(report_id, schedule_id))

    @api.put(one, summary="Change a delivery schedule", dependencies=[require(REPORT_WRITE)])
    def replace_schedule(
        report_id: str, schedule_id: str, uow: RequestWork, document: dict = Body(...)
    ):
        return shown(ReportSchedules(uow).replace(report_id, schedule_id, document))

    @api.delete(
        one,
        status_code=204,
        summary="Remove a delivery schedule",
        dependencies=[require(REPORT_WRITE)],
    )
    def delete_schedule(report_id: str, schedule_id: str, uow: RequestWork):
        ReportSchedules(uow).delete(report_id, schedule_id)
        return Response(status_code=204)

    @api.get(
        "/reports/{report_id}/deliveries",
        summary="A report's deliveries by email, newest first, each with its status",
        dependencies=[require(REPORT_READ)],
    )
    def list_deliveries(
        report_id: str,
        response: Response,
        uow: RequestWork,
        page: Annotated[Page, paging(50, 500)],
    ):
        rows, total = ReportSchedules(uow).deliveries(report_id, page.offset, page.limit)
        return listed(response, [delivery_shown(row) for row in rows], total)


def download(file, kind: str, name: str) -> StreamingResponse:
    return StreamingResponse(chunks(file), headers=attachment(name, kind))


def _shown(row) -> dict:
    return {
        "id": row.id,
        **row.document,
        "createdBy": row.created_by,
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }
