"""Hub subscriptions: who wants the events of which TMF API, and where to send them; and how far
the event store (the outbox's domain events) has been pruned."""

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, UTCDateTime, UUIDString, new_id, utcnow

MAX_CALLBACK_LENGTH = 2000
MAX_QUERY_LENGTH = 1000


class EventSubscription(Base):
    __tablename__ = "event_subscription"
    # The fan-out reads the subscriptions of the APIs that show a resource type.
    __table_args__ = (Index("ix_event_subscription_api", "api"),)

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    api: Mapped[str] = mapped_column(String(32))  # an event view's api key, e.g. TMF629
    callback: Mapped[str] = mapped_column(String(MAX_CALLBACK_LENGTH))
    query: Mapped[str | None] = mapped_column(Text)
    # Signs the callbacks (X-Parley-Signature); None: PARLEY_WEBHOOK_SECRET signs them.
    secret: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(150))
    # The user who subscribed: only they (and administrators) read or remove it. None (made
    # before owners were kept, by a user since deleted): administrators only.
    owner_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventStorePruning(Base):
    """How far the event store has been pruned (events/retention.py): one row. Events stored
    before ``pruned_before`` are gone, so an ``after=<id>`` the store no longer holds may be one
    of them (TMF688 answers 410 then, docs/events.md)."""

    __tablename__ = "event_store_pruning"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    pruned_before: Mapped[datetime] = mapped_column(UTCDateTime)
    pruned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    events_pruned: Mapped[int] = mapped_column(BigInteger, default=0)
