"""Defined reports: saved by administrators, run and exported (CSV, XLSX) by supervisors;
exports have no row cap."""

import csv
import io
import zipfile
from datetime import date, timedelta

import pytest

from parley.analytics.repository import FACTS
from tests.analytics.histories import at
from tests.analytics.test_kpis import week  # noqa: F401  (the hand-built week, a fixture)
from tests.factories import assert_tmf_error

REPORTS = "/api/v1/reports"
DEFINITION = {
    "name": "Week 45 by outcome",
    "measures": ["closed", "completionRate", "slaCompliance", "resolutionP50Seconds"],
    "dimensions": ["outcome"],
    "filters": {},
    "period": {"from": "2026-11-02", "to": "2026-11-09"},
    "compareWith": "previousPeriod",
}


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_an_administrator_defines_a_report_a_supervisor_runs_and_exports_it(
    client,
    as_user,
    week,  # noqa: F811
):
    supervisor = as_user("sup.sam", "supervisor")
    refused = client.post(REPORTS, json=DEFINITION, headers=supervisor)
    assert_tmf_error(refused, 403)
    made = client.post(REPORTS, json=DEFINITION)
    assert made.status_code == 201, made.text
    report = made.json()

    table = client.get(f"{REPORTS}/{report['id']}/run", headers=supervisor).json()
    assert table["period"] == {"from": "2026-11-02", "to": "2026-11-09"}
    assert table["comparison"] == {"from": "2026-10-26", "to": "2026-11-02"}
    assert table["columns"] == [
        "outcome", "closed", "completionRate", "slaCompliance", "resolutionP50Seconds",
        "closedPrevious", "completionRatePrevious", "slaCompliancePrevious",
        "resolutionP50SecondsPrevious",
    ]  # fmt: skip
    # Completed: A, C, D, G (3 of 4 on time: C was late); unfulfilled: B, late. Nothing the
    # week before.
    assert [row[:4] for row in table["rows"]] == [
        ["completed", 4, 1.0, 0.75],
        ["unfulfilled", 1, 0.0, 0.0],
    ]
    assert all(row[5:] == [None] * 4 for row in table["rows"])

    exported = csv_rows(
        client.get(f"{REPORTS}/{report['id']}/export", params={"format": "csv"}, headers=supervisor)
    )
    assert exported[0] == table["columns"]
    assert [row[:2] for row in exported[1:]] == [["completed", "4"], ["unfulfilled", "1"]]

    xlsx = client.get(
        f"{REPORTS}/{report['id']}/export", params={"format": "xlsx"}, headers=supervisor
    )
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.headers["content-disposition"] == 'attachment; filename="Week-45-by-outcome.xlsx"'
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        text = b"".join(book.read(name) for name in book.namelist() if name.startswith("xl/"))
    assert b"unfulfilled" in text and b"resolutionP50Seconds" in text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"measures": []}, "measures"),
        ({"measures": ["closed", "closed"]}, "measures"),
        ({"measures": ["profit"]}, "measures"),
        ({"dimensions": ["colour"]}, "dimensions"),
        ({"filters": {"colour": "red"}}, "filters"),
        ({"period": {"last": 0, "unit": "day"}}, "period"),
        ({"period": {"from": "2026-11-09", "to": "2026-11-02"}}, "to"),
        ({"by": "hour"}, "by"),
        ({"compareWith": "lastDecade"}, "compareWith"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_definition_is_a_400_naming_the_field(client, change, field):
    response = client.post(REPORTS, json={**DEFINITION, **change})
    assert_tmf_error(response, 400)
    assert field in response.json()["message"]


def test_names_are_unique_and_a_report_can_be_changed_and_removed(client):
    first = client.post(REPORTS, json=DEFINITION).json()
    assert_tmf_error(client.post(REPORTS, json=DEFINITION), 409)
    changed = client.put(
        f"{REPORTS}/{first['id']}", json={**DEFINITION, "period": {"last": 4, "unit": "week"}}
    )
    assert changed.status_code == 200 and changed.json()["period"] == {"last": 4, "unit": "week"}
    assert client.delete(f"{REPORTS}/{first['id']}").status_code == 204
    assert_tmf_error(client.get(f"{REPORTS}/{first['id']}"), 404)
    assert_tmf_error(client.get(f"{REPORTS}/{first['id']}/export"), 404)
    assert_tmf_error(client.get(f"{REPORTS}/{first['id']}/export", params={"format": "docx"}), 400)


def test_the_drill_down_exports_every_row_beyond_any_cap(client, session, as_user):
    """7,500 closed requests (more than the 6,000 some help desks stop at) in CSV and XLSX."""
    count, day = 7500, date(2026, 10, 5)
    rows = [
        {
            "request_id": f"20000000-0000-4000-8000-{n:012d}",
            "status": "closed",
            "outcome": "completed" if n % 3 else "unfulfilled",
            "type_code": "fault.repair",
            "created_at": at(5, 8, month=10),
            "closed_at": at(5, 9, month=10) + timedelta(seconds=n),
            "closed_day": day,
            "reopens": 0,
            "tasks": 0,
            "handbacks": 0,
            "resolution_seconds": 3600.0 + n,
            "updated_at": at(5, 9, month=10),
        }
        for n in range(count)
    ]
    session.execute(FACTS.insert(), rows)
    session.commit()
    params = {"from": "2026-10-05", "to": "2026-10-06"}
    path = "/api/v1/analytics/closed-requests/requests/export"
    supervisor = as_user("sup.sam", "supervisor")
    exported = csv_rows(client.get(path, params={**params, "format": "csv"}, headers=supervisor))
    assert len(exported) == count + 1
    assert exported[1][0] == rows[0]["request_id"] and exported[-1][0] == rows[-1]["request_id"]
    only = csv_rows(
        client.get(path, params={**params, "outcome": "unfulfilled"}, headers=supervisor)
    )
    assert len(only) == 1 + count // 3
    xlsx = client.get(path, params={**params, "format": "xlsx"}, headers=supervisor)
    assert xlsx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    assert sheet.count(b"<row ") == count + 1
