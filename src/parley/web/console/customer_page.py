"""What the customer 360 shows, read through the domains' services: the header, contact details
and the form that changes them, billing accounts (``web/accounts.py``), contact preferences
and consent, notes, the open requests with their SLA state, and the customer's latest
satisfaction answers (CSAT). Each part is read only when
the visitor's roles allow it; a part they may not read is left out (``None``), not shown
empty."""

from dataclasses import dataclass
from datetime import datetime

from parley.analytics.service import AnalyticsService
from parley.auth.permissions import (
    CUSTOMER_WRITE,
    NOTE_READ,
    NOTE_WRITE,
    PREFERENCE_READ,
    REQUEST_READ,
    REQUEST_WRITE,
)
from parley.db.base import utcnow
from parley.errors import NotFound
from parley.interactions.reasons import ReasonCatalogue
from parley.notifications.preferences import PreferenceService
from parley.parties.models import INACTIVE_CUSTOMER_STATUSES, Customer
from parley.parties.service import PartyService
from parley.requests import lifecycle as lc
from parley.requests.catalogue import RequestTypeCatalogue
from parley.requests.service import RequestService
from parley.requests.sla.clocks import SlaClocks
from parley.requests.sla.models import RequestSla
from parley.requests.surveys import SurveyService, survey_state
from parley.web.access import Visitor
from parley.web.contact_change import instant, is_current
from parley.web.labels import readable_phone

NOTES_SHOWN = 10
SURVEYS_SHOWN = 5
REQUESTS_READ = 100  # the latest requests looked at for the open ones


@dataclass(frozen=True)
class ContactView:
    kind: str  # PhoneContactMedium, EmailContactMedium, GeographicAddressContactMedium, ...
    value: str
    contact_type: str | None  # mobile, home, work, ...
    preferred: bool
    former: bool  # its validity has ended: history, not a way to reach them


@dataclass(frozen=True)
class CustomerView:
    id: str
    name: str
    number: str
    status: str
    status_reason: str | None
    inactive: bool
    segment: str | None
    since: datetime | None
    until: datetime | None
    status_since: datetime


@dataclass(frozen=True)
class PreferencesView:
    channel: str | None
    language: str | None
    marketing_opt_out: bool
    quiet_start: str | None
    quiet_end: str | None
    time_zone: str


@dataclass(frozen=True)
class NoteView:
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class SlaView:
    state: str  # onTrack, atRisk, breached, paused, met, missed
    due_at: datetime
    paused_since: datetime | None


@dataclass(frozen=True)
class RequestRow:
    id: str
    type_name: str
    status: str
    priority: str
    created_at: datetime
    expected_at: datetime | None
    sla: SlaView | None


def customer_view(customer: Customer) -> CustomerView:
    document = customer.document or {}
    valid = document.get("validFor") or {}
    segment = next(
        (c.get("value") for c in document.get("characteristic", []) if c.get("name") == "segment"),
        None,
    )
    return CustomerView(
        id=customer.id,
        name=customer.name,
        number=customer.customer_number,
        status=customer.status,
        status_reason=document.get("statusReason"),
        inactive=customer.status in INACTIVE_CUSTOMER_STATUSES,
        segment=segment if isinstance(segment, str) else None,
        since=instant(valid.get("startDateTime")) or customer.created_at,
        until=instant(valid.get("endDateTime")),
        status_since=customer.status_changed_at,
    )


def contact_views(media: list[dict]) -> list[ContactView]:
    """Current details first, then former ones (marked)."""
    shown = [_contact(medium) for medium in media]
    return sorted((c for c in shown if c.value), key=lambda c: c.former)


def preferences_of(visitor: Visitor, customer_id: str) -> PreferencesView | None:
    if not visitor.may(PREFERENCE_READ):
        return None
    found = PreferenceService(visitor.uow).get(customer_id)
    return PreferencesView(
        channel=found.preferred_channel,
        language=found.language,
        marketing_opt_out=found.marketing_opt_out,
        quiet_start=found.quiet_start,
        quiet_end=found.quiet_end,
        time_zone=found.time_zone,
    )


def notes_of(visitor: Visitor, customer_id: str) -> tuple[list[NoteView], int] | None:
    if not visitor.may(NOTE_READ):
        return None
    found, total = PartyService(visitor.uow).list_notes(customer_id, 0, NOTES_SHOWN)
    return [NoteView(n.author, n.text, n.created_at) for n in found], total


