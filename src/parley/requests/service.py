"""Manage Request: taking a request, classifying it, moving it through its statuses, cancelling,
closing and reopening it. Every change is audited and kept in the status history with who made
it and why; the customer is notified on the milestones the type names. The service never
commits; ``version`` (the ETag) refuses a change based on a stale read.
"""

import copy
from datetime import timedelta

from parley.changes import CREATE, DELETE, UPDATE, UnitOfWork
from parley.db.base import ID_LENGTH, iso, new_id, storable_id, utcnow
from parley.db.listing import Attribute
from parley.db.repository import Page, Reader, conditions_for
from parley.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from parley.offers import OfferCatalogue
from parley.parties.external import is_external
from parley.parties.service import PartyService
from parley.requests import lifecycle as lc
from parley.requests.adjustments import Adjustments
from parley.requests.attachments import AttachmentFiles, Upload, reference, upload_of
from parley.requests.catalogue import RequestTypeCatalogue, required_characteristics, sla_target
from parley.requests.characteristics import keep_characteristics, set_characteristic
from parley.requests.classification import Arrival, classify
from parley.requests.fulfilment import AutomaticFulfilment
from parley.requests.handoffs.service import CORRELATION_ID, PRODUCT_ORDER_ID, Handoffs
from parley.requests.linking import INTERACTION, InteractionLinks
from parley.requests.models import (
    CHANNEL_LENGTH,
    CustomerRequest,
    RequestAttachment,
    RequestStatusChange,
    RequestType,
)
from parley.requests.notify import RequestNotifier
from parley.requests.options import RequestOptions
from parley.requests.presentation import REFERENCE, SERVER_FIELDS, present, status_view
from parley.requests.reference import new_reference
from parley.requests.repository import RequestRepository
from parley.requests.sla.clocks import SlaClocks
from parley.requests.surveys import SurveyService
from parley.requests.workflow.engine import WorkflowEngine

RESOURCE = "troubleTicket"
ADDON_SELECTION = "addon.selection"
_CUSTOMER_OR_PARTY = Attribute(CustomerRequest.customer_id, also=(CustomerRequest.party_id,))
# What TMF621 lists filter on and sort by (db.listing), each backed by an index (0022).
LIST_COLUMNS = {
    "id": CustomerRequest.id,
    REFERENCE: CustomerRequest.reference,
    "status": CustomerRequest.status,
    "priority": CustomerRequest.priority,
    "creationDate": Attribute(CustomerRequest.created_at, sortable=True),
    "lastUpdate": CustomerRequest.updated_at,
    "statusChangeDate": CustomerRequest.status_changed_at,
    "expectedResolutionDate": CustomerRequest.expected_resolution_at,
    "resolutionDate": CustomerRequest.resolved_at,
    # The customer (or the party behind another system's customer), by its id however the
    # reference is shaped (v5 or v4).
    "relatedParty.id": _CUSTOMER_OR_PARTY,
    "relatedParty.partyOrPartyRole.id": _CUSTOMER_OR_PARTY,
    "channel.id": CustomerRequest.channel,
}
OUTCOME, RESOLUTION_CODE = "outcome", "resolutionCode"
# Characteristics the server keeps: what a client sends of them is replaced by the stored ones.
SERVER_CHARACTERISTICS = (CORRELATION_ID, PRODUCT_ORDER_ID)


