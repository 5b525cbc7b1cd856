"""A report's scheduled delivery on its page in the console: everyone who reads the report
sees its schedules and the last deliveries; administrators (``report:write``) add and remove
schedules. Recipients are written one a line: a staff user's username, or an email address."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from parley.analytics.delivery import WEEKDAYS, ReportSchedules
from parley.analytics.pdf import LANGUAGES
from parley.auth.permissions import REPORT_WRITE
from parley.auth.users import UserService
from parley.errors import NotFound
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable
from parley.web.forms import Form, read_form
from parley.web.i18n import N_
from parley.web.site import Site

FIELDS = ("frequency", "time", "weekday", "dayOfMonth", "timeZone", "format", "language")
WORDING = Wording(
    fields={name: name for name in (*FIELDS, "recipients")}, default_field="recipients"
)
RECENT = 20  # deliveries shown on the page
WEEKDAY_NAMES = (
    N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
    N_("Sunday"),
)  # fmt: skip
DELIVERY_STATES = {
    "queued": N_("queued"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
    "skipped": N_("not sent"),
}


async def _form(request: Request) -> dict[str, str]:
    return await read_form(request)


def router(site: Site, page) -> APIRouter:
    """``page(visitor, report_id, form, status)``: the report's page, as dashboard.py shows it."""
    pages = APIRouter()
    Writer = Annotated[Visitor, site.page(REPORT_WRITE)]
    Fields = Annotated[dict[str, str], Depends(_form)]

    @pages.post("/reports/{report_id}/schedules")
    def add(visitor: Writer, report_id: str, form: Fields):
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        try:
            document = _document(visitor, given)
            attempt(
                visitor, lambda: ReportSchedules(visitor.uow).create(report_id, document), WORDING
            )
        except Refused as refused:
            given.errors = refused.errors
            return page(visitor, report_id, given, 422)
        return site.redirect(visitor, f"/reports/{report_id}#schedules")

    @pages.post("/reports/{report_id}/schedules/{schedule_id}/delete")
    def remove(visitor: Writer, report_id: str, schedule_id: str):
        ReportSchedules(visitor.uow).delete(report_id, schedule_id)  # else the 404 page
        return site.redirect(visitor, f"/reports/{report_id}#schedules")

    return pages


def context(visitor: Visitor, report_id: str, form: Form | None) -> dict:
    """What the report page shows of its delivery: schedules (with the recipients' names),
    the last deliveries, and the form to add one."""
    schedules = ReportSchedules(visitor.uow)
    rows = schedules.find(report_id)
    users = UserService(visitor.uow)
    names = {}
    for row in rows:
        for recipient in row.recipients:
            if "userId" in recipient and recipient["userId"] not in names:
                try:
                    names[recipient["userId"]] = users.get_user(recipient["userId"]).username
                except NotFound:
                    names[recipient["userId"]] = recipient["userId"]
    deliveries, _ = schedules.deliveries(report_id, 0, RECENT)
    language = visitor.locale.language if visitor.locale.language in LANGUAGES else "en"
    default = {
        "frequency": "weekly",
        "time": "07:00",
        "weekday": "monday",
        "dayOfMonth": "1",
        "timeZone": visitor.locale.zone.key,
        "format": "pdf",
        "language": language,
    }
    return {
        "schedules": rows,
        "recipient_names": names,
        "deliveries": deliveries,
        "schedule_form": form or Form(default),
        "weekdays": WEEKDAYS,
        "weekday_names": WEEKDAY_NAMES,
        "delivery_states": DELIVERY_STATES,
        "may_schedule": visitor.may(REPORT_WRITE),
    }


def _document(visitor: Visitor, form: Form) -> dict:
    """The schedule the form asks for; recipients by username or address."""
    document: dict = {name: printable(form.value(name)) for name in FIELDS}
    day = document.pop("dayOfMonth")
    document["dayOfMonth"] = int(day) if day.isdigit() and len(day) < 3 else None
    recipients = []
    users = UserService(visitor.uow)
    for line in form.value("recipients").splitlines():
        entry = printable(line)
        if not entry:
            continue
        try:
            recipients.append({"userId": users.get_by_username(entry).id})
        except NotFound:
            if "@" not in entry:
                gettext = visitor.locale.gettext
                message = gettext("No staff user is named %(name)s.") % {"name": entry[:150]}
                raise Refused({"recipients": message}) from None
            recipients.append({"email": entry})
    document["recipients"] = recipients
    return document
