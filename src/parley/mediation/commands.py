"""The Parley commands a message may become, each a pydantic shape (what a profile's transform
must give) and its execution through the domains' services in the worker's unit of work.

| command | what it does |
|---|---|
| ``logInteraction`` | logs an interaction with a customer (TMF683, ``InteractionService``) |
| ``raiseRequest`` | raises a request for a customer (TMF621, ``RequestService``) |
| ``updateRequest`` | adds a note to a request and/or moves its status |
| ``updateContactDetails`` | a customer's new email, phone or postal address (``ContactChange``) |
| ``recordOrderState`` | an order's new state: a note, and the status it means, on the request |

``recordOrderState`` finds the request by the correlation id the message carries: the
request's reference or id, as Parley handed it to the ordering system.

Each is checked in two steps: its shape (``validated``: nothing is read), then the references
it holds (``resolve``: the customer or request it names must exist; read only). The dry run
stops there; the worker goes on to ``run``.
"""

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import AwareDatetime, Field, ValidationError, model_validator

from parley.changes import UnitOfWork
from parley.db.base import iso, new_id, utcnow
from parley.errors import InvalidInput
from parley.interactions.service import InteractionService
from parley.mediation.options import MediationOptions
from parley.mediation.profile import Strict, invalid
from parley.mediation.references import (
    CustomerRef,
    RequestRef,
    customer_party,
    resolve_customer,
    resolve_request,
)
from parley.parties.contact_change import DETAILS, ContactChange, new_media
from parley.requests import lifecycle
from parley.requests.service import RequestService

Text = Field(min_length=1, max_length=4000)
Value = str | int | float | bool


@dataclass(frozen=True)
class Context:
    """Where a command comes from: named in what it makes, for tracing it back."""

    source: str
    partner: str | None
    message_id: str | None  # None: a dry run

    def provenance(self) -> str:
        sender = self.partner or f"inbound {self.source}"
        return f"From {sender}" + (
            f", inbound message {self.message_id}" if self.message_id else ""
        )


class LogInteraction(Strict):
    customer: CustomerRef
    channel: str = Field(min_length=1, max_length=64)
    direction: Literal["inbound", "outbound"] = "inbound"
    reason: str | None = Field(default=None, min_length=1, max_length=500)
    description: str = Field(min_length=1, max_length=2000)
    status: Literal["opened", "inProgress", "completed"] = "completed"
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    note: str | None = Field(default=None, min_length=1, max_length=10_000)
    externalId: str | None = Field(default=None, min_length=1, max_length=100)


class RaiseRequest(Strict):
    customer: CustomerRef
    type: str | None = Field(default=None, min_length=1, max_length=64)  # None: classified
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str = Text
    priority: Literal["critical", "high", "medium", "low"] | None = None
    severity: str | None = Field(default=None, min_length=1, max_length=32)
    channel: str | None = Field(default=None, min_length=1, max_length=64)
    characteristics: dict[str, Value] = Field(default_factory=dict, max_length=50)
    externalId: str | None = Field(default=None, min_length=1, max_length=100)
    note: str | None = Field(default=None, min_length=1, max_length=10_000)


class UpdateRequest(Strict):
    request: RequestRef
    note: str | None = Field(default=None, min_length=1, max_length=10_000)
    status: Literal["inProgress", "pending", "held", "resolved", "closed", "cancelled"] | None = (
        None
    )
    reason: str | None = Field(default=None, min_length=1, max_length=500)
    outcome: Literal["completed", "unfulfilled"] | None = None
    resolutionCode: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _something_to_do(self):
        if self.note is None and self.status is None:
            raise ValueError("give a note, a status or both")
        if self.status == "closed" and (self.outcome is None or self.resolutionCode is None):
            raise ValueError("closing needs an outcome and a resolutionCode")
        return self


class UpdateContactDetails(Strict):
    customer: CustomerRef
    emailAddress: str | None = Field(default=None, min_length=1, max_length=254)
    phoneNumber: str | None = Field(default=None, min_length=1, max_length=64)
    street1: str | None = Field(default=None, min_length=1, max_length=200)
    street2: str | None = Field(default=None, min_length=1, max_length=200)
    postCode: str | None = Field(default=None, min_length=1, max_length=20)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    stateOrProvince: str | None = Field(default=None, min_length=1, max_length=100)
    country: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _some_detail(self):
        if not any(getattr(self, name) for name in DETAILS):
            raise ValueError(f"give one of {', '.join(DETAILS)}")
        return self


