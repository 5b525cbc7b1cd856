"""Scheduled delivery of defined reports: a report gets schedules (daily, weekly on a weekday
or monthly on a day, at a local time in a time zone; a format; recipients: staff users,
reached at their email address, or email addresses); the workers' job ``report-delivery``
runs each report when it is due, renders it once and sends it to every recipient by email
through the outbox, the file attached (a link to its page instead when it is too large to
attach). Each delivery is recorded, and follows its email's fate (queued, delivered, failed),
or says why none was sent (skipped: a user without an email address or no longer allowed to
read reports).

A schedule is due at ``next_run_at``; a run sends the report as of that local day and moves
the schedule to its next moment after now, so a worker that was down for days sends it once,
not once per missed day.
"""

import copy
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.analytics.exports import FORMATS, export
from parley.analytics.models import ReportDelivery, ReportSchedule
from parley.analytics.options import AnalyticsOptions
from parley.analytics.pdf import LANGUAGES
from parley.analytics.reports import Reports, heading_of
from parley.auth.permissions import REPORT_READ, STAFF
from parley.auth.users import UserService
from parley.changes import CREATE, DELETE, UPDATE, UnitOfWork
from parley.db.base import iso, storable_id, utcnow
from parley.db.repository import Repository
from parley.errors import DomainError, InvalidInput, NotFound
from parley.outbox.channels import Attachment
from parley.outbox.models import DEAD, DELIVERED
from parley.outbox.service import OutboxService
from parley.parties.normalize import email_normalized

log = structlog.get_logger(__name__)
RESOURCE = "reportSchedule"
SUBJECT = "reportDelivery"  # the outbox tells this subject its emails' outcomes
FREQUENCIES = ("daily", "weekly", "monthly")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
MAX_RECIPIENTS = 50
ATTACH_LIMIT = 15 * 1024 * 1024  # above it the email links to the report's page
DUE_BATCH = 20  # schedules a run of the job takes
WORKER = Actor("parley-worker", "system")
QUEUED, SKIPPED, FAILED = "queued", "skipped", "failed"
WORDS = {
    "en": {
        "subject": "Report: {name} ({start} to {end})",
        "attached": 'Attached is the report "{name}" for {start} to {end} (UTC days, the end '
        "excluded): {rows} rows.",
        "too_large": 'The report "{name}" for {start} to {end} is too large to attach '
        "({megabytes} MB): download it from its page.",
        "page": "The report's page: {link}",
        "why": "You get this report {frequency} because an administrator scheduled it for you.",
        "daily": "daily",
        "weekly": "weekly",
        "monthly": "monthly",
    },
    "de": {
        "subject": "Bericht: {name} ({start} bis {end})",
        "attached": 'Anbei der Bericht "{name}" für {start} bis {end} (UTC-Tage, ohne das '
        "Ende): {rows} Zeilen.",
        "too_large": 'Der Bericht "{name}" für {start} bis {end} ist zu groß für einen '
        "Anhang ({megabytes} MB): laden Sie ihn auf seiner Seite herunter.",
        "page": "Die Seite des Berichts: {link}",
        "why": "Sie erhalten diesen Bericht {frequency}, weil ein Administrator ihn für Sie "
        "eingeplant hat.",
        "daily": "täglich",
        "weekly": "wöchentlich",
        "monthly": "monatlich",
    },
}


