"""The outbox table: one row per side effect (a webhook call; later an email, an SMS, an event).

A row is written in the transaction of the change that causes it, so it exists exactly when the
change does. Workers move it pending -> inProgress (claimed, under a lease) -> delivered, or back
to pending for a retry, or to dead once retrying is pointless.
"""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

PENDING, IN_PROGRESS, DELIVERED, DEAD = "pending", "inProgress", "delivered", "dead"
EVENT_KIND = "event"  # the kind of a domain event's row (parley.changes writes them)
STATUSES = (PENDING, IN_PROGRESS, DELIVERED, DEAD)
# Rows a worker may claim: pending ones when due, in-progress ones whose lease has run out.
CLAIMABLE = (PENDING, IN_PROGRESS)
MAX_ERROR_LENGTH = 2000


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'inProgress', 'delivered', 'dead')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The claim query: claimable rows in due order. Partial, so delivered history (the
        # bulk of the table) costs the index nothing.
        Index(
            "ix_outbox_message_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'inProgress')"),
            sqlite_where=text("status IN ('pending', 'inProgress')"),
        ),
        # Administrators' lists: dead letters, newest first.
        Index("ix_outbox_message_status", "status", "created_at"),
        Index("ix_outbox_message_subject", "subject_type", "subject_id"),
        # The event store (TMF688, events/store.py): domain events in their order.
        Index("ix_outbox_message_kind_created", "kind", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))  # the channel: webhook (email, sms, event...)
    destination: Mapped[dict] = mapped_column(JSONDocument)  # where: a URL, an address...
    payload: Mapped[dict] = mapped_column(JSONDocument)  # what
    # Sent with every attempt, so that a receiver can drop a repeat after a crash.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the row is next due: for a pending row its next attempt, for a claimed one the end
    # of its lease (so one index finds both).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the message is about, when a domain follows its fate (a TMF681 message's state):
    # the worker tells that domain every outcome, in the transaction that records it.
    subject_type: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(36))


class OutboxAttachment(Base):
    """A file an email carries (a report, say), beside its message: the message's payload
    names it (``attachments``: file name, type, size) and the worker reads it back when it
    sends. It goes with its message."""

    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
