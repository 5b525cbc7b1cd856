"""A customer's timeline on the 360: every interaction across channels and the person's other
(former) customer accounts, newest first, read through ``InteractionService.timeline`` (the
keyset cursor of ``/api/v1/customers/{id}/interactions``), filtered by channel, direction,
reason and period; each entry opens to show its notes, what it refers to and who logged it.

A page holds ``PAGE`` entries and ends with a link to the older ones: htmx follows it when it
scrolls into view (infinite scroll) and puts the next page in its place; without JavaScript it
is a plain link to a page showing them. Dates of the period are days in the reader's time zone.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from parley.interactions.models import DIRECTIONS
from parley.interactions.reasons import ReasonCatalogue
from parley.interactions.service import InteractionService
from parley.parties.service import PartyService
from parley.web.access import Visitor
from parley.web.labels import CHANNELS

PAGE = 20
FILTERS = ("channel", "direction", "reason", "since", "until")


@dataclass(frozen=True)
class NoteLine:
    author: str | None
    when: datetime | None
    text: str


@dataclass(frozen=True)
class Related:
    kind: str  # TroubleTicket, CommunicationMessage, SalesLead, ...
    id: str
    role: str | None


@dataclass(frozen=True)
class Entry:
    id: str
    started_at: datetime
    ended_at: datetime | None
    minutes: int | None
    channel: str | None
    direction: str
    reason_code: str | None
    reason_label: str | None
    reason_text: str | None
    status: str
    description: str | None
    full_description: str | None
    logged_by: str
    other_account: str | None  # the customer number of another account of the person
    notes: list[NoteLine]
    related: list[Related]

    @property
    def open(self) -> bool:
        return self.status != "completed"


@dataclass
class Filters:
    channel: str = ""
    direction: str = ""
    reason: str = ""
    since: str = ""  # YYYY-MM-DD, in the reader's zone
    until: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def query(self, **extra) -> str:
        given = {name: getattr(self, name) for name in FILTERS if getattr(self, name)}
        return urlencode({**given, **{k: v for k, v in extra.items() if v}})

    @property
    def any(self) -> bool:
        return any(getattr(self, name) for name in FILTERS)


@dataclass
class TimelineView:
    entries: list[Entry]
    filters: Filters
    next_cursor: str | None
    reasons: list[tuple[str, str]]  # (code, label) for the filter
    channels: tuple[str, ...]
    older: bool  # this page starts at a cursor (the newest are on the first page)

    def more_query(self) -> str:
        return self.filters.query(cursor=self.next_cursor)


def read_filters(visitor: Visitor, params: QueryParams, reasons: set[str]) -> Filters:
    """The filters asked for; a value that can't be one is said beside its field and left
    out of the query."""
    gettext = visitor.locale.gettext
    filters = Filters()
    channel = params.get("channel", "")
    if channel in CHANNELS:
        filters.channel = channel
    elif channel:
        filters.errors["channel"] = gettext("Choose a channel from the list.")
    direction = params.get("direction", "")
    if direction in DIRECTIONS:
        filters.direction = direction
    elif direction:
        filters.errors["direction"] = gettext("Choose a direction from the list.")
    reason = params.get("reason", "")
    if reason in reasons:
        filters.reason = reason
    elif reason:
        filters.errors["reason"] = gettext("Choose a reason from the list.")
    for name in ("since", "until"):
        text = params.get(name, "")[:20]
        if text and _day(text) is None:
            filters.errors[name] = gettext("A date, such as 2026-03-31.")
        elif text:
            setattr(filters, name, text)
    if filters.since and filters.until and _day(filters.since) > _day(filters.until):
        filters.errors["until"] = gettext("The end of the period is before its start.")
        filters.until = ""
    return filters


def timeline_of(
    visitor: Visitor, customer_id: str, params: QueryParams, page_size: int = PAGE
) -> TimelineView:
    catalogue = ReasonCatalogue(visitor.uow).list_reasons()
    reasons = [(r.code, r.label) for r in catalogue]
    filters = read_filters(visitor, params, {code for code, _ in reasons})
    cursor = params.get("cursor") or None
    zone = visitor.locale.zone
    since = _start_of(filters.since, zone)
    until = _start_of(filters.until, zone, days=1)
    service = InteractionService(visitor.uow)
    page = service.timeline(
        customer_id,
        limit=page_size,
        cursor=cursor[:200] if cursor else None,
        channel=filters.channel or None,
        direction=filters.direction or None,
        reason=filters.reason or None,
        since=since,
        until=until,
    )
    documents = service.documents([row.id for row in page.items])
    numbers = _other_accounts(visitor, customer_id, page.items)
    entries = [_entry(row, documents.get(row.id) or {}, numbers) for row in page.items]
    return TimelineView(entries, filters, page.next_cursor, reasons, CHANNELS, bool(cursor))


def _entry(row, document: dict, numbers: dict[str, str]) -> Entry:
    ended = row.ended_at
    minutes = round((ended - row.started_at).total_seconds() / 60) if ended else None
    notes = [
        NoteLine(n.get("author"), _instant(n.get("date")), str(n.get("text") or ""))
        for n in document.get("note") or []
        if n.get("text")
    ]
    related = []
    for item in document.get("interactionItem") or []:
        thing = item.get("item") or {}
        entity = thing.get("entity") or {}
        if entity.get("id"):
            related.append(
                Related(entity.get("@referredType") or "", entity["id"], thing.get("role"))
            )
    full = document.get("description")
    return Entry(
        id=row.id,
        started_at=row.started_at,
        ended_at=ended,
        minutes=minutes,
        channel=row.channel,
        direction=row.direction,
        reason_code=row.reason_code,
        reason_label=row.reason_label,
        reason_text=row.reason if row.reason and row.reason != row.reason_code else None,
        status=row.status,
        description=row.description,
        full_description=full if isinstance(full, str) and full != row.description else None,
        logged_by=row.logged_by,
        other_account=numbers.get(row.customer_id) if row.customer_id else None,
        notes=notes,
        related=related,
    )


def _other_accounts(visitor: Visitor, customer_id: str, rows) -> dict[str, str]:
    """Customer numbers of the person's other accounts that entries of this page belong to."""
    others = {row.customer_id for row in rows if row.customer_id and row.customer_id != customer_id}
    parties = PartyService(visitor.uow)
    return {other: parties.get_customer(other).customer_number for other in others}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _start_of(text: str, zone, days: int = 0) -> datetime | None:
    day = _day(text) if text else None
    if day is None:
        return None
    try:
        moment = datetime.combine(day + timedelta(days=days), time(), zone)
        moment.astimezone(UTC)  # a day at the very edge of the calendar has no UTC instant
    except OverflowError:
        return None
    return moment


def _instant(text) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
