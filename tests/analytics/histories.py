"""Hand-built histories for the KPI tests: requests as TMF621 serves them and completed
interactions, at chosen moments, stored as the workers store them."""

from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import delete

from parley.analytics.calendars import DEFAULT_TEAM
from parley.analytics.facts import RequestContext
from parley.analytics.models import BusinessCalendar
from parley.db.base import iso


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def ticket(
    request_id: str,
    customer: str,
    created: datetime,
    changes: list[tuple[str, datetime]],
    due: datetime | None = None,
    outcome: str | None = None,
    code: str | None = None,
    type_code: str = "fault",
) -> dict:
    """A request as served: its status is its last change's."""
    characteristics = [
        {"@type": "StringCharacteristic", "name": "requestReference", "value": request_id[:16]}
    ]
    if outcome:
        characteristics += [
            {"@type": "StringCharacteristic", "name": "outcome", "value": outcome},
            {"@type": "StringCharacteristic", "name": "resolutionCode", "value": code},
        ]
    history = [("acknowledged", created), *changes]
    return {
        "id": request_id,
        "@type": "TroubleTicket",
        "ticketType": type_code,
        "status": history[-1][0],
        "priority": "medium",
        "creationDate": iso(created),
        "expectedResolutionDate": iso(due) if due else None,
        "relatedParty": [
            {"partyOrPartyRole": {"id": customer, "@referredType": "Customer"}, "role": "customer"}
        ],
        "troubleTicketCharacteristic": characteristics,
        "statusChangeHistory": [
            {"@type": "StatusChange", "status": status, "statusChangeDate": iso(moment)}
            for status, moment in history
        ],
    }


def context(reason: str, channel: str = "phone", tasks=(), segment="residential", area="10115"):
    return RequestContext("assurance", channel, reason, segment, area, tuple(tasks))


def task(queue: str, created: datetime, handed_back: bool = False) -> dict:
    return {
        "id": f"task-{queue}-{created.isoformat()}",
        "status": "done",
        "queue": {"code": queue, "name": queue},
        "creationDate": iso(created),
        "reason": "needs a technician on site" if handed_back else None,
    }


def contact(
    contact_id: str,
    customer: str,
    channel: str,
    reason: str,
    started: datetime,
    direction: str = "inbound",
):
    """A completed interaction's row, as the interaction log keeps it."""
    return SimpleNamespace(
        id=contact_id,
        customer_id=customer,
        direction=direction,
        channel=channel,
        reason_code=reason,
        started_at=started,
        ended_at=started,
    )


def calendars(session, **teams) -> None:
    """Replace the business calendars: ``team=(time zone, hours, holidays)``."""
    session.execute(delete(BusinessCalendar))
    for team, (zone, hours, holidays) in teams.items():
        session.add(BusinessCalendar(team=team, time_zone=zone, hours=hours, holidays=holidays))
    session.flush()


OFFICE = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
LONG_DAYS = {day: [["06:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
BERLIN_OFFICE = {DEFAULT_TEAM: ("Europe/Berlin", OFFICE, [])}