# TMF622's states of a product order, and what each means for the request waiting for it.
ORDER_STATES = (
    "acknowledged",
    "inProgress",
    "pending",
    "held",
    "assessingCancellation",
    "pendingCancellation",
    "completed",
    "partial",
    "failed",
    "rejected",
    "cancelled",
)
# state -> (request status, outcome of a closing); None: only noted.
ORDER_STATE_MEANS: dict[str, tuple[str, str | None] | None] = {
    "acknowledged": ("inProgress", None),
    "inProgress": ("inProgress", None),
    "pending": ("pending", None),
    "held": ("held", None),
    "assessingCancellation": ("pending", None),
    "pendingCancellation": ("pending", None),
    "completed": ("closed", "completed"),
    "partial": ("closed", "unfulfilled"),
    "failed": ("closed", "unfulfilled"),
    "rejected": ("closed", "unfulfilled"),
    "cancelled": ("closed", "unfulfilled"),
}


class RecordOrderState(Strict):
    correlationId: str = Field(min_length=1, max_length=100)  # the request's reference or id
    orderId: str | None = Field(default=None, min_length=1, max_length=100)
    state: Literal[ORDER_STATES]  # type: ignore[valid-type]
    reason: str | None = Field(default=None, min_length=1, max_length=500)
    at: AwareDatetime | None = None


COMMANDS: dict[str, type[Strict]] = {
    "logInteraction": LogInteraction,
    "raiseRequest": RaiseRequest,
    "updateRequest": UpdateRequest,
    "updateContactDetails": UpdateContactDetails,
    "recordOrderState": RecordOrderState,
}


def validated(command: str, items: list, where: str = "command") -> list[Strict]:
    """Each item checked against the command's shape; InvalidInput naming the item and the
    field otherwise (``command[2].customer.email``)."""
    shape = COMMANDS[command]
    checked = []
    for index, item in enumerate(items):
        prefix = f"{where}[{index}]" if len(items) > 1 else where
        if not isinstance(item, dict):
            raise InvalidInput(f"{prefix}: an object of {command}'s fields", prefix)
        try:
            checked.append(shape.model_validate(item))
        except ValidationError as error:
            raise invalid(error, prefix) from None
    return checked


def as_json(item: Strict) -> dict:
    return item.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


def resolve(uow: UnitOfWork, item: Strict, region: str) -> dict[str, str]:
    """The ids of what the command names (read only); InvalidInput if one does not exist."""
    if isinstance(item, UpdateRequest):
        return {"request": resolve_request(uow, item.request)}
    if isinstance(item, RecordOrderState):
        return {"request": resolve_request(uow, RequestRef.of_correlation(item.correlationId))}
    return {"customer": resolve_customer(uow, item.customer, region)}  # type: ignore[attr-defined]


def run(uow: UnitOfWork, item: Strict, context: Context) -> dict[str, Any]:
    """Carry the command out; what it made or changed."""
    region = uow.options(MediationOptions).phone_region
    ids = resolve(uow, item, region)
    if isinstance(item, LogInteraction):
        return {"interaction": _log_interaction(uow, item, ids["customer"], context)}
    if isinstance(item, RaiseRequest):
        return {"request": _raise_request(uow, item, ids["customer"], context)}
    if isinstance(item, UpdateRequest):
        return {"request": _update_request(uow, item, ids["request"])}
    if isinstance(item, RecordOrderState):
        return {"request": _record_order_state(uow, item, ids["request"], context)}
    assert isinstance(item, UpdateContactDetails)
    details = {name: getattr(item, name) for name in DETAILS if getattr(item, name)}
    media = new_media(details, region, "command")
    said = ContactChange(uow).apply(ids["customer"], media, utcnow())
    return {"customer": ids["customer"], "changed": said}


def _note(text: str, uow: UnitOfWork) -> dict:
    return {"@type": "Note", "text": text, "author": uow.writer().name[:150], "date": iso(utcnow())}


def _log_interaction(uow, item: LogInteraction, customer_id: str, context: Context) -> str:
    external = f" (their id {item.externalId})" if item.externalId else ""
    document = interaction_document(item, customer_id, context.provenance() + external)
    return InteractionService(uow).create(document).id


