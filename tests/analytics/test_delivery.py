"""Scheduled delivery of defined reports: schedules managed through the API, the workers' job
sending a due report once to each recipient through the outbox to a real SMTP server (the
file attached), and every delivery recorded with its fate."""

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from parley.actor import Actor
from parley.analytics.delivery import ReportSender, next_run
from parley.analytics.models import ReportDelivery, ReportSchedule
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.outbox.models import OutboxMessage
from tests.analytics.test_reports import DEFINITION, REPORTS
from tests.conftest import TEST_PASSWORD, staff_headers
from tests.factories import assert_tmf_error
from tests.outbox.conftest import drain
from tests.outbox.smtp_server import SmtpServer

SCHEDULE = {
    "frequency": "daily",
    "time": "07:00",
    "timeZone": "UTC",
    "format": "pdf",
    "language": "en",
    "recipients": [{"email": "ops@example.net"}],
}


def staff(session, settings, username: str, role: str, email: str | None):
    """A staff user holding ``role``, with ``email`` if given (committed)."""
    users = UserService(UnitOfWork(session, settings, Actor("test-setup", "test")))
    user = users.create_user(username, [role], "staff", TEST_PASSWORD).user
    if email:
        users.update_user(user.id, email=email)
    session.commit()
    return user.id


def test_administrators_schedule_reports_and_supervisors_read_the_schedules(client, as_user):
    supervisor = as_user("sup.sam", "supervisor")
    report = client.post(REPORTS, json=DEFINITION).json()
    schedules = f"{REPORTS}/{report['id']}/schedules"
    assert_tmf_error(client.post(schedules, json=SCHEDULE, headers=supervisor), 403)

    made = client.post(schedules, json={**SCHEDULE, "frequency": "weekly", "weekday": "friday"})

    assert made.status_code == 201, made.text
    schedule = made.json()
    assert (schedule["frequency"], schedule["weekday"], schedule["time"]) == (
        "weekly",
        "friday",
        "07:00",
    )
    assert datetime.fromisoformat(schedule["nextRunAt"]).weekday() == 4
    assert client.get(schedules, headers=supervisor).json() == [schedule]
    one = f"{schedules}/{schedule['id']}"
    changed = client.put(one, json={**SCHEDULE, "format": "xlsx", "active": False})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["format"], changed.json()["active"]) == ("xlsx", False)
    assert_tmf_error(client.put(one, json=SCHEDULE, headers=supervisor), 403)
    assert client.delete(one).status_code == 204
    assert_tmf_error(client.get(one), 404)
    deliveries = client.get(f"{REPORTS}/{report['id']}/deliveries", headers=supervisor)
    assert deliveries.status_code == 200 and deliveries.json() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"frequency": "hourly"}, "frequency"),
        ({"time": "7:00"}, "time"),
        ({"time": "24:00"}, "time"),
        ({"frequency": "weekly"}, "weekday"),
        ({"frequency": "monthly", "dayOfMonth": 31}, "dayOfMonth"),
        ({"timeZone": "Mars/Olympus"}, "timeZone"),
        ({"format": "docx"}, "format"),
        ({"language": "fr"}, "language"),
        ({"recipients": []}, "recipients"),
        ({"recipients": [{"email": "not an address"}]}, "recipients"),
        ({"recipients": [{"userId": "00000000-0000-4000-8000-000000000000"}]}, "recipients"),
        ({"recipients": [{"email": "a@example.net", "userId": "x"}]}, "recipients"),
        ({"active": "yes"}, "active"),
    ],
)
def test_a_bad_schedule_is_a_400_naming_the_field(client, change, field):
    report = client.post(REPORTS, json=DEFINITION).json()
    response = client.post(f"{REPORTS}/{report['id']}/schedules", json={**SCHEDULE, **change})
    assert_tmf_error(response, 400)
    assert field in response.json()["message"]


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        # Weekly on Monday at 07:30 in Berlin (UTC+1 in winter), asked on a Sunday.
        ({"frequency": "weekly", "weekday": 0, "time": "07:30", "zone": "Europe/Berlin"},
         datetime(2026, 11, 29, 12, tzinfo=UTC), datetime(2026, 11, 30, 6, 30, tzinfo=UTC)),
        # Daily at 07:00 Berlin, asked just after today's: tomorrow's; in summer UTC+2.
        ({"frequency": "daily", "time": "07:00", "zone": "Europe/Berlin"},
         datetime(2026, 7, 1, 5, 0, 1, tzinfo=UTC), datetime(2026, 7, 2, 5, 0, tzinfo=UTC)),
        # Monthly on the 1st at 06:00 New York, asked on the 1st at 05:00 local: that day.
        ({"frequency": "monthly", "day": 1, "time": "06:00", "zone": "America/New_York"},
         datetime(2026, 12, 1, 10, tzinfo=UTC), datetime(2026, 12, 1, 11, tzinfo=UTC)),
        # Monthly on the 28th, asked on the 28th after the time: next month's 28th.
        ({"frequency": "monthly", "day": 28, "time": "00:00", "zone": "UTC"},
         datetime(2027, 2, 28, 0, 1, tzinfo=UTC), datetime(2027, 3, 28, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_the_next_run_is_the_local_time_s_next_moment(schedule, after, expected):
    row = ReportSchedule(
        frequency=schedule["frequency"],
        at_time=schedule["time"],
        weekday=schedule.get("weekday"),
        month_day=schedule.get("day"),
        time_zone=schedule["zone"],
    )
    assert next_run(row, after) == expected


def test_a_due_report_is_sent_once_to_each_recipient_with_the_file_attached(
    client, session, settings, engine, make_worker, clock
):
    """A supervisor with an email address, one without, an agent (may not read reports) and
    an outside address: two emails with the PDF, two deliveries skipped saying why."""
    with_email = staff(session, settings, "sup.mia", "supervisor", "mia@example.net")
    without = staff(session, settings, "sup.noah", "supervisor", None)
    agent = staff(session, settings, "agent.ola", "agent", "ola@example.net")
    report = client.post(REPORTS, json=DEFINITION).json()
    recipients = [
        {"userId": with_email},
        {"userId": without},
        {"userId": agent},
        {"email": "board@example.org"},
    ]
    made = client.post(
        f"{REPORTS}/{report['id']}/schedules", json={**SCHEDULE, "recipients": recipients}
    ).json()
    due = datetime.fromisoformat(made["nextRunAt"].replace("Z", "+00:00"))
    clock.advance(seconds=(due - clock.now()).total_seconds() + 60)
    uow = UnitOfWork(session, settings, Actor("parley-worker", "system"))

    assert ReportSender(uow).run_due() == 1
    assert ReportSender(uow).run_due() == 0  # sent: due again only tomorrow
    session.commit()

    with SmtpServer() as smtp:
        drain(make_worker(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from="p@example.net"))
    received = {got.rcpt_tos[0]: got.message for got in smtp.received}
    assert sorted(received) == ["board@example.org", "mia@example.net"]
    for message in received.values():
        assert message["Subject"] == "Report: Week 45 by outcome (2026-11-02 to 2026-11-09)"
        (body, pdf) = message.iter_parts()
        assert "Attached is the report" in body.get_content()
        assert f"/console/reports/{report['id']}" in body.get_content()
        assert pdf.get_filename() == "Week-45-by-outcome.pdf"
        document = PdfReader(io.BytesIO(pdf.get_payload(decode=True)))
        assert "Week 45 by outcome" in document.pages[0].extract_text()
    session.expire_all()
    deliveries = {d.recipient: (d.status, d.detail) for d in session.query(ReportDelivery)}
    assert deliveries == {
        "mia@example.net": ("delivered", None),
        "board@example.org": ("delivered", None),
        "sup.noah": ("skipped", "the user has no email address"),
        "agent.ola": ("skipped", "the user may no longer read reports"),
    }
    schedule = session.get(ReportSchedule, made["id"])
    assert schedule.next_run_at == next_run(schedule, clock.now()) > clock.now()
    fresh = staff_headers(session, settings, "administrator")  # the clock outran the token
    shown = client.get(f"{REPORTS}/{report['id']}/deliveries", headers=fresh).json()
    assert len(shown) == 4 and {d["status"] for d in shown} == {"delivered", "skipped"}
    assert session.query(OutboxMessage).filter_by(kind="email").count() == 2
