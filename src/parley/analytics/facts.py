"""From a request as TMF621 serves it (an event's document) and what other domains add, to its
fact row; from an interaction to its fact row. Pure functions: the same for the workers'
upkeep and for a rebuild from history, so the two cannot disagree.

Definitions (docs/analytics.md):
- first response: the first status change out of ``acknowledged``; a reopen never resets it.
- resolution time: the time the request was open, from its creation to its last close,
  without the time it spent closed before being reopened.
- business variants: the same spans counted in the handling team's opening hours.
- SLA met: closed no later than its expected resolution date.
"""

from dataclasses import dataclass
from datetime import datetime

from parley.analytics.calendars import Calendar

CLOSED, ACKNOWLEDGED = "closed", "acknowledged"
OUTCOME, RESOLUTION_CODE, REFERENCE = "outcome", "resolutionCode", "requestReference"
# Channels where customers help themselves; the rest are assisted (an agent answers).
SELF_SERVICE_CHANNELS = frozenset({"web", "portal", "app", "ivr", "ussd", "sms", "chatbot"})


@dataclass(frozen=True)
class RequestContext:
    """What the request's document does not say, from the other domains."""

    category: str | None = None
    channel: str | None = None
    reason_code: str | None = None
    segment: str | None = None
    area: str | None = None
    tasks: tuple[dict, ...] = ()  # the request's tasks as the workflow shows them
    # The code of the request's type (the ticket's ``ticketType`` is the client's own word,
    # kept as sent); None: the ticketType is the code (a history built by hand).
    type_code: str | None = None


def moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def request_fact(ticket: dict, context: RequestContext, calendars) -> dict:
    """The fact row of ``ticket``; ``calendars(team)`` gives a team's Calendar."""
    history = [
        (change["status"], moment(change["statusChangeDate"]))
        for change in ticket.get("statusChangeHistory") or []
    ]
    created = moment(ticket["creationDate"])
    status = ticket["status"]
    values = _characteristics(ticket)
    first_response = next((at for s, at in history if s != ACKNOWLEDGED), None)
    open_spans, closed_at, reopens = _open_spans(created, history, status)
    team = _team(context.tasks)
    calendar: Calendar = calendars(team)
    due = moment(ticket.get("expectedResolutionDate"))
    fact = {
        "request_id": ticket["id"],
        "reference": values.get(REFERENCE),
        "customer_id": _customer(ticket),
        "status": status,
        "type_code": context.type_code or ticket.get("ticketType"),
        "category": context.category,
        "channel": context.channel,
        "reason_code": context.reason_code,
        "priority": ticket.get("priority"),
        "outcome": values.get(OUTCOME) if closed_at else None,
        "resolution_code": values.get(RESOLUTION_CODE) if closed_at else None,
        "segment": context.segment,
        "area": context.area,
        "team": team,
        "created_at": created,
        "first_response_at": first_response,
        "closed_at": closed_at,
        "closed_day": closed_at.date() if closed_at else None,
        "due_at": due,
        "reopens": reopens,
        "tasks": len(context.tasks),
        "handbacks": sum(1 for task in context.tasks if _handed_back(task)),
        "first_response_seconds": None,
        "first_response_business_seconds": None,
        "resolution_seconds": None,
        "resolution_business_seconds": None,
        "sla_met": (closed_at <= due) if closed_at and due else None,
    }
    if first_response is not None:
        fact["first_response_seconds"] = (first_response - created).total_seconds()
        fact["first_response_business_seconds"] = calendar.business_seconds(created, first_response)
    if closed_at is not None:
        fact["resolution_seconds"] = sum((end - start).total_seconds() for start, end in open_spans)
        fact["resolution_business_seconds"] = sum(
            calendar.business_seconds(start, end) for start, end in open_spans
        )
    return fact


def _open_spans(created, history, status):
    """The spans the request was open (up to its last close, if closed now), its last close
    and how often it was reopened."""
    spans, opened, last_close, reopens = [], created, None, 0
    for state, at in history:
        if state == CLOSED and opened is not None:
            spans.append((opened, at))
            opened, last_close = None, at
        elif state != CLOSED and opened is None:
            opened, reopens = at, reopens + 1
    return spans, (last_close if status == CLOSED else None), reopens


def _characteristics(ticket: dict) -> dict:
    return {c.get("name"): c.get("value") for c in ticket.get("troubleTicketCharacteristic") or []}


def _customer(ticket: dict) -> str | None:
    for related in ticket.get("relatedParty") or []:
        if is_customer_ref(related):
            return (related.get("partyOrPartyRole") or {}).get("id")
    return None


def is_customer_ref(related: dict) -> bool:
    return (related.get("partyOrPartyRole") or {}).get("@referredType") == "Customer"


def _team(tasks) -> str | None:
    """The handling team: the queue of the request's latest task (None: no task, the front
    line handled it)."""
    if not tasks:
        return None
    latest = max(tasks, key=lambda task: task.get("creationDate") or "")
    return (latest.get("queue") or {}).get("code")


def _handed_back(task: dict) -> bool:
    """A task handed back keeps the reason it was handed back with (a cancelled one has a
    reason too, for the cancelling)."""
    return bool(task.get("reason")) and task.get("status") != "cancelled"


def interaction_fact(row, segment: str | None, area: str | None) -> dict:
    """The fact row of a completed interaction (``row``: its table row)."""
    channel = (row.channel or "").lower() or None
    return {
        "interaction_id": row.id,
        "customer_id": row.customer_id,
        "direction": row.direction,
        "channel": channel,
        "self_service": row.direction == "inbound" and channel in SELF_SERVICE_CHANNELS,
        "reason_code": row.reason_code,
        "segment": segment,
        "area": area,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "day": row.started_at.date(),
    }


def customer_segment(document: dict) -> str | None:
    for characteristic in document.get("characteristic") or []:
        if characteristic.get("name") == "segment":
            return str(characteristic.get("value"))[:64]
    return None


def customer_area(contact_media: list[dict]) -> str | None:
    """The postcode of the customer's first postal address: the area problems are found in."""
    for medium in contact_media:
        post_code = medium.get("postCode") or (medium.get("characteristic") or {}).get("postCode")
        if post_code:
            return str(post_code).strip()[:32]
    return None
