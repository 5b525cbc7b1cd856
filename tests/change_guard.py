"""Fails any unit of work that writes a resource's row without recording the change.

Every write to a resource table must go through ``UnitOfWork.record`` (or ``publish``), which
writes the audit line and the domain event together. This guard watches the ORM's flushes of
the sessions units of work use and, when such a session commits, refuses rows of the tables
below that no recorded change names. Child rows (keys, contacts, history) belong to their
parent's change and are not listed.
"""

from itertools import chain

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from parley.auth.models import Role, User
from parley.changes.uow import RECORDED
from parley.events.models import EventSubscription
from parley.interactions.models import Interaction, InteractionReason
from parley.leads.models import SalesLead
from parley.mediation.models import MessageProfile
from parley.notifications.models import CommunicationMessage, ContactPreference, MessageTemplate
from parley.offers.models import CustomerProduct
from parley.parties.models import BillingAccount, Customer, CustomerNote, Party
from parley.requests.approvals.models import Approval
from parley.requests.handoffs.models import Handoff
from parley.requests.models import CustomerRequest, RequestType
from parley.requests.workflow.models import RequestTask, TaskQueue, WorkflowDefinition

AUDITED = (
    User,
    Role,
    Party,
    Customer,
    CustomerNote,
    BillingAccount,
    SalesLead,
    Interaction,
    InteractionReason,
    CustomerRequest,
    RequestType,
    Approval,
    Handoff,
    CustomerProduct,
    WorkflowDefinition,
    TaskQueue,
    RequestTask,
    CommunicationMessage,
    ContactPreference,
    MessageTemplate,
    EventSubscription,
    MessageProfile,
)
WRITTEN = "parley.test.written"


class UnrecordedChange(AssertionError):
    pass


def install() -> None:
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "before_commit", _check)
    event.listen(Session, "after_commit", _forget)
    event.listen(Session, "after_rollback", _forget)


def _collect(session: Session, _context) -> None:
    if RECORDED not in session.info:
        return  # not a unit of work's session (seeding, tests' own set-up)
    written = session.info.setdefault(WRITTEN, set())
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, AUDITED) and (row not in session.dirty or session.is_modified(row)):
            written.add((type(row).__name__, _key(row)))


def _check(session: Session) -> None:
    written = session.info.get(WRITTEN)
    if not written:
        return
    recorded = {str(resource_id) for _, resource_id in session.info.get(RECORDED, ())}
    missing = sorted(f"{name} {key}" for name, key in written if key not in recorded)
    if missing:
        raise UnrecordedChange(f"written without a recorded change: {', '.join(missing)}")


def _forget(session: Session) -> None:
    session.info.pop(WRITTEN, None)
    if RECORDED in session.info:
        session.info[RECORDED] = set()


def _key(row) -> str:
    identity = inspect(row).identity or tuple(
        getattr(row, column.key) for column in inspect(type(row)).primary_key
    )
    return str(identity[0])