class ReportSchedules:
    """Managing a report's schedules (``report:write``) and reading its deliveries."""

    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.repo = Repository(uow.session)
        self.options = uow.options(AnalyticsOptions)

    def find(self, report_id: str) -> list[ReportSchedule]:
        Reports(self.uow).get(report_id)
        query = select(ReportSchedule).where(ReportSchedule.report_id == report_id)
        return list(self.session.scalars(query.order_by(ReportSchedule.created_at)))

    def get(self, report_id: str, schedule_id: str) -> ReportSchedule:
        Reports(self.uow).get(report_id)
        row = (
            self.session.get(ReportSchedule, schedule_id) if storable_id(schedule_id, 36) else None
        )
        if row is None or row.report_id != report_id:
            raise NotFound(f"No schedule with id {schedule_id} for this report")
        return row

    def create(self, report_id: str, document: dict) -> ReportSchedule:
        Reports(self.uow).get(report_id)
        checked = self._checked(document)
        now = utcnow()
        row = ReportSchedule(
            report_id=report_id,
            created_by=self.uow.writer().name[:150],
            created_at=now,
        )
        _apply(row, checked, now)
        self.repo.add(row)
        self.uow.record(RESOURCE, CREATE, row.id, after=shown(row))
        return row

    def replace(self, report_id: str, schedule_id: str, document: dict) -> ReportSchedule:
        row = self.get(report_id, schedule_id)
        checked, before = self._checked(document), copy.deepcopy(shown(row))
        _apply(row, checked, utcnow())
        self.repo.add(row)
        self.uow.record(RESOURCE, UPDATE, row.id, before=before, after=shown(row))
        return row

    def delete(self, report_id: str, schedule_id: str) -> None:
        row = self.get(report_id, schedule_id)
        before = shown(row)
        self.repo.delete(row)
        self.uow.record(RESOURCE, DELETE, schedule_id, before=before)

    def deliveries(self, report_id: str, offset: int, limit: int):
        """The report's deliveries, newest first, and how many there are."""
        Reports(self.uow).get(report_id)
        mine = ReportDelivery.report_id == report_id
        total = self.session.scalar(select(func.count()).select_from(ReportDelivery).where(mine))
        query = (
            select(ReportDelivery)
            .where(mine)
            .order_by(ReportDelivery.due_at.desc(), ReportDelivery.recipient)
            .offset(offset)
            .limit(limit)
        )
        return list(self.session.scalars(query)), total or 0

    def _checked(self, document) -> dict:
        checked = check(document, self.options.time_zone)
        users = UserService(self.uow)
        for recipient in checked["recipients"]:
            if "userId" in recipient:
                try:
                    user = users.get_user(recipient["userId"])
                except NotFound:
                    raise InvalidInput(
                        f"recipients: no user with id {recipient['userId']}", "recipients"
                    ) from None
                if user.kind != STAFF:
                    raise InvalidInput(
                        f"recipients: {user.username} is no staff user", "recipients"
                    )
        return checked


def check(document, default_zone: str = "UTC") -> dict:
    """The schedule as stored, or InvalidInput naming what is wrong."""
    if not isinstance(document, dict):
        raise InvalidInput("a schedule is a JSON object")
    frequency = document.get("frequency")
    if frequency not in FREQUENCIES:
        raise InvalidInput(f"frequency: one of {', '.join(FREQUENCIES)}", "frequency")
    at_time = document.get("time")
    if not isinstance(at_time, str) or not CLOCK.fullmatch(at_time):
        raise InvalidInput("time: the local time as HH:MM (24 hours)", "time")
    weekday = document.get("weekday")
    if frequency == "weekly" and weekday not in WEEKDAYS:
        raise InvalidInput(f"weekday: one of {', '.join(WEEKDAYS)}", "weekday")
    day = document.get("dayOfMonth")
    monthly = frequency == "monthly"
    if monthly and (not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 28):
        raise InvalidInput("dayOfMonth: 1 to 28 (a day every month has)", "dayOfMonth")
    zone = document.get("timeZone") or default_zone
    if not isinstance(zone, str) or len(zone) > 64 or not _zone(zone):
        raise InvalidInput("timeZone: an IANA time zone such as Europe/Berlin", "timeZone")
    kind = document.get("format", "pdf")
    if kind not in FORMATS:
        raise InvalidInput(f"format: one of {', '.join(FORMATS)}", "format")
    language = document.get("language", "en")
    if language not in LANGUAGES:
        raise InvalidInput(f"language: one of {', '.join(LANGUAGES)}", "language")
    active = document.get("active", True)
    if not isinstance(active, bool):
        raise InvalidInput("active: true or false", "active")
    return {
        "frequency": frequency,
        "time": at_time,
        "weekday": weekday if frequency == "weekly" else None,
        "dayOfMonth": day if monthly else None,
        "timeZone": zone,
        "format": kind,
        "language": language,
        "recipients": _recipients(document.get("recipients")),
        "active": active,
    }


