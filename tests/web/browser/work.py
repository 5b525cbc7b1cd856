"""Work for the supervisors' and administrators' browser tests, made through the services on
the demo data set: fault requests whose tasks wait in a queue (one past its SLA, one at
risk), an agent's adjustment above their limit waiting for approval, and a dead letter."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.auth.models import User
from parley.changes import UnitOfWork
from parley.db.base import utcnow
from parley.outbox.models import DEAD, OutboxMessage
from parley.outbox.service import OutboxService
from parley.parties.models import BillingAccount, Customer
from parley.requests.service import RequestService
from parley.requests.sla.models import RequestSla
from parley.requests.workflow.models import RequestTask
from parley.settings import Settings

ADJUSTMENT = "250.00"  # above the agent's 100 EUR, within the supervisor's 1000


def _customer_ref(customer_id: str) -> dict:
    return {
        "@type": "RelatedPartyOrPartyRole",
        "role": "customer",
        "partyOrPartyRole": {
            "@type": "PartyRoleRef",
            "id": customer_id,
            "@referredType": "Customer",
        },
    }


def _as(session: Session, settings: Settings, username: str) -> UnitOfWork:
    user = session.scalars(select(User).where(User.username == username)).one()
    return UnitOfWork(session, settings, Actor(username, "api", user_id=user.id))


def faults(session: Session, settings: Settings, customers: list[str], late_hours: list[int]):
    """A fault repair for each customer, opened ``late_hours`` ago (its SLA clock and task
    moved back as if it had waited that long). Returns the request ids."""
    made = []
    for customer_id, hours in zip(customers, late_hours, strict=True):
        document = {
            "@type": "TroubleTicket",
            "description": "No internet since the storm; the router's DSL light blinks",
            "severity": "major",
            "ticketType": "fault.repair",
            "relatedParty": [_customer_ref(customer_id)],
        }
        row = RequestService(_as(session, settings, "agent")).create(document)
        session.flush()
        back = timedelta(hours=hours)
        clock = session.get(RequestSla, row.id)
        clock.started_at, clock.warn_at = clock.started_at - back, clock.warn_at - back
        clock.due_at = clock.due_at - back
        clock.next_check_at = clock.next_check_at and clock.next_check_at - back
        for task in session.scalars(select(RequestTask).where(RequestTask.request_id == row.id)):
            task.created_at = task.created_at - back
        made.append(row.id)
    session.commit()
    return made


def adjustment(session: Session, settings: Settings, customer_id: str) -> str:
    """The demo agent's adjustment above their limit: it waits for a supervisor."""
    account = session.scalars(
        select(BillingAccount.id).where(BillingAccount.customer_id == customer_id).limit(1)
    ).one()
    document = {
        "@type": "TroubleTicket",
        "description": "Credit for four days without internet after the storm",
        "severity": "major",
        "ticketType": "adjustment",
        "relatedParty": [_customer_ref(customer_id)],
        "troubleTicketCharacteristic": [
            {"@type": "StringCharacteristic", "name": "amount", "value": ADJUSTMENT},
            {"@type": "StringCharacteristic", "name": "currency", "value": "EUR"},
            {"@type": "StringCharacteristic", "name": "billingAccount", "value": account},
        ],
    }
    row = RequestService(_as(session, settings, "agent")).create(document)
    session.commit()
    return row.id


def dead_letter(session: Session, settings: Settings) -> str:
    outbox = OutboxService(UnitOfWork(session, settings, Actor("test-setup", "test")))
    made = outbox.enqueue(
        "order",
        {"url": "https://ordering.example.net/orders"},
        {"category": "newCustomerAcquisition"},
        subject=("salesLead", "8d1f0c3e-5a7b-4e61-9d2c-1b6f0a9e7c44"),
    )
    row = session.get(OutboxMessage, made.id)
    row.status, row.attempts = DEAD, 8
    row.last_error = "HTTP 503 from ordering.example.net: Service Unavailable"
    row.created_at = utcnow() - timedelta(hours=5)
    session.commit()
    return made.id


def active_customers(session: Session, count: int) -> list[str]:
    has_account = select(BillingAccount.id).where(BillingAccount.customer_id == Customer.id)
    query = (
        select(Customer.id)
        .where(Customer.status == "active", has_account.exists())
        .order_by(Customer.customer_number)
        .limit(count)
    )
    return list(session.scalars(query))


def internal_ticket(session: Session, settings: Settings) -> str:
    """A network fault an OSS reports, for no customer: the internal type's triage task waits
    in technical support."""
    document = {
        "@type": "TroubleTicket",
        "description": "Backhaul of cell 4711 lost since 03:12; 2,300 subscribers affected",
        "severity": "Critical",
        "ticketType": "alarm",
    }
    row = RequestService(_as(session, settings, "agent")).create(document)
    session.commit()
    return row.id
