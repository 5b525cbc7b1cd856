"""The outbox's rules: enqueueing a side effect in the caller's transaction, and what
administrators may do with the messages (list, inspect, send a dead letter again).

Other domains call ``OutboxService(uow).enqueue(...)`` inside their own unit of work; the
message exists exactly when their change is committed. The service never commits.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from parley.db.base import new_id, storable_id, utcnow
from parley.errors import Conflict, InvalidInput, NotFound
from parley.links import Links
from parley.outbox.channels import Attachment, channel_for, known_kinds
from parley.outbox.models import DEAD, EVENT_KIND, PENDING, STATUSES, OutboxMessage
from parley.outbox.repository import OutboxRepository

RESOURCE = "outboxMessage"
RETRY = "retry"
EMAIL_KIND = "email"  # outbox.email.KIND: the one channel that carries files
MAX_KEY_LENGTH = 200

if TYPE_CHECKING:  # the outbox sits below the change recorder, which writes outbox rows
    from parley.changes import UnitOfWork
MAX_PAGE = 1000


@dataclass(frozen=True)
class Enqueued:
    id: str
    idempotency_key: str
    created: bool  # False: a message with this idempotency key was already there


class OutboxService:
    def __init__(self, uow: "UnitOfWork"):
        """``uow``'s actor is who administrative changes are audited for (enqueueing needs
        none: the change that causes a message is audited by its own domain)."""
        self.uow = uow
        self.repo = OutboxRepository(uow.session)

    def enqueue(
        self,
        kind: str,
        destination: dict,
        payload: dict,
        idempotency_key: str | None = None,
        not_before: datetime | None = None,
        subject: tuple[str, str] | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> Enqueued:
        """Store a message to deliver once the caller's transaction commits.

        ``idempotency_key`` (default: a new UUID) is sent with every attempt; enqueueing a key
        that is already there adds nothing, so a caller may derive the key from what it reacts
        to and enqueue again safely. ``not_before`` delays the first attempt. ``subject``
        (type, id) names what the message is about, when its domain registered to hear every
        outcome (outbox.subjects). ``attachments`` are files an email carries: kept
        beside the message (the payload lists their names, types and sizes), read back by
        the worker when it sends.
        """
        channel = channel_for(kind)
        if channel is None:
            raise InvalidInput(f"kind: one of {', '.join(known_kinds())}", "kind")
        if not isinstance(destination, dict) or not isinstance(payload, dict):
            raise InvalidInput("destination and payload: JSON objects")
        channel.check_destination(destination)
        if attachments and kind != EMAIL_KIND:
            raise InvalidInput("attachments: only an email carries files", "attachments")
        if idempotency_key is not None:
            if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
                raise InvalidInput(
                    f"idempotency_key: 1 to {MAX_KEY_LENGTH} characters", "idempotency_key"
                )
            existing = self.repo.id_for_key(idempotency_key)
            if existing is not None:
                return Enqueued(existing, idempotency_key, False)
        if not_before is not None and not_before.tzinfo is None:
            raise InvalidInput("not_before: give a time zone", "not_before")
        if kind != EVENT_KIND:
            # What goes out is composed now, as sent: references to Parley's resources carry
            # their hrefs (an event's are made by the fan-out, per API and base URL).
            payload = self.uow.options(Links).fill(payload)
        if attachments:
            payload = {
                **payload,
                "attachments": [
                    {"filename": a.filename, "contentType": a.content_type, "size": len(a.content)}
                    for a in attachments
                ],
            }
        now = utcnow()
        message_id = new_id()
        key = idempotency_key or message_id
        self.repo.insert(
            {
                "id": message_id,
                "kind": kind,
                "destination": destination,
                "payload": payload,
                "idempotency_key": key,
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": not_before or now,
                "created_at": now,
                "subject_type": subject[0] if subject else None,
                "subject_id": subject[1] if subject else None,
            }
        )
        self.repo.add_attachments(message_id, attachments)
        return Enqueued(message_id, key, True)

    def of_subject(self, subject_type: str, subject_id: str) -> list[OutboxMessage]:
        return self.repo.of_subject(subject_type, subject_id)

    def withdraw(self, subject_type: str, subject_id: str) -> None:
        """Take back every message about the subject, or Conflict if any is already under way
        (sending it cannot be undone): the caller's transaction then changes nothing."""
        messages = self.repo.of_subject(subject_type, subject_id)
        untried = [m for m in messages if m.status == PENDING and m.attempts == 0]
        if len(untried) != len(messages) or self.repo.delete_untried(
            subject_type, subject_id
        ) != len(untried):
            raise Conflict("it is being sent or has been sent already")

    # -- administration --------------------------------------------------------------------

    def get(self, message_id: str) -> OutboxMessage:
        row = self.repo.get(message_id) if storable_id(message_id, 36) else None
        if row is None:
            raise NotFound(f"No outbox message with id {message_id}")
        return row

    def list_messages(
        self, status: str | None = None, kind: str | None = None, offset: int = 0, limit: int = 100
    ) -> tuple[list[OutboxMessage], int]:
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"status: one of {', '.join(STATUSES)}", "status")
        if offset < 0 or not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"offset >= 0 and limit between 1 and {MAX_PAGE}", "limit")
        conditions = []
        if status is not None:
            conditions.append(OutboxMessage.status == status)
        if kind is not None:
            conditions.append(OutboxMessage.kind == kind)
        return self.repo.list_messages(conditions, offset, limit)

    def retry(self, message_id: str) -> OutboxMessage:
        """Send a dead letter again: pending now, with a fresh count of attempts and the same
        idempotency key (a receiver that did get it drops the repeat)."""
        self.uow.writer()  # audited: fail before changing anything
        row = self.get(message_id)
        if row.status != DEAD:
            raise Conflict(f"only a dead letter can be retried; this message is {row.status}")
        before = {"status": row.status, "attempts": row.attempts, "lastError": row.last_error}
        row.status, row.attempts, row.next_attempt_at = PENDING, 0, utcnow()
        row.claimed_by = row.claimed_until = None
        self.repo.session.flush()
        after = {"status": row.status, "attempts": 0}
        self.uow.record(RESOURCE, RETRY, row.id, before=before, after=after)
        return row
