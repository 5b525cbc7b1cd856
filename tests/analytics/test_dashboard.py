"""The dashboard and report pages in the console: for supervisors only, every chart's numbers
in a table beside it, the report exported from the page."""

import csv
import io

from tests.analytics.test_kpis import week  # noqa: F401  (the hand-built week, a fixture)
from tests.analytics.test_reports import DEFINITION
from tests.web.conftest import CONSOLE, main_text, sign_in


def supervisor_browser(browser, users):
    made = users.make("supervisor", username="sam.supervisor")
    assert sign_in(browser, made.user.username).status_code == 303
    return browser


def test_agents_see_neither_the_dashboard_nor_reports(signed_in):
    home = signed_in.get(f"{CONSOLE}/")
    assert "Dashboard" not in main_text(home.text) and 'href="/console/dashboard"' not in home.text
    assert signed_in.get(f"{CONSOLE}/dashboard").status_code == 403
    assert signed_in.get(f"{CONSOLE}/reports").status_code == 403


def test_the_dashboard_shows_each_chart_s_numbers_as_a_table(browser, users, week):  # noqa: F811
    page = supervisor_browser(browser, users).get(f"{CONSOLE}/dashboard?days=365")
    assert page.status_code == 200, page.text[:500]
    words = main_text(page.text)
    for title in (
        "Contacts by channel",
        "Contacts by reason (top 10)",
        "SLA compliance by week",
        "Open requests by age",
        "First-contact resolution by week",
    ):
        assert title in words, title
    # The week's inbound contacts (and c2's call on the 20th); its requests closed by week.
    assert "Channel Contacts phone 4 web 1 ussd 1" in words
    assert (
        "Reason Contacts Tariff or plan change 3 Billing enquiry 2 General information 1" in words
    )
    assert "Week from Closed in time 2026-11-02 60.0%" in words
    assert "Week from Resolved at first contact 2026-11-02 20.0%" not in words  # by week:
    assert "2026-11-02 20.0% 2026-11-09 –" in words  # only that week had closed requests
    for age in ("under a day", "1 to 3 days", "3 to 7 days", "7 to 30 days", "over 30 days"):
        assert age in words, age
    assert "vendor/chart.umd.min.js" in page.text and "dashboard.js" in page.text
    assert 'aria-current="page"' in page.text


def test_a_supervisor_reads_a_report_and_exports_it(browser, users, client, week):  # noqa: F811
    report = client.post("/api/v1/reports", json=DEFINITION).json()
    shown = supervisor_browser(browser, users)
    listing = shown.get(f"{CONSOLE}/reports")
    assert DEFINITION["name"] in main_text(listing.text)
    page = shown.get(f"{CONSOLE}/reports/{report['id']}")
    assert page.status_code == 200, page.text[:500]
    words = main_text(page.text)
    assert "completed 4" in words and "unfulfilled 1" in words
    assert "Export as CSV" in words and "Export as Excel (XLSX)" in words
    exported = shown.get(f"{CONSOLE}/reports/{report['id']}/export?format=csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[1][:2] == ["completed", "4"]
    pdf = shown.get(f"{CONSOLE}/reports/{report['id']}/export?format=pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert shown.get(f"{CONSOLE}/reports/{report['id']}/export?format=docx").status_code == 400
    assert shown.get(f"{CONSOLE}/reports/00000000-0000-4000-8000-000000000000").status_code == 404
