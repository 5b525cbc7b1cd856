"""TMF681 communication messages: queued for sending when created, sent by the outbox worker.

Each receiver the message can be addressed to becomes one outbox row (email or SMS). A receiver
is an address (``email``, ``phoneNumber``) or a party that is one of our customers, whose
contact media, consent and quiet hours then apply. A message none of whose receivers can be
reached is still stored, failed with the reason. Its state follows its outbox rows: initial
while none was tried, inProgress while any is being tried, then completed or failed. Each
delivery to a customer is logged as an outbound interaction that refers to the message.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.changes import CREATE, DELETE, UPDATE, UnitOfWork, changed_attributes
from parley.db.base import iso, new_id, utcnow
from parley.db.repository import Page, Reader
from parley.errors import Conflict, InvalidInput, NotFound
from parley.interactions.service import InteractionService
from parley.notifications.content import Target, message_content, parse_moment
from parley.notifications.models import (
    CANCELLED,
    CATEGORIES,
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    INITIAL,
    CommunicationMessage,
)
from parley.notifications.options import NotificationOptions
from parley.notifications.preferences import NotDeliverable, PreferenceService
from parley.notifications.rendering import TemplateLimitExceeded
from parley.notifications.repository import NotificationRepository
from parley.notifications.shaping import shaped_email
from parley.notifications.templates import TemplateCatalogue
from parley.outbox.models import DEAD, DELIVERED
from parley.outbox.service import OutboxService
from parley.parties.normalize import email_normalized, phone_e164
from parley.parties.service import PartyService

SUBJECT = RESOURCE = "communicationMessage"
CHANNEL_OF_TYPE = {"sms": "sms", "email": "email", "e-mail": "email", "mail": "email"}
# What a PATCH may change, and only while nothing was sent.
EDITABLE = {"content", "subject", "description", "scheduledSendTime", "priority", "logFlag"}
WORKER = Actor("parley-worker", "system")
# Kept in columns and shown with the message; what a client sends of them is ignored.
SERVER_FIELDS = ("id", "href", "tryTimes", "sendTime", "sendTimeComplete")


class CommunicationService:
    def __init__(self, uow: UnitOfWork):
        self.uow, self.options = uow, uow.options(NotificationOptions)
        self.repo = NotificationRepository(uow.session)
        self.outbox = OutboxService(uow)
        self.preferences = PreferenceService(uow)
        self.templates = TemplateCatalogue(uow)
        self.parties = PartyService(uow)

    def get(self, message_id: str, reader: Reader | None = None) -> CommunicationMessage:
        """The message, if ``reader`` (None: the system) may read it; else not found."""
        readable = self.repo.readable_by(reader)
        return self.repo.found(
            CommunicationMessage,
            message_id,
            readable,
            f"No communication message with id {message_id}",
        )

    def find(self, page: Page, reader: Reader | None = None):
        return self.repo.list_messages(page, self.repo.readable_by(reader))

    def create(self, document: dict) -> CommunicationMessage:
        channel = _channel(document.get("messageType"))
        now = utcnow()
        message = CommunicationMessage(
            id=new_id(),
            channel=channel,
            category=_category(document),
            state=INITIAL,
            try_times=0,
            document=document,
            created_at=now,
            updated_at=now,
        )
        self._queue(message)
        self.repo.add(message)
        self.uow.record(RESOURCE, CREATE, message.id, after=document, event=presented(message))
        return message

    def replace(self, message_id: str, document: dict) -> CommunicationMessage:
        """A merge-patched document: the wording and timing may change until it is sent;
        ``state: cancelled`` withdraws it."""
        message = self.get(message_id)
        before, shown_before = message.document, presented(message)
        wanted_state = document.pop("state", None)
        for server_field in SERVER_FIELDS:
            document.pop(server_field, None)
        changed = {k for k in set(document) | set(before) if document.get(k) != before.get(k)}
        if wanted_state not in (None, message.state, CANCELLED):
            raise InvalidInput("state: only cancelled may be asked for", "state")
        if not changed and wanted_state != CANCELLED:
            return message
        if message.state != INITIAL:
            raise Conflict(f"the message is {message.state}: it can no longer be changed")
        refused = sorted(changed - EDITABLE)
        if refused:
            raise InvalidInput(f"{refused[0]}: cannot be changed; send a new message", refused[0])
        self.outbox.withdraw(SUBJECT, message.id)
        message.document = document
        if wanted_state == CANCELLED:
            message.state, message.failure_reason = CANCELLED, None
        else:
            self._queue(message)
        message.updated_at = utcnow()
        self.repo.add(message)
        shown = presented(message)
        self.uow.record(
            RESOURCE,
            UPDATE,
            message.id,
            before=before,
            after={**document, "state": message.state},
            event=shown,
            # What the event names is what changed as served (state, times), not as stored.
            changed=changed_attributes(shown_before, shown),
        )
        return message

    def delete(self, message_id: str) -> None:
        """A message not yet tried is withdrawn; one under way can't be (409); history (sent
        or failed) may go: the customer's interactions keep what was sent."""
        message = self.get(message_id)
        if message.state == IN_PROGRESS:
            raise Conflict("the message is being sent: wait until it is sent or has failed")
        if message.state == INITIAL:
            self.outbox.withdraw(SUBJECT, message.id)
        shown = presented(message)
        self.repo.delete(message)
        self.uow.record(RESOURCE, DELETE, message.id, before=message.document, event=shown)

    # -- sending ---------------------------------------------------------------------------

    def _queue(self, message: CommunicationMessage) -> None:
        """One outbox row per receiver it can be addressed to. The keys need no version: a
        message is re-queued only after its untried rows were withdrawn."""
        document = message.document
        scheduled = parse_moment(document.get("scheduledSendTime"), "scheduledSendTime")
        failures, queued = [], 0
        # Rendered before any receiver is looked at: wording that can't be sent is a 400 even
        # when no receiver can be reached. Per language after that (a receiver's own).
        parts = self.options.sms_max_parts
        try:
            wording = {
                None: message_content(self.templates, document, message.channel, None, parts)
            }
        except TemplateLimitExceeded as bound:
            # The template asks for more than a rendering may take: this message fails with
            # the reason; whatever made it (a request's change, say) goes on.
            message.failure_reason = f"the template could not be rendered: {bound.message}"
            message.state, message.send_time_complete = FAILED, utcnow()
            return
        # A templated message shows what it says (in the default language) as its content.
        if not document.get("content"):
            document["content"] = wording[None].text
        if message.channel == "email" and not document.get("subject"):
            document["subject"] = wording[None].subject
        receivers = document.get("receiver") or []
        for index, receiver in enumerate(receivers):
            try:
                target = self._target(receiver, message, index)
            except NotDeliverable as why:
                failures.append(f"receiver {index + 1}: {why.message}")
                continue
            if target.language not in wording:
                try:
                    wording[target.language] = message_content(
                        self.templates, document, message.channel, target.language, parts
                    )
                except TemplateLimitExceeded as bound:
                    failures.append(
                        f"receiver {index + 1}: the template could not be rendered: {bound.message}"
                    )
                    continue
            content = wording[target.language]
            waits = [t for t in (scheduled, target.not_before) if t is not None]
            payload = content.payload(message.channel)
            if message.channel == "email":
                payload = shaped_email(self.uow, document, payload)
            self.outbox.enqueue(
                message.channel,
                target.destination(document.get("sender") or {}, message.channel),
                payload,
                idempotency_key=f"{SUBJECT}:{message.id}:{index}",
                not_before=max(waits) if waits else None,
                subject=(SUBJECT, message.id),
            )
            queued += 1
            message.customer_id = message.customer_id or target.customer_id
        if not receivers:
            failures.append("no receiver given")
        message.failure_reason = "; ".join(failures) or None
        message.state = INITIAL if queued else FAILED
        message.send_time_complete = None if queued else utcnow()

    def _target(self, receiver: dict, message: CommunicationMessage, index: int) -> Target:
        where = f"receiver[{index}]"
        customer_id = self._customer_of(receiver, where)
        field = "email" if message.channel == "email" else "phoneNumber"
        given = receiver.get(field)
        if given:
            if message.channel == "email":
                address = email_normalized(given, f"{where}.email")
            else:
                region = self.options.phone_region
                address = phone_e164(given, region, f"{where}.phoneNumber")
            language = not_before = None
            if customer_id is not None:
                language, not_before = self.preferences.consent(
                    customer_id, message.category, message.channel
                )
            return Target(address, customer_id, language, not_before)
        if customer_id is None:
            raise NotDeliverable(
                f"no address: give {field}, or a party that is one of our customers"
            )
        plan = self.preferences.delivery(customer_id, message.category, message.channel)
        return Target(plan.address, customer_id, plan.language, plan.not_before)

    def _customer_of(self, receiver: dict, where: str) -> str | None:
        party = receiver.get("party") or {}
        if party.get("id"):
            kind = party.get("@referredType") or party.get("@type") or "Customer"
            if kind not in ("Customer", "RelatedParty", "PartyRef", "PartyRoleRef"):
                raise InvalidInput(f"{where}.party: refer to a Customer", f"{where}.party")
            try:
                return self.parties.get_customer(party["id"]).id
            except NotFound:
                raise InvalidInput(
                    f"{where}.party: no customer with id {party['id']}", f"{where}.party"
                ) from None
        return None

    # -- what the worker reports -------------------------------------------------------------

    def settle(self, message_id: str, row, status: str) -> None:
        """Bring the message's state up to date with its outbox rows after an outcome."""
        message = self.repo.message(message_id, lock=True)
        if message is None or message.state == CANCELLED:
            return
        shown_before = presented(message)
        rows = self.outbox.of_subject(SUBJECT, message_id)
        now = utcnow()
        message.try_times = sum(r.attempts for r in rows)
        message.send_time = message.send_time or now
        open_rows = [r for r in rows if r.status not in (DELIVERED, DEAD)]
        dead = [r for r in rows if r.status == DEAD]
        reasons = [message.failure_reason] if message.failure_reason else []
        if open_rows:
            message.state = IN_PROGRESS
        else:
            message.state = FAILED if dead else COMPLETED
            message.send_time_complete = now
            reasons += [f"{r.destination.get('to')}: {r.last_error}" for r in dead]
            message.failure_reason = "; ".join(reasons) or None
        message.updated_at = now
        if status == DELIVERED and message.customer_id:
            self._log_interaction(message, row, now)
        shown = presented(message)
        # The outcome's audit is the outbox row the worker updated: an event, no audit line.
        self.uow.publish(
            RESOURCE, UPDATE, message.id, shown, changed_attributes(shown_before, shown)
        )

    def _log_interaction(self, message: CommunicationMessage, row, now: datetime) -> None:
        text = row.payload.get("subject") or row.payload.get("text") or row.payload.get("body")
        document = {
            "@type": "PartyInteraction",
            "direction": "outbound",
            "status": COMPLETED,
            "reason": "notification",
            "description": (text or "message")[:500],
            "interactionDate": {
                "startDateTime": iso(message.created_at),
                "endDateTime": iso(now),
            },
            "relatedChannel": [
                {
                    "@type": "RelatedChannel",  # required by the v5 schema (Extensible)
                    "role": "contact",
                    "channel": {"@type": "ChannelRef", "id": message.channel},
                }
            ],
            "relatedParty": [
                {
                    "@type": "RelatedPartyOrPartyRole",
                    "role": "customer",
                    "partyOrPartyRole": {
                        "@type": "PartyRoleRef",
                        "id": message.customer_id,
                        "@referredType": "Customer",
                    },
                }
            ],
            "interactionItem": [
                {
                    "@type": "InteractionItem",
                    "item": {
                        "@type": "RelatedEntityRefOrValue",
                        "role": "message",
                        "entity": {
                            "@type": "EntityRef",
                            "id": message.id,
                            "@referredType": "CommunicationMessage",
                        },
                    },
                }
            ],
        }
        InteractionService(self.uow.acting_as(WORKER)).create(document)


