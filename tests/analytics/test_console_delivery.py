"""The console's problem pages (the notice with its preview) and a report's delivery by email
on its page; a staff user's email address on the user page."""

import re

from parley.analytics.models import ProblemNotice, ReportSchedule
from parley.auth.models import User
from tests.analytics.test_kpis import week  # noqa: F401  (the hand-built week, a fixture)
from tests.analytics.test_notices import customer
from tests.analytics.test_reports import DEFINITION
from tests.web.conftest import CONSOLE, main_text, post_form, sign_in


def browser_of(browser, users, role: str, username: str):
    made = users.make(role, username=username)
    assert sign_in(browser, made.user.username).status_code == 303
    return browser


def test_a_supervisor_tells_the_customers_of_a_problem_from_its_page(
    browser, users, client, uow, session
):
    customer(client, uow, "10115", email="one@example.net")
    customer(client, uow, "10115", email="two@example.net")
    problem = client.post(
        "/api/v1/problems", json={"reasonCode": "fault.report", "area": "10115"}
    ).json()
    session.commit()
    shown = browser_of(browser, users, "supervisor", "sam.supervisor")
    listing = shown.get(f"{CONSOLE}/problems")
    assert listing.status_code == 200 and "fault.report" in main_text(listing.text)
    page = f"/problems/{problem['id']}"
    words = main_text(shown.get(f"{CONSOLE}{page}").text)
    # Nobody contacted us on the reason yet: the default audience reaches no one.
    assert "This notice will reach 0 customers" in words
    preview = shown.get(f"{CONSOLE}{page}/preview", params={"audience": "area"})
    assert "This notice will reach 2 customers" in preview.text
    assert "<html" not in preview.text  # the part that changes, not the page

    sent = post_form(
        shown, f"{page}/notices", {"audience": "area", "message": "Back by 18:00."}, page
    )

    assert sent.status_code == 303, sent.text[:500]
    after = main_text(shown.get(sent.headers["location"]).text)
    assert "The notice is being sent" in after and "Being sent" in after
    (notice,) = session.query(ProblemNotice).all()
    assert (notice.audience, notice.message, notice.audience_size) == ("area", "Back by 18:00.", 2)

    unsaid = post_form(shown, f"{page}/close", {"resolution": "  "}, page)
    assert unsaid.status_code == 422 and "Say how it was solved." in main_text(unsaid.text)
    closed = post_form(shown, f"{page}/close", {"resolution": "Mast 17 repaired"}, page)
    assert closed.status_code == 303, closed.text[:500]
    words = main_text(shown.get(closed.headers["location"]).text)
    assert "The problem is closed" in words and "Mast 17 repaired" in words
    assert "Tell the affected customers" not in words  # closed: nobody to warn any more


def test_agents_see_no_problems_and_supervisors_send_nothing_unsaid(browser, users, client):
    problem = client.post("/api/v1/problems", json={"reasonCode": "x.y", "area": "1"}).json()
    agent = browser_of(browser, users, "agent", "kim.agent")
    assert agent.get(f"{CONSOLE}/problems").status_code == 403
    assert agent.get(f"{CONSOLE}/problems/{problem['id']}").status_code == 403


def test_an_administrator_schedules_a_report_on_its_page(browser, users, client, session, week):  # noqa: F811
    report = client.post("/api/v1/reports", json=DEFINITION).json()
    mia = users.make("supervisor", username="mia.supervisor")
    shown = browser_of(browser, users, "administrator", "ada.admin")
    page = f"/reports/{report['id']}"
    form = {
        "frequency": "weekly",
        "weekday": "friday",
        "time": "07:30",
        "dayOfMonth": "1",
        "timeZone": "Europe/Berlin",
        "format": "pdf",
        "language": "de",
        "recipients": "mia.supervisor\nboard@example.org\n",
    }
    refused = post_form(shown, f"{page}/schedules", {**form, "recipients": "nobody.here"}, page)
    assert refused.status_code == 422
    assert "No staff user is named nobody.here." in main_text(refused.text)

    made = post_form(shown, f"{page}/schedules", form, page)

    assert made.status_code == 303, made.text[:500]
    words = main_text(shown.get(f"{CONSOLE}{page}").text)
    assert "Weekly on Friday at 07:30 (Europe/Berlin)" in words
    assert "mia.supervisor, board@example.org" in words
    (schedule,) = session.query(ReportSchedule).all()
    assert schedule.recipients == [{"userId": mia.user.id}, {"email": "board@example.org"}]
    removed = post_form(shown, f"{page}/schedules/{schedule.id}/delete", {}, page)
    assert removed.status_code == 303
    assert "This report is not sent by email." in main_text(shown.get(f"{CONSOLE}{page}").text)


def test_a_supervisor_sees_the_schedules_but_no_form(browser, users, client, week):  # noqa: F811
    report = client.post("/api/v1/reports", json=DEFINITION).json()
    schedule = {"frequency": "daily", "time": "06:00", "recipients": [{"email": "a@example.org"}]}
    client.post(f"/api/v1/reports/{report['id']}/schedules", json=schedule)
    shown = browser_of(browser, users, "supervisor", "sam.supervisor")
    page = shown.get(f"{CONSOLE}/reports/{report['id']}")
    assert "Daily at 06:00" in main_text(page.text) and "Send it by email" not in page.text
    refused = post_form(shown, f"/reports/{report['id']}/schedules", {"frequency": "daily"})
    assert refused.status_code == 403


def test_an_administrator_gives_a_staff_user_an_email_address(browser, users, session):
    kim = users.make("supervisor", username="kim.supervisor")
    shown = browser_of(browser, users, "administrator", "ada.admin")
    page = f"/admin/users/{kim.user.id}"
    html = shown.get(f"{CONSOLE}{page}").text
    stamp = re.search(r'name="updated" value="([^"]*)"', html).group(1)
    bad = post_form(shown, f"{page}/email", {"email": "not an address", "updated": stamp}, page)
    assert bad.status_code == 422
    done = post_form(shown, f"{page}/email", {"email": "kim@example.net", "updated": stamp}, page)
    assert done.status_code == 303, done.text[:500]
    session.expire_all()
    assert session.get(User, kim.user.id).email == "kim@example.net"