def open_requests_of(visitor: Visitor, customer_id: str) -> list[RequestRow] | None:
    if not visitor.may(REQUEST_READ):
        return None
    service = RequestService(visitor.uow)
    rows = [r for r in service.of_customer(customer_id, REQUESTS_READ) if r.status not in lc.FINAL]
    return request_rows(visitor, rows)


def request_rows(visitor: Visitor, rows: list) -> list[RequestRow]:
    catalogue, clocks = RequestTypeCatalogue(visitor.uow), SlaClocks(visitor.uow)
    names: dict[str, str] = {}
    shown = []
    for row in rows:
        if row.type_id not in names:
            names[row.type_id] = catalogue.get(row.type_id).name
        shown.append(
            RequestRow(
                id=row.id,
                type_name=names[row.type_id],
                status=row.status,
                priority=row.priority,
                created_at=row.created_at,
                expected_at=row.expected_resolution_at,
                sla=sla_view(clocks.of(row.id)),
            )
        )
    return shown


@dataclass(frozen=True)
class SurveyLine:
    """A satisfaction survey as an agent reads it."""

    request_id: str
    reference: str
    state: str  # answered, waiting, expired (requests/surveys.py)
    asked_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    rating: int | None
    comment: str | None


def survey_line(survey, reference: str) -> SurveyLine:
    return SurveyLine(
        survey.request_id, reference, survey_state(survey), survey.created_at,
        survey.expires_at, survey.answered_at, survey.rating, survey.comment,
    )  # fmt: skip


def answered_surveys_of(visitor: Visitor, customer_id: str) -> tuple[list[SurveyLine], int]:
    """The customer's latest answers, and how many they gave (none: nothing to show)."""
    if not visitor.may(REQUEST_READ):
        return [], 0
    found, total = SurveyService(visitor.uow).of_customer(
        customer_id, 0, SURVEYS_SHOWN, answered_only=True
    )
    return [survey_line(survey, reference) for survey, reference in found], total


@dataclass(frozen=True)
class ProblemBanner:
    reason: str  # the reason's label (a seeded one is a msgid, translated when shown)
    area: str
    opened_at: datetime
    note: str | None


def problems_of(visitor: Visitor, customer_id: str) -> list[ProblemBanner]:
    """The open problems in the customer's area: the agent knows of an outage before the
    caller explains it."""
    found = AnalyticsService(visitor.uow).problems_near(customer_id)
    reasons = ReasonCatalogue(visitor.uow)
    return [
        ProblemBanner(_reason(reasons, p.reason_code), p.area, p.opened_at, p.note) for p in found
    ]


def _reason(reasons: ReasonCatalogue, code: str) -> str:
    try:
        return reasons.get(code).label
    except NotFound:  # a reason removed since, or one a supervisor typed
        return code


def sla_view(clock: RequestSla | None, now: datetime | None = None) -> SlaView | None:
    """Where the request stands against its promise: on track, at risk (past the warning
    share), breached, paused; once stopped, met or missed."""
    if clock is None:
        return None
    now = now or utcnow()
    if clock.state == "stopped":
        state = "missed" if clock.breached_at else "met"
    elif clock.state == "paused":
        state = "paused"
    elif clock.breached_at or now >= clock.due_at:
        state = "breached"
    elif clock.warned_at or now >= clock.warn_at:
        state = "atRisk"
    else:
        state = "onTrack"
    return SlaView(state, clock.due_at, clock.paused_at)


def permissions(visitor: Visitor) -> dict[str, bool]:
    """What the page offers to change."""
    return {
        "add_note": visitor.may(NOTE_WRITE),
        "edit_contacts": visitor.may(REQUEST_WRITE) and visitor.may(CUSTOMER_WRITE),
    }


def _contact(medium: dict) -> ContactView:
    kind = medium.get("@type", "")
    if kind == "PhoneContactMedium":
        value = readable_phone(medium.get("phoneNumber", ""))
    elif kind == "EmailContactMedium":
        value = medium.get("emailAddress", "")
    else:
        town = " ".join(p for p in (medium.get("postCode"), medium.get("city")) if p)
        parts = (medium.get("street1"), medium.get("street2"), town, medium.get("country"))
        value = ", ".join(p for p in parts if p)
    preferred = bool(medium.get("preferred"))
    return ContactView(kind, value, medium.get("contactType"), preferred, not is_current(medium))
