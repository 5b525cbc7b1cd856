"""Demo interaction history: each demo customer's calls, emails, web visits, bills and notices
over the two years before the demo's "today", so that a timeline has something to show."""

import random
from datetime import datetime, timedelta

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.interactions.service import InteractionService

AGENTS = ("demo-agent", "anna.k", "mehmet.y", "julia.s")
# (channel, direction, reason, description, minutes it lasts); weights in WEIGHTS.
KINDS = (
    ("phone", "inbound", "billing.enquiry", "Asked why the last bill was higher", 7),
    ("phone", "inbound", "fault.report", "No mobile data since the morning", 12),
    ("phone", "inbound", "plan.change", "Wants a tariff with more data", 9),
    ("phone", "inbound", "complaint", "Unhappy with the time to fix a fault", 15),
    ("email", "inbound", "contact.change", "New postal address sent by email", 0),
    ("email", "inbound", "billing.dispute", "Disputes a roaming charge", 0),
    ("web", "inbound", "order.new", "Booked a data add-on in self-service", 3),
    ("web", "inbound", "request.status", "Checked the status of a repair", 1),
    ("ivr", "inbound", "payment", "Paid an open invoice by phone keypad", 2),
    ("ussd", "inbound", "information", "Checked the remaining data volume", 0),
    ("email", "outbound", "billing.issued", "Monthly bill sent", 0),
    ("sms", "outbound", "notification", "Planned maintenance in the area", 0),
    ("phone", "outbound", "order.status", "Called back: the router ships tomorrow", 4),
)
WEIGHTS = (10, 6, 5, 2, 3, 2, 4, 3, 3, 3, 12, 3, 2)
NOTES = (
    "Customer was friendly, issue explained.",
    "Promised a call-back within two days.",
    "Sent the tariff overview by email.",
    "Escalated to second level.",
)


def log_demo_interactions(
    uow: UnitOfWork, customer_ids: list[str], today: datetime, seed: int
) -> int:
    """Log 2-12 interactions per customer between two years before ``today`` and ``today``;
    the latest of some stays open (a case still running), each by one of the demo agents.
    Returns how many were logged."""
    rng = random.Random(seed)
    logged = 0
    for customer_id in customer_ids:
        moments = sorted(
            today - timedelta(minutes=rng.randint(30, 2 * 365 * 24 * 60))
            for _ in range(rng.randint(2, 12))
        )
        for index, started in enumerate(moments):
            latest = index == len(moments) - 1
            document = _document(
                rng, customer_id, started, still_open=latest and rng.random() < 0.2
            )
            channel = document["relatedChannel"][0]["channel"]["id"]
            actor = Actor(rng.choice(AGENTS), channel)
            InteractionService(uow.acting_as(actor)).create(document)
            logged += 1
    return logged


def _document(rng: random.Random, customer_id: str, started: datetime, still_open: bool) -> dict:
    channel, direction, reason, description, minutes = rng.choices(KINDS, WEIGHTS)[0]
    period = {"startDateTime": _iso(started)}
    if not still_open:
        period["endDateTime"] = _iso(
            started + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
        )
    document = {
        "@type": "PartyInteraction",
        "direction": direction,
        "reason": reason,
        "description": description,
        "status": "inProgress" if still_open else "completed",
        "interactionDate": period,
        "relatedChannel": [
            {
                "@type": "RelatedChannel",
                "role": "contact",
                "channel": {"@type": "ChannelRef", "id": channel, "name": channel},
            }
        ],
        "relatedParty": [
            {
                "@type": "RelatedPartyOrPartyRole",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": customer_id,
                    "@referredType": "Customer",
                },
            }
        ],
    }
    if channel == "phone" and rng.random() < 0.4:
        document["note"] = [{"@type": "Note", "text": rng.choice(NOTES), "date": _iso(started)}]
    return document


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
