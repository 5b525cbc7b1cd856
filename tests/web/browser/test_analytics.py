"""Analyze & Report in a real browser: a supervisor opens the dashboard and a defined report,
exports it as CSV and XLSX, and sees a problem's banner on an affected customer's 360. Each
page is checked with axe-core and photographed (tests/web/browser/conftest.py)."""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.analytics.problems import Problems
from parley.analytics.reports import Reports
from parley.analytics.service import AnalyticsService
from parley.changes import UnitOfWork
from parley.db.repository import Page
from parley.parties.service import PartyService
from parley.requests.service import RequestService
from tests.web.browser.conftest import look, shoot, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
REPORT = {
    "name": "Closed requests by type",
    "description": "Completed and unfulfilled requests of the last 30 days, by type",
    "measures": ["closed", "completionRate", "resolutionP50Seconds"],
    "dimensions": ["type", "outcome"],
    "filters": {},
    "period": {"last": 30, "unit": "day"},
    "compareWith": "previousPeriod",
}


@pytest.fixture(scope="module")
def analysed(demo, migrated_engine):
    """Requests raised and closed for demo customers, the facts rebuilt from history, a report
    defined and a problem open in the caller's area; the caller's area."""
    admin = Actor("anna.k", "phone")  # an agent taking the requests on the phone
    with sessionmaker(bind=migrated_engine, expire_on_commit=False)() as session:
        uow = UnitOfWork(session, demo_settings(migrated_engine), admin)
        customers = PartyService(uow).find_customers(Page({"status": "active"}, 0, 12))[0]
        requests = RequestService(uow)
        for number, customer in enumerate(customers):
            ticket = requests.create(
                {
                    "@type": "TroubleTicket",
                    "description": "No signal since this morning",
                    # A status enquiry is answered at once (closed completed); a fault waits
                    # for its workflow's tasks (the backlog).
                    "ticketType": "fault.repair" if number % 3 == 0 else "request.status",
                    "relatedParty": [
                        {
                            "role": "customer",
                            "partyOrPartyRole": {"id": customer.id, "@referredType": "Customer"},
                        }
                    ],
                }
            )
            assert ticket.status in ("closed", "acknowledged", "inProgress"), ticket.status
        AnalyticsService(uow).rebuild()
        Reports(uow).create(REPORT)
        area = AnalyticsService(uow).customer_area(demo.caller_id)
        Problems(uow).open("fault.report", area, "Mast 17 is down after the storm.")
        session.commit()
    return area


def demo_settings(engine):
    from parley.settings import Settings

    return Settings(database_url=str(engine.url.render_as_string(hide_password=False)))


def test_a_supervisor_reads_the_dashboard_and_a_report_and_exports_it(page, demo, analysed):
    sign_in(page, demo, "supervisor")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    for title in ("Contacts by channel", "SLA compliance by week", "Open requests by age"):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.locator(".chart-canvas canvas").first).to_be_visible()
    look(page, "analytics-dashboard")

    page.get_by_label("Period").select_option("365")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Period")).to_have_value("365")

    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name=REPORT["name"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REPORT["name"])
    expect(page.locator("#report-table-title")).to_be_visible()
    look(page, "analytics-report")

    with page.expect_download() as waited:
        page.get_by_role("link", name="Export as CSV").click()
    download = waited.value
    assert download.suggested_filename == "Closed-requests-by-type.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["type", "outcome", "closed"] and len(rows) >= 2

    with page.expect_download() as waited:
        page.get_by_role("link", name="Export as Excel (XLSX)").click()
    with zipfile.ZipFile(waited.value.path()) as book:
        assert "xl/worksheets/sheet1.xml" in book.namelist()


def test_an_agent_sees_the_problem_banner_on_an_affected_customer(page, demo, analysed):
    sign_in(page, demo)
    page.goto(demo.url(f"/customers/{demo.caller_id}"))
    banner = page.locator(".problem-banner")
    expect(banner).to_contain_text(f"Known problem in this area ({analysed}): Fault report")
    expect(banner).to_contain_text("Mast 17 is down after the storm.")
    shoot(page, "analytics-problem-banner")


def test_a_supervisor_previews_and_sends_a_notice_from_the_problem_s_page(page, demo, analysed):
    sign_in(page, demo, "supervisor")
    page.get_by_role("link", name="Problems").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Problems")
    page.get_by_role("link", name="fault.report").click()
    expect(page.get_by_role("heading", name="Tell the affected customers")).to_be_visible()
    preview = page.locator("#notice-preview")
    expect(preview).to_contain_text("This notice will reach 0 customers")
    page.get_by_label("Every customer in the area").check()
    # The caller lives in the area: the preview, asked as the audience changes, counts them.
    expect(preview).not_to_contain_text("reach 0 customers")
    look(page, "analytics-problem-notice")
    page.get_by_label("Your own words (optional)").fill("Engineers are on site until 18:00.")
    page.get_by_role("button", name="Send the notice").click()
    expect(page.get_by_role("status").first).to_contain_text("The notice is being sent")
    expect(page.get_by_role("cell", name="Every customer in the area")).to_be_visible()
    look(page, "analytics-problem-notice-sent")


def test_an_administrator_schedules_a_report_by_email(page, demo, analysed):
    sign_in(page, demo, "admin")
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name=REPORT["name"]).click()
    page.get_by_label("How often").select_option("weekly")
    page.get_by_label("Weekday (weekly)").select_option("friday")
    page.get_by_label("Time (HH:MM)").fill("07:30")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("Recipients").fill("supervisor\nboard@example.org")
    page.get_by_role("button", name="Schedule").click()
    row = page.get_by_role("row").filter(has_text="Weekly on Friday at 07:30")
    expect(row).to_contain_text("supervisor, board@example.org")
    look(page, "analytics-report-schedule")
    with page.expect_download() as waited:
        page.get_by_role("link", name="Export as PDF").click()
    assert Path(waited.value.path()).read_bytes().startswith(b"%PDF-")