class RequestService:
    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.options = uow.options(RequestOptions)
        self.repo = RequestRepository(uow.session)
        self.catalogue = RequestTypeCatalogue(uow)
        self.links = InteractionLinks(uow)
        self.notifier = RequestNotifier(uow)
        self.sla = SlaClocks(uow)
        self.workflow = WorkflowEngine(uow, self)
        self.handoffs = Handoffs(uow, self)

    # -- reading ---------------------------------------------------------------------------

    def get(self, request_id: str, for_update: bool = False) -> CustomerRequest:
        row = self.repo.get(request_id, for_update) if storable_id(request_id, 36) else None
        if row is None:
            raise NotFound(f"No trouble ticket with id {request_id}")
        return row

    def get_readable(self, request_id: str, reader: Reader | None) -> CustomerRequest:
        """The request, if ``reader`` (None: the system) may read it; another customer's is
        simply not found."""
        readable = self.repo.readable_by(reader)
        return self.repo.found(
            CustomerRequest, request_id, readable, f"No trouble ticket with id {request_id}"
        )

    def history(self, request_id: str) -> list[RequestStatusChange]:
        return self.repo.history(request_id)

    def histories(self, rows: list[CustomerRequest]) -> dict[str, list[RequestStatusChange]]:
        return self.repo.histories([row.id for row in rows])

    def find(self, page: Page, reader: Reader | None = None):
        columns = self.repo.narrowed(LIST_COLUMNS, page)
        conditions = conditions_for(columns, CustomerRequest.document, page)
        return self.repo.list_requests([*conditions, self.repo.readable_by(reader)], page)

    def of_customer(self, customer_id: str, limit: int) -> list[CustomerRequest]:
        """The customer's latest requests."""
        owned = CustomerRequest.customer_id == customer_id
        return self.repo.list_requests([owned], Page({}, 0, limit))[0]

    def status(self, request_id: str, for_customer: bool = False) -> dict:
        row = self.get(request_id)
        view = status_view(row, self.history(row.id))
        extras = self.workflow.status_extras(row, for_customer)
        waiting = self.handoffs.status_extras(row, for_customer)
        return {**view, **extras, **waiting, "sla": self.sla.state(row.id)}

    # -- taking a request ------------------------------------------------------------------

    def create(self, document: dict) -> CustomerRequest:
        document = copy.deepcopy(document)
        for key in SERVER_FIELDS:
            document.pop(key, None)
        _drop_reference(document)
        files = AttachmentFiles(self.uow)
        uploads = [  # checked before anything changes
            files.check(upload_of(given, f"attachment[{index}]"), "attachment")
            for index, given in enumerate(_listed(document.pop("attachment", None)))
        ]
        if document.get("status", lc.ACKNOWLEDGED) != lc.ACKNOWLEDGED:
            raise InvalidInput("status: a new request is acknowledged; move it on later", "status")
        customer_id, party_id = self._concerned(document)
        _self_service_allowed(self.uow, customer_id)
        interaction = self.links.given(document, customer_id)
        channel = _channel_of(document) or self.uow.writer().channel
        arrival = Arrival(
            type_id=(document.get("troubleTicketSpecification") or {}).get("id"),
            ticket_type=document.get("ticketType"),
            reason_code=interaction.reason_code if interaction else None,
            channel=channel,
            text=" ".join(
                str(document.get(key) or "") for key in ("ticketType", "name", "description")
            ),
            has_customer=customer_id is not None,
        )
        default = self.options.default_type if customer_id else self.options.internal_type
        classified = classify(arrival, self.catalogue.active_types(), default)
        request_type = classified.request_type
        _self_service_type(self.uow, request_type)
        priority = _priority(document.get("priority"))
        _check_characteristics(document, request_type)
        if request_type.code == ADDON_SELECTION:
            _check_offering(self.uow, document, customer_id)
        Adjustments(self.uow, self).check(document, request_type, customer_id)
        now, request_id = utcnow(), new_id()
        ticket = {"id": request_id}
        if interaction is None and customer_id is not None:
            # A customer's request arrived in a contact of theirs: logged. A ticket for no
            # customer of Parley's (internal, network) is no contact with anyone.
            reasons = (request_type.document.get("classification") or {}).get("reasonCode")
            text = f"Request raised: {request_type.name}"
            interaction = self.links.log_opening(
                customer_id, ticket, channel, reasons[0] if reasons else None, text
            )
        elif interaction is not None:
            self.links.link(interaction, ticket)
            document["relatedEntity"] = [
                r for r in document["relatedEntity"] if not _is_interaction(r)
            ]
        if interaction is not None:
            document.setdefault("relatedEntity", []).append(
                self.links.interaction_ref(interaction.id)
            )
        document.update(
            {
                "@type": "TroubleTicket",
                # The client's own word for it, kept as sent; Parley's is the specification.
                "ticketType": document.get("ticketType") or request_type.code,
                "troubleTicketSpecification": self._type_ref(request_type),
                "status": lc.ACKNOWLEDGED,
                "priority": priority,
            }
        )
        row = CustomerRequest(
            id=request_id,
            reference=new_reference(self.repo.reference_taken),
            customer_id=customer_id,
            party_id=party_id,
            type_id=request_type.id,
            interaction_id=interaction.id if interaction else None,
            status=lc.ACKNOWLEDGED,
            priority=priority,
            channel=channel_id(document),
            expected_resolution_at=now + sla_target(request_type, priority),
            document=document,
            created_at=now,
            updated_at=now,
            status_changed_at=now,
        )
        attachments = [files.new(row.id, checked) for checked in uploads]
        if attachments:
            row.document["attachment"] = [reference(a) for a in attachments]
        self.repo.add(row)
        if attachments:
            self.session.flush()  # the request's row before its files' (no ORM relationship)
            for attachment, checked in zip(attachments, uploads, strict=True):
                files.keep(attachment, checked)
        self.sla.start(row, request_type, now)
        reason = f"received; classified as {request_type.code} by {classified.rule}"
        self._history(row, None, reason, now)
        self.uow.record(RESOURCE, CREATE, row.id, after=document, event=self._presented(row))
        self.notifier.milestone(row, request_type, "received")
        done = AutomaticFulfilment(self.uow, self).fulfil(row, request_type)
        if done is not None:
            self._fulfilled(row, done)
        self.workflow.start(row, request_type)
        return row

    def _fulfilled(self, row: CustomerRequest, done) -> None:
        """Through inProgress and resolved to closed completed, each step in the history."""
        note = {"@type": "Note", "author": "Parley", "date": iso(utcnow()), "text": done.note}
        row.document = {**row.document, "note": [*(row.document.get("note") or []), note]}
        self._transition(row, lc.IN_PROGRESS, "fulfilled automatically")
        self._transition(row, lc.RESOLVED, done.note)
        self._transition(row, lc.CLOSED, done.note, "completed", done.resolution_code)

    # -- changing it -----------------------------------------------------------------------

    def replace(self, request_id: str, document: dict, expected_version=None) -> CustomerRequest:
        """Apply a merge-patched document; a new ``status`` (with ``statusChangeReason``) is a
        transition, checked against the lifecycle table."""
        row = self._locked(request_id, expected_version)
        request_type = self.catalogue.get(row.type_id)
        before = copy.deepcopy(row.document)
        document = copy.deepcopy(document)
        reason = document.get("statusChangeReason")
        for key in SERVER_FIELDS:
            document.pop(key, None)
        _drop_reference(document)
        if _customer_ref(document) != _customer_ref(before):
            raise InvalidInput("relatedParty: a request keeps its customer", "relatedParty")
        for key in ("ticketType", "troubleTicketSpecification"):
            if document.get(key) != before.get(key):
                raise InvalidInput(f"{key}: the type of a request cannot be changed", key)
        if (document.get("attachment") or []) != (before.get("attachment") or []):
            raise InvalidInput(
                "attachment: files are added with POST /api/v1/requests/{id}/attachments "
                "and never changed or removed",
                "attachment",
            )
        document["relatedEntity"] = [
            r for r in document.get("relatedEntity") or [] if not _is_interaction(r)
        ]
        if row.interaction_id:
            document["relatedEntity"].append(self.links.interaction_ref(row.interaction_id))
        priority = _priority(document.get("priority"))
        if priority != row.priority:
            row.priority = priority
            row.expected_resolution_at = row.created_at + sla_target(request_type, priority)
            self.sla.retarget(row, request_type)  # from its clock's start, pauses counted
        _check_characteristics(document, request_type)
        keep_characteristics(before, document, SERVER_CHARACTERISTICS)
        Adjustments(self.uow, self).unchanged(before, document, request_type)
        wanted = document.get("status") or row.status
        if wanted != row.status:
            self._move(row, request_type, wanted, reason, document)
        document["status"], document["priority"] = row.status, row.priority
        row.document, row.updated_at = document, utcnow()
        row.channel = channel_id(document)
        self.repo.add(row)
        self._updated(row, before)
        self.workflow.drain()
        return row

    def cancel(self, request_id: str, reason: str, expected_version=None) -> CustomerRequest:
        """Cancel before completion; a customer's own log-in only its own requests."""
        row = self._locked(request_id, expected_version)
        self._by_the_customer(row, f"Cancelled request {row.reference}: {reason}")
        return self._transition(row, lc.CANCELLED, reason)

    def close(
        self,
        request_id: str,
        outcome: str,
        resolution_code: str,
        reason=None,
        expected_version=None,
    ) -> CustomerRequest:
        row = self._locked(request_id, expected_version)
        return self._transition(row, lc.CLOSED, reason, outcome, resolution_code)

    def reopen(self, request_id: str, reason: str, expected_version=None) -> CustomerRequest:
        row = self._locked(request_id, expected_version)
        self._by_the_customer(row, f"Reopened request {row.reference}: {reason}")
        return self._transition(row, lc.IN_PROGRESS, reason)

    def hold(self, request_id: str, reason: str, expected_version=None) -> CustomerRequest:
        """Put on hold, saying why (its SLA clock pauses as the type's rules say)."""
        row = self._locked(request_id, expected_version)
        return self._transition(row, lc.HELD, reason)

    def progress(self, request_id: str, reason=None, expected_version=None) -> CustomerRequest:
        """To work: an acknowledged request started, a held or pending one resumed."""
        row = self._locked(request_id, expected_version)
        if row.status not in (lc.ACKNOWLEDGED, lc.HELD, lc.PENDING):
            raise Conflict(f"status: a {row.status} request is not started or resumed")
        return self._transition(row, lc.IN_PROGRESS, reason)

    def add_note(self, request_id: str, text: str, expected_version=None) -> CustomerRequest:
        """Append a note (TMF621 ``note``) by the acting user."""
        text = (text or "").strip()
        if not text:
            raise InvalidInput("text: must not be blank", "text")
        row = self._locked(request_id, expected_version)
        note = {
            "@type": "Note",
            "id": new_id(),
            "author": self.uow.writer().name,
            "date": iso(utcnow()),
            "text": text,
        }
        document = {**row.document, "note": [*(row.document.get("note") or []), note]}
        self._by_the_customer(row, f"Note on request {row.reference}: {text}")
        return self.replace(row.id, document, expected_version)

    def add_attachment(
        self, request_id: str, upload: Upload, expected_version=None
    ) -> RequestAttachment:
        """Attach a file to an open request (a customer's log-in: its own), listed in the
        ticket's ``attachment``; checked before anything changes."""
        files = AttachmentFiles(self.uow)
        checked = files.check(upload)
        row = self._locked(request_id, expected_version)
        if row.status in lc.FINAL:
            raise Conflict(f"status: files are attached to open requests; this one is {row.status}")
        before = copy.deepcopy(row.document)
        attachment = files.keep(files.new(row.id, checked), checked)
        listed = [*(row.document.get("attachment") or []), reference(attachment)]
        row.document, row.updated_at = {**row.document, "attachment": listed}, utcnow()
        self.repo.add(row)
        self._by_the_customer(row, f"Attachment on request {row.reference}: {attachment.name}")
        self._updated(row, before)
        return attachment

    def readable_attachment(self, attachment_id: str, reader: Reader | None) -> RequestAttachment:
        """The file, if ``reader`` may read its request; another customer's is not found,
        as one that does not exist."""
        try:
            row = AttachmentFiles(self.uow).get(attachment_id)
            self.get_readable(row.request_id, reader)
        except NotFound:
            raise NotFound(f"No attachment with id {attachment_id}") from None
        return row

    def delete(self, request_id: str) -> None:
        row = self.get(request_id)
        before, shown = copy.deepcopy(row.document), self._presented(row)
        self.repo.delete(row)
        self.uow.record(RESOURCE, DELETE, request_id, before=before, event=shown)

    # -- rules -----------------------------------------------------------------------------

    def _transition(
        self, row, wanted, reason, outcome=None, resolution_code=None, characteristics=None
    ):
        """One status change, recorded; ``characteristics`` (name -> value) set with it."""
        request_type = self.catalogue.get(row.type_id)
        before = copy.deepcopy(row.document)
        document = copy.deepcopy(row.document)
        if outcome is not None or resolution_code is not None:
            set_characteristic(document, OUTCOME, outcome)
            set_characteristic(document, RESOLUTION_CODE, resolution_code)
        for name, value in (characteristics or {}).items():
            set_characteristic(document, name, value)
        self._move(row, request_type, wanted, reason, document)
        document["status"] = row.status
        row.document, row.updated_at = document, utcnow()
        self.repo.add(row)
        self._updated(row, before)
        self.workflow.drain()  # what the workflow does on this change, now that it is complete
        return row

    def _updated(self, row: CustomerRequest, before: dict) -> None:
        """Record the change of ``row.document`` from ``before`` (an update event names what
        changed; none if nothing did)."""
        shown = self._presented(row)
        self.uow.record(RESOURCE, UPDATE, row.id, before=before, after=row.document, event=shown)

    def _presented(self, row: CustomerRequest) -> dict:
        """The ticket as TMF621 serves it, for its events."""
        return present(row, self.history(row.id))

    def _move(self, row, request_type: RequestType, wanted: str, reason, document) -> None:
        """One status change: allowed by the table, its guards met, recorded, notified."""
        if wanted not in lc.STATUSES:
            raise InvalidInput(f"status: one of {', '.join(lc.STATUSES)}", "status")
        old, now = row.status, utcnow()
        lc.check_transition(old, wanted)
        self.workflow.before_move(row, wanted)  # 409 while tasks are unfinished
        reopening = (old, wanted) in lc.REOPENING
        if (wanted in lc.NEEDS_REASON or reopening) and not (reason or "").strip():
            raise InvalidInput(f"statusChangeReason: say why it becomes {wanted}", "reason")
        if reopening:
            window = timedelta(days=self.options.reopen_days)
            if row.closed_at is None or now > row.closed_at + window:
                raise Conflict(
                    f"status: a request can be reopened within {window.days} days of closing"
                )
            row.outcome = row.resolution_code = row.closed_at = None
            set_characteristic(document, OUTCOME, None)
            set_characteristic(document, RESOLUTION_CODE, None)
            reason = f"reopened: {reason}"
        if wanted in lc.NEEDS_OUTCOME:
            self._closing(row, request_type, document, reason, now)
        if wanted == lc.RESOLVED:
            row.resolved_at = now
        row.status, row.status_changed_at = wanted, now
        self.sla.follow(row, request_type, old)
        self._history(row, old, reason, now)  # the caller's update event tells the change
        self.workflow.after_move(row, old, wanted, reason)
        if wanted in lc.FINAL:
            Adjustments(self.uow, self).ended(row, request_type, reason)
            self.handoffs.ended(row, reason)
        if wanted == lc.CLOSED:
            SurveyService(self.uow).offer(row, request_type)
        if wanted == lc.IN_PROGRESS:
            self.notifier.milestone(row, request_type, "inProgress")
        elif wanted == lc.RESOLVED or (
            wanted == lc.CLOSED and row.outcome == "completed" and old != lc.RESOLVED
        ):
            self.notifier.milestone(row, request_type, "resolved", reason or "")

    def _closing(self, row, request_type, document, reason, now) -> None:
        values = {
            c.get("name"): c.get("value") for c in document.get("troubleTicketCharacteristic") or []
        }
        outcome, code = values.get(OUTCOME), values.get(RESOLUTION_CODE)
        if outcome not in lc.OUTCOMES:
            raise InvalidInput(
                f"outcome: closing needs an outcome, one of {', '.join(lc.OUTCOMES)}", "outcome"
            )
        if not isinstance(code, str) or not code.strip() or len(code) > 64:
            raise InvalidInput("resolutionCode: closing needs one (at most 64 characters)")
        row.outcome, row.resolution_code, row.closed_at = outcome, code.strip(), now
        if outcome == "completed" and row.resolved_at is None:
            row.resolved_at = now
        text = f"Request {row.id} ({request_type.name}) closed {outcome}: {code}"
        if reason:
            text += f" ({reason})"
        if row.customer_id is None:
            return  # closing a ticket for no customer tells nobody: no interaction
        reasons = (request_type.document.get("classification") or {}).get("reasonCode")
        self.links.log_closing(
            row.customer_id,
            {"id": row.id},
            self.uow.writer().channel,
            reasons[0] if reasons else None,
            text,
        )

    def _by_the_customer(self, row: CustomerRequest, text: str) -> None:
        """A customer's own change of their request is a contact of theirs: logged."""
        actor = self.uow.writer()
        if actor.self_service:
            self.links.log_self_service(row.customer_id, {"id": row.id}, actor.channel, text)

    def _locked(self, request_id: str, expected_version) -> CustomerRequest:
        row = self.get(request_id, for_update=True)
        actor = self.uow.writer()
        if actor.self_service and row.customer_id != actor.customer_id:
            raise NotFound(f"No trouble ticket with id {request_id}")
        if expected_version is not None and row.version != expected_version:
            raise PreconditionFailed(
                f"the request was changed since you read it (now version {row.version}); "
                "read it again and repeat the change"
            )
        return row

    def _concerned(self, document: dict) -> tuple[str | None, str | None]:
        """Whom the request is for: (customer id, party id). The one ``relatedParty`` entry
        referring to a Customer names a customer Parley holds (checked strictly), or another
        system's customer (an external reference, kept as sent: the party behind it is its
        placeholder, parties/external.py); none names no customer (an internal or network
        ticket, where its type allows it)."""
        customers = [
            (index, related.get("partyOrPartyRole") or {})
            for index, related in enumerate(document.get("relatedParty") or [])
            if (related.get("partyOrPartyRole") or {}).get("@referredType") == "Customer"
        ]
        if not customers:
            return None, None
        if len(customers) > 1:
            raise InvalidInput(
                "relatedParty: a request is for one customer (one partyOrPartyRole with "
                "@referredType Customer)",
                "relatedParty",
            )
        index, ref = customers[0]
        customer_id, where = ref.get("id"), f"relatedParty[{index}]"
        parties = PartyService(self.uow)
        if not isinstance(customer_id, str):
            raise InvalidInput(f"{where}: no customer with id {customer_id}", where)
        if is_external(ref) and not parties.customer_exists(customer_id):
            return None, parties.external_party(ref, where).id
        if not storable_id(customer_id, ID_LENGTH):
            raise InvalidInput(f"{where}: no customer with id {customer_id}", where)
        try:
            parties.get_customer(customer_id)
        except NotFound:
            raise InvalidInput(f"{where}: no customer with id {customer_id}", where) from None
        return customer_id, None

    def _type_ref(self, request_type: RequestType) -> dict:
        return {
            "@type": "TroubleTicketSpecificationRef",
            "id": request_type.id,
            "name": request_type.name,
        }

    def _history(self, row, old, reason, now) -> None:
        change = RequestStatusChange(
            request_id=row.id,
            from_status=old,
            status=row.status,
            reason=(reason or None) and reason[:500],
            actor=self.uow.writer().name[:150],
            changed_at=now,
        )
        self.repo.add(change)


