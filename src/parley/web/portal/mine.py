"""What the portal's pages read of the signed-in customer: only their own. Every lookup goes
through the services with the customer's log-in as the reader (``readable_by``), so another
customer's request or message is not found, whatever id a URL names."""

from dataclasses import dataclass
from datetime import datetime

from parley.db.repository import Page
from parley.interactions.service import InteractionService
from parley.notifications.messages import CommunicationService
from parley.requests import lifecycle as lc
from parley.requests.catalogue import RequestTypeCatalogue
from parley.requests.models import CustomerRequest, RequestStatusChange
from parley.requests.service import RequestService
from parley.web.access import Visitor


@dataclass(frozen=True)
class RequestView:
    id: str
    reference: str
    type_name: str
    status: str
    description: str
    created_at: datetime
    expected_at: datetime | None
    may_cancel: bool
    may_reopen: bool
    open: bool
    waiting_for: str | None = None  # "order" or "billing": another system's answer awaited


@dataclass(frozen=True)
class MessageView:
    channel: str
    subject: str
    text: str
    state: str
    sent_at: datetime


def customer_id(visitor: Visitor) -> str:
    """The customer the signed-in log-in acts for (the portal admits customer log-ins only)."""
    principal = visitor.principal
    assert principal is not None and principal.customer_id is not None
    return principal.customer_id


def my_requests(visitor: Visitor, limit: int = 50, only_open: bool = False) -> list[RequestView]:
    service = RequestService(visitor.uow)
    rows, _total = service.find(Page({}, 0, limit), visitor.principal)
    if only_open:
        rows = [row for row in rows if row.status not in lc.FINAL]
    type_names: dict[str, str] = {}  # each type read once for the list, not once a row
    waiting = service.handoffs.waiting_for([row.id for row in rows])
    return [request_view(visitor, row, waiting.get(row.id), type_names) for row in rows]


def my_request(visitor: Visitor, request_id: str) -> CustomerRequest:
    """The customer's own request; ``NotFound`` for any other (the same as for none)."""
    return RequestService(visitor.uow).get_readable(request_id, visitor.principal)


def history_of(visitor: Visitor, row: CustomerRequest) -> list[RequestStatusChange]:
    return RequestService(visitor.uow).history(row.id)


def request_view(
    visitor: Visitor,
    row: CustomerRequest,
    waiting_for: str | None = None,
    type_names: dict[str, str] | None = None,
) -> RequestView:
    """``waiting_for``: what the request waits for (None: nothing, or not asked yet);
    ``type_names``: the request types' names read so far (a list reads each type once)."""
    names = {} if type_names is None else type_names
    if row.type_id not in names:
        names[row.type_id] = RequestTypeCatalogue(visitor.uow).get(row.type_id).name
    allowed = lc.TRANSITIONS.get(row.status, frozenset())
    return RequestView(
        id=row.id,
        reference=row.reference,
        type_name=names[row.type_id],
        status=row.status,
        description=row.document.get("description") or "",
        created_at=row.created_at,
        expected_at=row.expected_resolution_at if row.status not in lc.FINAL else None,
        may_cancel=lc.CANCELLED in allowed,
        may_reopen=row.status == lc.CLOSED,
        open=row.status not in lc.FINAL,
        waiting_for=waiting_for if row.status not in lc.FINAL else None,
    )


def notes_of(row: CustomerRequest) -> list[dict]:
    return [n for n in row.document.get("note") or [] if isinstance(n, dict)]


def my_messages(visitor: Visitor, limit: int = 50) -> list[MessageView]:
    found, _total = CommunicationService(visitor.uow).find(Page({}, 0, limit), visitor.principal)
    return [
        MessageView(
            channel=m.channel,
            subject=m.document.get("subject") or "",
            text=m.document.get("content") or "",
            state=m.state,
            sent_at=m.send_time_complete or m.created_at,
        )
        for m in found
    ]


def log_contact(visitor: Visitor, text: str, item: tuple[str, str, str] | None = None) -> None:
    """What the customer did here, in their history like a call: inbound, on the web, with
    ``item`` (role, referred type, id) the thing it concerns."""
    document = {
        "@type": "PartyInteraction",
        "direction": "inbound",
        "status": "completed",
        "description": text[:500],
        "relatedChannel": [{"role": "contact", "channel": {"@type": "ChannelRef", "id": "web"}}],
        "relatedParty": [
            {
                "@type": "RelatedPartyOrPartyRole",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": customer_id(visitor),
                    "@referredType": "Customer",
                },
            }
        ],
    }
    if item is not None:
        role, kind, entity_id = item
        entity = {"@type": "EntityRef", "id": entity_id, "@referredType": kind}
        document["interactionItem"] = [
            {
                "@type": "InteractionItem",
                "item": {"@type": "RelatedEntityRefOrValue", "role": role, "entity": entity},
            }
        ]
    InteractionService(visitor.uow).create(document)
