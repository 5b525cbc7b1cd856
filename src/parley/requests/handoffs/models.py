"""Tables of the acknowledged hand-offs: what a request handed to the ordering or the billing
system and is waiting to hear back about, and every acknowledgement received, kept raw.

A hand-off's id is its correlation id: it travels in the outbox message, in the order's
``externalId`` (or the adjustment's ``correlationId``) and comes back in the other system's
events. ``due_at`` is when an agent is asked to chase it if nothing has come back by then.
"""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

ORDER, BILLING = "order", "billing"
KINDS = (ORDER, BILLING)
# waiting: handed over, no final answer yet; completed / unfulfilled: the other system's final
# answer; ended: the request ended otherwise (an agent closed or cancelled it) before one came.
WAITING, COMPLETED, UNFULFILLED, ENDED = "waiting", "completed", "unfulfilled", "ended"
STATES = (WAITING, COMPLETED, UNFULFILLED, ENDED)
APPLIED, IGNORED = "applied", "ignored"


class Handoff(Base):
    __tablename__ = "request_handoff"
    __table_args__ = (
        CheckConstraint("kind IN ('order', 'billing')", name="kind"),
        CheckConstraint("state IN ('waiting', 'completed', 'unfulfilled', 'ended')", name="state"),
        UniqueConstraint("request_id", "kind", name="uq_request_handoff_request_kind"),
        # The watch: the waiting hand-offs no task was made for yet, the soonest due first.
        Index(
            "ix_request_handoff_due",
            "due_at",
            postgresql_where=text("state = 'waiting' AND task_id IS NULL"),
            sqlite_where=text("state = 'waiting' AND task_id IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("customer_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    # What was handed over (the order or the adjustment, as queued) and its outbox message.
    payload: Mapped[dict] = mapped_column(JSONDocument)
    outbox_message_id: Mapped[str | None] = mapped_column(UUIDString)
    # What the other system calls it (the product order's id) and the state it last reported.
    external_id: Mapped[str | None] = mapped_column(String(100), index=True)
    external_state: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(500))
    task_id: Mapped[str | None] = mapped_column(UUIDString)  # the agent's task, once overdue
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Acknowledgement(Base):
    """One message the other system sent about a hand-off, as received (the bytes and their
    content type) before it was applied, with who sent it and what became of it. ``event_key``
    (the event's id, else the body's SHA-256) takes each event once."""

    __tablename__ = "handoff_acknowledgement"
    __table_args__ = (CheckConstraint("outcome IN ('applied', 'ignored')", name="outcome"),)

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    handoff_id: Mapped[str] = mapped_column(
        ForeignKey("request_handoff.id", ondelete="CASCADE"), index=True
    )
    event_key: Mapped[str] = mapped_column(String(200), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    reported_state: Mapped[str | None] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    sender: Mapped[str] = mapped_column(String(200))  # a client's name, or "signed by ..."
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