def _self_service_allowed(uow: UnitOfWork, customer_id: str | None) -> None:
    """A customer's own log-in raises requests for itself only."""
    actor = uow.writer()
    if actor.self_service and customer_id is None:
        raise InvalidInput("relatedParty: name your customer", "relatedParty")
    if actor.self_service and customer_id != actor.customer_id:
        raise InvalidInput(f"relatedParty: no customer with id {customer_id}", "relatedParty")


def _self_service_type(uow: UnitOfWork, request_type: RequestType) -> None:
    """A customer's own log-in raises requests of the self-service types only."""
    if uow.writer().self_service and not request_type.self_service:
        raise InvalidInput(
            f"troubleTicketSpecification: {request_type.code} requests are raised by an agent; "
            "contact us",
            "troubleTicketSpecification",
        )


def _check_offering(uow: UnitOfWork, document: dict, customer_id: str) -> None:
    """An add-on selection names an offering of the catalogue the customer may select now
    (its value: the offering's id); a customer's own log-in learns nothing of the others."""
    chosen = next(
        (
            c.get("value")
            for c in document.get("troubleTicketCharacteristic") or []
            if c.get("name") == "productOffering"
        ),
        None,
    )
    OfferCatalogue(uow).check_selection(chosen, customer_id, uow.writer().self_service)