def _recipients(given) -> list[dict]:
    wrong = 'recipients: 1 to 50 of {"userId": a staff user\'s id} or {"email": an address}'
    if not isinstance(given, list) or not 1 <= len(given) <= MAX_RECIPIENTS:
        raise InvalidInput(wrong, "recipients")
    found: list[dict] = []
    for recipient in given:
        if not isinstance(recipient, dict) or len(recipient) != 1:
            raise InvalidInput(wrong, "recipients")
        if isinstance(recipient.get("userId"), str) and 0 < len(recipient["userId"]) <= 36:
            wanted = {"userId": recipient["userId"]}
        elif isinstance(recipient.get("email"), str) and len(recipient["email"]) <= 320:
            wanted = {"email": email_normalized(recipient["email"], "recipients")}
        else:
            raise InvalidInput(wrong, "recipients")
        if wanted not in found:
            found.append(wanted)
    return found


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _apply(row: ReportSchedule, checked: dict, now: datetime) -> None:
    row.frequency, row.at_time = checked["frequency"], checked["time"]
    row.weekday = WEEKDAYS.index(checked["weekday"]) if checked["weekday"] else None
    row.month_day = checked["dayOfMonth"]
    row.time_zone, row.format, row.language = (
        checked["timeZone"],
        checked["format"],
        checked["language"],
    )
    row.recipients, row.active, row.updated_at = checked["recipients"], checked["active"], now
    row.next_run_at = next_run(row, now)


def next_run(row: ReportSchedule, after: datetime) -> datetime:
    """The schedule's first moment strictly after ``after`` (UTC), from its local time."""
    zone = ZoneInfo(row.time_zone)
    hour, minute = (int(part) for part in row.at_time.split(":"))
    day = after.astimezone(zone).date() - timedelta(days=1)
    for _ in range(0, 400):
        if _runs_on(row, day):
            moment = datetime.combine(day, time(hour, minute), zone).astimezone(after.tzinfo)
            if moment > after:
                return moment
        day += timedelta(days=1)
    raise AssertionError("a schedule runs at least once a month")


def _runs_on(row: ReportSchedule, day: date) -> bool:
    if row.frequency == "weekly":
        return day.weekday() == row.weekday
    if row.frequency == "monthly":
        return day.day == row.month_day
    return True


def shown(row: ReportSchedule) -> dict:
    """The schedule as the API shows it."""
    return {
        "id": row.id,
        "reportId": row.report_id,
        "frequency": row.frequency,
        "time": row.at_time,
        "weekday": WEEKDAYS[row.weekday] if row.weekday is not None else None,
        "dayOfMonth": row.month_day,
        "timeZone": row.time_zone,
        "format": row.format,
        "language": row.language,
        "recipients": list(row.recipients),
        "active": row.active,
        "nextRunAt": iso(row.next_run_at),
        "lastRunAt": iso(row.last_run_at) if row.last_run_at else None,
        "createdBy": row.created_by,
    }


def delivery_shown(row: ReportDelivery) -> dict:
    return {
        "id": row.id,
        "scheduleId": row.schedule_id,
        "dueAt": iso(row.due_at),
        "recipient": row.recipient,
        "userId": row.user_id,
        "format": row.format,
        "rows": row.rows,
        "size": row.size,
        "attached": row.attached,
        "status": row.status,
        "detail": row.detail,
        "updatedAt": iso(row.updated_at),
    }


# -- the workers' job ------------------------------------------------------------------------


