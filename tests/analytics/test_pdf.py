"""Reports as PDF: the chart and the whole table, paginated for any number of rows, with
English or German labels; read back with pypdf."""

import io
import re
from datetime import date, timedelta

from pypdf import PdfReader

from parley.analytics.repository import FACTS
from parley.analytics.service import AnalyticsService
from tests.analytics.histories import at
from tests.analytics.test_kpis import week  # noqa: F401  (the hand-built week, a fixture)
from tests.analytics.test_reports import DEFINITION, REPORTS
from tests.factories import assert_tmf_error


def pdf_of(response) -> PdfReader:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(response.content))


def test_a_report_of_7500_rows_exports_as_pdf_holding_every_row(client, uow, session, as_user):
    """7,500 areas, one closed request each, on one day: a report by area has 7,500 rows,
    and the PDF has every one of them, a page after another, the header on each."""
    count, day = 7500, date(2026, 10, 5)
    areas = [f"A{n:05d}" for n in range(count)]
    session.execute(
        FACTS.insert(),
        [
            {
                "request_id": f"30000000-0000-4000-8000-{n:012d}",
                "status": "closed",
                "outcome": "completed" if n % 4 else "unfulfilled",
                "type_code": "fault.repair",
                "area": area,
                "created_at": at(5, 8, month=10),
                "closed_at": at(5, 9, month=10) + timedelta(seconds=n),
                "closed_day": day,
                "reopens": 0,
                "tasks": 0,
                "handbacks": 0,
                "resolution_seconds": 3600.0,
                "updated_at": at(5, 9, month=10),
            }
            for n, area in enumerate(areas)
        ],
    )
    AnalyticsService(uow).roll_up_day(day)
    session.commit()
    definition = {
        **DEFINITION,
        "name": "Every area",
        "measures": ["closed", "completionRate"],
        "dimensions": ["area"],
        "period": {"from": "2026-10-05", "to": "2026-10-06"},
        "compareWith": None,
    }
    report = client.post(REPORTS, json=definition).json()
    supervisor = as_user("sup.sam", "supervisor")

    pdf = pdf_of(
        client.get(f"{REPORTS}/{report['id']}/export", params={"format": "pdf"}, headers=supervisor)
    )

    pages = [page.extract_text() for page in pdf.pages]
    text = "\n".join(pages)
    assert set(re.findall(r"A\d{5}", text)) == set(areas)
    assert len(pages) > count // 60  # paginated, not one endless page
    assert all("Area" in page and "Completion rate" in page for page in pages)
    # The number of pages and of rows are known at the end, and shown where they belong.
    assert re.search(rf"Page 1 of\s+{len(pages)}\b", pages[0])
    assert re.search(rf"Page {len(pages)} of\s+{len(pages)}\b", pages[-1])
    # The unfulfilled areas (every fourth) show a completion rate of 0.0 %.
    assert text.count("0.0%") >= count // 4
    cut = "The chart shows the first 40 groups; the table has all of them:"
    assert re.search(rf"{cut}\s+7,500 rows\.", pages[0])
    assert pdf.metadata.title == "Every area"


def test_the_pdf_speaks_german_and_draws_its_chart_as_vectors(
    client,
    as_user,
    week,  # noqa: F811
):
    report = client.post(REPORTS, json=DEFINITION).json()
    supervisor = as_user("sup.sam", "supervisor")
    params = {"format": "pdf", "language": "de"}

    pdf = pdf_of(client.get(f"{REPORTS}/{report['id']}/export", params=params, headers=supervisor))

    (page,) = pdf.pages
    text = page.extract_text()
    assert "Zeitraum: 2026-11-02 bis 2026-11-09" in text
    assert "Verglichen mit 2026-10-26 bis 2026-11-02" in text
    assert "Ergebnis" in text and "Erledigungsquote" in text
    assert re.search(r"Seite 1 von\s+1\b", text)
    assert "100,0 %" in text  # the completed ones' completion rate, written the German way
    # The chart of "closed" by outcome: two bars (4 and 1), rectangles drawn from the numbers
    # (no picture in the page).
    content = page.get_contents().get_data().decode("latin-1")
    assert len(re.findall(r" re f", content)) >= 2
    drawn = page["/Resources"].get("/XObject") or {}
    assert all(form.get_object()["/Subtype"] == "/Form" for form in drawn.values())


def test_a_pdf_in_another_language_or_of_the_drill_down_is_refused(client, week):  # noqa: F811
    report = client.post(REPORTS, json=DEFINITION).json()
    export = f"{REPORTS}/{report['id']}/export"
    assert_tmf_error(client.get(export, params={"format": "pdf", "language": "fr"}), 400)
    drill_down = "/api/v1/analytics/closed-requests/requests/export"
    assert_tmf_error(client.get(drill_down, params={"format": "pdf"}), 400)