def _priority(value) -> str:
    priority = str(value or lc.DEFAULT_PRIORITY).strip().lower()
    if priority not in lc.PRIORITIES:
        raise InvalidInput(f"priority: one of {', '.join(lc.PRIORITIES)}", "priority")
    return priority


def _check_characteristics(document: dict, request_type: RequestType) -> None:
    given = {
        c.get("name")
        for c in document.get("troubleTicketCharacteristic") or []
        if c.get("value") not in (None, "", [], {})
    }
    missing = [name for name in required_characteristics(request_type) if name not in given]
    if missing:
        raise InvalidInput(
            f"troubleTicketCharacteristic: a {request_type.code} request needs "
            f"{', '.join(missing)}",
            "troubleTicketCharacteristic",
        )


def _drop_reference(document: dict) -> None:
    """The reference is the server's (CustomerRequest.reference), shown when served."""
    given = document.get("troubleTicketCharacteristic")
    if isinstance(given, list):
        document["troubleTicketCharacteristic"] = [
            c for c in given if not (isinstance(c, dict) and c.get("name") == REFERENCE)
        ]


def _listed(value) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput("attachment: a list of Attachments", "attachment")
    return value


def _customer_ref(document: dict) -> str | None:
    """The id of the customer the document names (None: none)."""
    for related in document.get("relatedParty") or []:
        ref = related.get("partyOrPartyRole") or {}
        if ref.get("@referredType") == "Customer":
            return ref.get("id")
    return None


def channel_id(document: dict) -> str | None:
    """The document's ``channel.id`` as CustomerRequest.channel keeps it for the lists' filter
    (None when it is no text or longer than a channel code: migration 0043 reads it so)."""
    channel = document.get("channel")
    found = channel.get("id") if isinstance(channel, dict) else None
    return found if isinstance(found, str) and len(found) <= CHANNEL_LENGTH else None


def _channel_of(document: dict) -> str | None:
    channel = document.get("channel") or {}
    return channel.get("id") or channel.get("name")


def _is_interaction(related: dict) -> bool:
    return (related.get("entity") or {}).get("@referredType") == INTERACTION