def interaction_document(item: LogInteraction, customer_id: str, provenance: str) -> dict:
    """The TMF683 document ``item`` logs for the customer, its provenance as the last note."""
    notes = [item.note] if item.note else []
    notes.append(provenance)
    document: dict = {
        "@type": "PartyInteraction",
        "direction": item.direction,
        "status": item.status,
        "description": item.description,
        "relatedChannel": [
            {
                "@type": "RelatedChannel",
                "role": "contact",
                "channel": {"@type": "ChannelRef", "id": item.channel, "name": item.channel},
            }
        ],
        "relatedParty": [customer_party(customer_id)],
        "note": [{"@type": "Note", "text": text} for text in notes],
    }
    if item.reason:
        document["reason"] = item.reason
    dates = {"startDateTime": item.start, "endDateTime": item.end}
    if any(dates.values()):
        document["interactionDate"] = {k: iso(v) for k, v in dates.items() if v is not None}
    return document


def _raise_request(uow, item: RaiseRequest, customer_id: str, context: Context) -> str:
    notes = [item.note] if item.note else []
    notes.append(context.provenance())
    document: dict = {
        "@type": "TroubleTicket",
        "description": item.description,
        "relatedParty": [customer_party(customer_id)],
        "troubleTicketCharacteristic": [
            {"@type": _characteristic_type(value), "name": name, "value": value}
            for name, value in item.characteristics.items()
        ],
        "note": [{**_note(text, uow), "id": new_id()} for text in notes],
    }
    for key, value in (
        ("ticketType", item.type),
        ("name", item.name),
        ("severity", item.severity),
        ("priority", item.priority),
    ):
        if value is not None:
            document[key] = value
    channel = item.channel or context.source
    document["channel"] = {"@type": "ChannelRef", "id": channel, "name": channel}
    if item.externalId:
        owner = context.partner or context.source
        document["externalIdentifier"] = [
            {"@type": "ExternalIdentifier", "id": item.externalId, "owner": owner}
        ]
    return RequestService(uow).create(document).id


def _characteristic_type(value: Value) -> str:
    if isinstance(value, bool):
        return "BooleanCharacteristic"
    if isinstance(value, int):
        return "IntegerCharacteristic"
    if isinstance(value, float):
        return "FloatCharacteristic"
    return "StringCharacteristic"


def _update_request(uow, item: UpdateRequest, request_id: str) -> str:
    requests = RequestService(uow)
    if item.note:
        requests.add_note(request_id, item.note)
    if item.status is not None:
        move_request(
            requests, request_id, item.status, item.reason, item.outcome, item.resolutionCode
        )
    return request_id


def move_request(
    requests: RequestService,
    request_id: str,
    status: str,
    reason,
    outcome=None,
    resolution_code=None,
) -> None:
    """The request to ``status`` through the service's rules (a status it has already is
    left as it is); the lifecycle's refusal is the service's Conflict."""
    row = requests.get(request_id)
    if row.status == status:
        return
    if status == "closed":
        requests.close(request_id, outcome, resolution_code, reason)
    elif status == "cancelled":
        requests.cancel(request_id, reason or "cancelled by a partner")
    elif status == "held":
        requests.hold(request_id, reason or "held by a partner")
    elif status == "inProgress" and row.status == "closed":
        requests.reopen(request_id, reason or "reopened by a partner")
    elif status == "inProgress":
        requests.progress(request_id, reason)
    else:
        document = {**row.document, "status": status}
        if reason:
            document["statusChangeReason"] = reason
        requests.replace(request_id, document)


def _record_order_state(uow, item: RecordOrderState, request_id: str, context: Context) -> str:
    """A note saying what became of the order, and the status it means for the request
    (ORDER_STATE_MEANS): completed closes it completed, a failed, rejected, cancelled or
    partial order unfulfilled (resolution code ``order.<state>``). A request that is closed,
    cancelled or rejected already only gets the note."""
    requests = RequestService(uow)
    said = f"Order {item.orderId or ''} {item.state}".replace("  ", " ")
    if item.at is not None:
        said += f" at {iso(item.at)}"
    said += f": {item.reason}" if item.reason else ""
    requests.add_note(request_id, f"{said}. {context.provenance()}")
    status, outcome = ORDER_STATE_MEANS[item.state] or (None, None)
    current = requests.get(request_id).status
    if status is None or current in lifecycle.FINAL:
        return request_id
    reason = item.reason or f"order {item.state}"
    if status == "closed" and current == lifecycle.ACKNOWLEDGED:
        requests.progress(request_id, "order under way")
    resolution = f"order.{item.state}" if status == "closed" else None
    move_request(requests, request_id, status, reason, outcome, resolution)
    return request_id
