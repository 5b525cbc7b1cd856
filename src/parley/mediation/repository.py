"""Every query of mediation: inbound messages (stored, claimed by the workers, listed) and
message profiles.

Claiming is the SLA watch's way (requests/sla/repository.py): the due messages are selected
``FOR UPDATE SKIP LOCKED`` in the transaction that applies them, so on PostgreSQL concurrent
workers take disjoint messages without waiting for each other, and a worker that dies mid-way
simply releases its locks with its transaction: the messages are ``received`` again, with
nothing of their application left behind. On SQLite the transaction's write lock (BEGIN
IMMEDIATE, db.engine) runs the workers one after the other.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, insert, select
from sqlalchemy.orm import undefer

from parley.db.repository import Page, Repository
from parley.mediation.models import PENDING_STATES, InboundMessage, MessageProfile

_MESSAGES = InboundMessage.__table__
_INSERT = insert(_MESSAGES)


class InboundRepository(Repository):
    def insert(self, values: dict) -> None:
        self.run(_INSERT, values)

    def by_key(self, source: str, idempotency_key: str) -> InboundMessage | None:
        query = select(InboundMessage).where(
            InboundMessage.source == source, InboundMessage.idempotency_key == idempotency_key
        )
        return self.session.scalar(query)

    def get(self, message_id: str, for_update: bool = False) -> InboundMessage | None:
        return self.one(InboundMessage, message_id, for_update=for_update)

    def page_of(self, conditions: Sequence[ColumnElement], page: Page) -> tuple[list, int]:
        """Messages newest first (without loading their content), and how many match."""
        return self.page(InboundMessage, list(conditions), page, (InboundMessage.received_at, True))

    def claim_due(self, now: datetime, limit: int) -> list[InboundMessage]:
        """Messages with work left whose time has come, oldest due first, locked for the
        caller's transaction; those another worker holds are skipped."""
        query = (
            select(InboundMessage)
            .where(InboundMessage.state.in_(PENDING_STATES), InboundMessage.next_attempt_at <= now)
            .order_by(InboundMessage.next_attempt_at, InboundMessage.received_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .options(undefer(InboundMessage.content))
            .execution_options(populate_existing=True)
        )
        return list(self.session.scalars(query))


class ProfileRepository(Repository):
    def get(self, profile_id: str) -> MessageProfile | None:
        return self.one(MessageProfile, profile_id)

    def by_identity(self, partner: str, transaction_type: str, version: str):
        query = select(MessageProfile).where(
            MessageProfile.partner == partner,
            MessageProfile.transaction_type == transaction_type,
            MessageProfile.version == version,
        )
        return self.session.scalar(query)

    def listed(self, conditions: Sequence[ColumnElement], page: Page) -> tuple[list, int]:
        order = ((MessageProfile.partner, False), (MessageProfile.transaction_type, False))
        return self.page(MessageProfile, list(conditions), page, *order)

    def active_of_partner(self, partner: str) -> list[MessageProfile]:
        query = (
            select(MessageProfile)
            .where(MessageProfile.partner == partner, MessageProfile.active.is_(True))
            .order_by(MessageProfile.transaction_type, MessageProfile.version)
        )
        return list(self.session.scalars(query))
