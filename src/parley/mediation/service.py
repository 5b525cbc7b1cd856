"""Inbound messages for administrators: listing them by state, source and partner, one with
its raw content and history, and replaying a rejected or dead one (audited). The service
never commits."""

import base64
import copy

from parley.changes import UnitOfWork
from parley.db.base import iso, storable_id, utcnow
from parley.db.repository import Page
from parley.errors import InvalidInput, NotFound
from parley.mediation.models import (
    RECEIVED,
    REPLAYABLE,
    SOURCES,
    STATES,
    InboundMessage,
)
from parley.mediation.repository import InboundRepository
from parley.mediation.worker import note

RESOURCE = "inboundMessage"
REPLAY = "replay"


class InboundService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = InboundRepository(uow.session)

    def get(self, message_id: str) -> InboundMessage:
        return self.repo.found(InboundMessage, message_id, None, f"No inbound message {message_id}")

    def find(
        self,
        page: Page,
        state: str | None = None,
        source: str | None = None,
        partner: str | None = None,
    ) -> tuple[list[InboundMessage], int]:
        """Messages newest first, with how many match: of a state, source or partner."""
        conditions = []
        if state is not None:
            if state not in STATES:
                raise InvalidInput(f"state: one of {', '.join(STATES)}", "state")
            conditions.append(InboundMessage.state == state)
        if source is not None:
            if source not in SOURCES:
                raise InvalidInput(f"source: one of {', '.join(SOURCES)}", "source")
            conditions.append(InboundMessage.source == source)
        if partner is not None:
            conditions.append(InboundMessage.partner == partner.strip().lower()[:64])
        return self.repo.page_of(conditions, page)

    def replay(self, message_id: str) -> InboundMessage:
        """A rejected or dead message back to ``received``, to be parsed and applied afresh
        (after its profile was fixed, say), with a fresh count of attempts; what it was is
        kept in its history and the audit trail. Any other message is left as it is: an
        applied one stays applied (its effect is never doubled), a pending one is on its
        way."""
        actor = self.uow.writer()
        message = self.repo.get(message_id, True) if storable_id(message_id, 36) else None
        if message is None:
            raise NotFound(f"No inbound message {message_id}")
        if message.state not in REPLAYABLE:
            return message
        before = {
            "state": message.state,
            "attempts": message.attempts,
            "reason": message.reason,
            "lastError": message.last_error,
        }
        message.state, message.attempts, message.next_attempt_at = RECEIVED, 0, utcnow()
        message.reason = message.last_error = None
        message.command = message.outcome = message.profile_id = None
        message.updated_at = utcnow()
        note(message, RECEIVED, actor.name, replayed=before["state"])
        self.uow.session.flush()
        self.uow.record(RESOURCE, REPLAY, message.id, before=before, after={"state": RECEIVED})
        return message


def message_view(message: InboundMessage, whole: bool = False) -> dict:
    """A message as administrators see it; ``whole``: with its raw content (as text when it
    is UTF-8, else base64), headers, commands, outcome and history."""
    view = {
        "id": message.id,
        "source": message.source,
        "partner": message.partner,
        "transactionType": message.transaction_type,
        "contentType": message.content_type,
        "size": message.size,
        "idempotencyKey": message.idempotency_key,
        "state": message.state,
        "attempts": message.attempts,
        "reason": message.reason,
        "lastError": message.last_error,
        "profileId": message.profile_id,
        "receivedBy": message.received_by,
        "receivedAt": iso(message.received_at),
        "updatedAt": iso(message.updated_at),
        "appliedAt": iso(message.applied_at) if message.applied_at else None,
        "nextAttemptAt": iso(message.next_attempt_at),
    }
    if whole:
        view.update(
            {
                "headers": dict(message.headers or {}),
                **content_view(message.content),
                "command": copy.deepcopy(message.command),
                "outcome": copy.deepcopy(message.outcome),
                "history": copy.deepcopy(message.history or []),
            }
        )
    return view


def content_view(content: bytes) -> dict:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        return {"content": text, "contentEncoding": "text"}
    return {"content": base64.b64encode(content).decode("ascii"), "contentEncoding": "base64"}