class ReportSender:
    """Sends the reports that are due (the workers' ``report-delivery`` job)."""

    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.options = uow.options(AnalyticsOptions)

    def run_due(self, now: datetime | None = None) -> int:
        """Send every schedule due by ``now`` (locked: concurrent workers take different
        ones); how many were sent."""
        now = now or utcnow()
        query = (
            select(ReportSchedule)
            .where(ReportSchedule.active.is_(True), ReportSchedule.next_run_at <= now)
            .order_by(ReportSchedule.next_run_at)
            .limit(DUE_BATCH)
            .with_for_update(skip_locked=True)
        )
        due = list(self.session.scalars(query))
        for schedule in due:
            try:
                with self.session.begin_nested():
                    self.send(schedule, schedule.next_run_at)
            except DomainError as problem:  # a report that no longer runs: the others go
                log.warning(
                    "scheduled report not sent", schedule=schedule.id, problem=problem.message
                )
            schedule.last_run_at, schedule.next_run_at = now, next_run(schedule, now)
        self.session.flush()
        return len(due)

    def send(self, schedule: ReportSchedule, due: datetime) -> list[ReportDelivery]:
        """Run the report as of the due moment's local day, render it once, and send it to
        every recipient."""
        reports = Reports(self.uow)
        document = reports.get(schedule.report_id).document
        today = due.astimezone(ZoneInfo(schedule.time_zone)).date()
        table = reports.run(schedule.report_id, today)
        heading = heading_of(document, table, schedule.language)
        with export(table["columns"], table["rows"], schedule.format, heading) as file:
            content = file.read()
        made = []
        for number, recipient in enumerate(schedule.recipients):
            made.append(self._deliver(schedule, due, table, content, number, recipient))
        return made

    def _deliver(self, schedule, due, table, content: bytes, number: int, recipient: dict):
        address, user_id, skipped = self._address(recipient)
        attached = len(content) <= ATTACH_LIMIT
        row = ReportDelivery(
            schedule_id=schedule.id,
            report_id=schedule.report_id,
            due_at=due,
            recipient=address or skipped[0],
            user_id=user_id,
            format=schedule.format,
            rows=len(table["rows"]),
            size=len(content),
            attached=attached,
            status=SKIPPED if skipped else QUEUED,
            detail=skipped[1] if skipped else None,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        if skipped:
            return row
        words = WORDS.get(schedule.language, WORDS["en"])
        period = {"start": table["period"]["from"], "end": table["period"]["to"]}
        filename = _filename(table["name"], schedule.format)
        link = f"{self.options.base_url.rstrip('/')}/console/reports/{schedule.report_id}"
        if attached:
            lead = words["attached"].format(name=table["name"], rows=row.rows, **period)
            files = [Attachment(filename, FORMATS[schedule.format].split(";")[0], content)]
        else:
            megabytes = round(len(content) / (1024 * 1024), 1)
            lead = words["too_large"].format(name=table["name"], megabytes=megabytes, **period)
            files = []
        why = words["why"].format(frequency=words[schedule.frequency])
        body = f"{lead}\n\n{words['page'].format(link=link)}\n\n{why}\n"
        subject = words["subject"].format(name=table["name"], **period)[:300]
        queued = OutboxService(self.uow).enqueue(
            "email",
            {"to": address},
            {"subject": " ".join(subject.split()), "body": body},
            idempotency_key=f"report:{schedule.id}:{due.isoformat()}:{number}",
            subject=(SUBJECT, row.id),
            attachments=files,
        )
        row.message_id = queued.id
        return row

    def _address(self, recipient: dict) -> tuple[str | None, str | None, tuple | None]:
        """(address, user id, None), or (None, user id, (who, why not)) for a user who
        cannot be sent the report now."""
        if "email" in recipient:
            return recipient["email"], None, None
        users = UserService(self.uow)
        try:
            user = users.get_user(recipient["userId"])
        except NotFound:
            return None, recipient["userId"], (recipient["userId"], "the user no longer exists")
        if user.disabled:
            return None, user.id, (user.username, "the user is disabled")
        if REPORT_READ not in users.grants(user.id)[0]:
            return None, user.id, (user.username, "the user may no longer read reports")
        if not user.email:
            return None, user.id, (user.username, "the user has no email address")
        return user.email, user.id, None


def _filename(name: str, kind: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")[:100] or "report"
    return f"{stem}.{kind}"


def settle_from_worker(session: Session, row, status: str, settings) -> None:
    """The outbox worker's outcome of a delivery's email (registered by parley.wiring), in
    the transaction that records it."""
    error = OutboxService(UnitOfWork(session, settings, WORKER)).get(row.id).last_error
    if status == DELIVERED:
        values = {"status": DELIVERED, "detail": None}
    elif status == DEAD:
        values = {"status": FAILED, "detail": (error or "failed")[:500]}
    else:  # a passing failure: still queued, with what went wrong
        values = {"status": QUEUED, "detail": (error or "")[:500] or None}
    statement = (
        update(ReportDelivery)
        .where(ReportDelivery.id == row.subject_id)
        .values(**values, updated_at=utcnow())
    )
    session.execute(statement)