def presented(message: CommunicationMessage) -> dict:
    """The TMF681 document as served: what was given, with the state and times of sending."""
    body = {**message.document, "state": message.state, "tryTimes": message.try_times}
    if message.send_time:
        body["sendTime"] = iso(message.send_time)
    if message.send_time_complete:
        body["sendTimeComplete"] = iso(message.send_time_complete)
    if message.failure_reason:
        reason = {"name": "failureReason", "value": message.failure_reason}
        body["characteristic"] = [*(body.get("characteristic") or []), reason]
    return body


def _channel(message_type) -> str:
    channel = CHANNEL_OF_TYPE.get(str(message_type or "").strip().lower())
    if channel is None:
        raise InvalidInput("messageType: SMS or Email", "messageType")
    return channel


def _category(document: dict) -> str:
    for characteristic in document.get("characteristic") or []:
        if characteristic.get("name") == "category":
            if characteristic.get("value") not in CATEGORIES:
                raise InvalidInput(f"characteristic category: one of {', '.join(CATEGORIES)}")
            return characteristic["value"]
    return "service"


def settle_from_worker(session: Session, row, status: str, settings) -> None:
    """The outbox worker's outcome of one delivery (registered by parley.wiring)."""
    work = UnitOfWork(session, settings, WORKER)  # the worker's transaction, as the worker
    CommunicationService(work).settle(row.subject_id, row, status)
