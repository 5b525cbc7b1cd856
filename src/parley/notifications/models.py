"""Tables of outbound communications: message templates and customers' contact preferences."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

CHANNELS = ("email", "sms")
# Service notices (bills, request progress) always go; marketing only with consent.
CATEGORIES = ("service", "marketing")
# TMF681 states: queued, being sent (tried, or some receivers still waiting), and the ends.
INITIAL, IN_PROGRESS, COMPLETED, FAILED, CANCELLED = (
    "initial",
    "inProgress",
    "completed",
    "failed",
    "cancelled",
)
MESSAGE_STATES = (INITIAL, IN_PROGRESS, COMPLETED, FAILED, CANCELLED)


class MessageTemplate(Base):
    """The wording of one kind of message on one channel in one language (Jinja2 text)."""

    __tablename__ = "message_template"
    __table_args__ = (
        UniqueConstraint("kind", "channel", "language", name="kind_channel_language"),
        CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        CheckConstraint("category IN ('service', 'marketing')", name="category"),
        CheckConstraint("length(kind) > 0", name="kind_not_empty"),
        CheckConstraint("length(body) > 0", name="body_not_empty"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactPreference(Base):
    """How a customer wants to be reached. No row: the defaults (any channel, no opt-out)."""

    __tablename__ = "contact_preference"
    __table_args__ = (
        CheckConstraint(
            "preferred_channel IS NULL OR preferred_channel IN ('email', 'sms')",
            name="preferred_channel",
        ),
        # Both ends of the quiet hours or neither ("HH:MM", local to time_zone).
        CheckConstraint("(quiet_start IS NULL) = (quiet_end IS NULL)", name="quiet_hours"),
    )

    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True
    )
    preferred_channel: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(16))
    marketing_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    time_zone: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunicationMessage(Base):
    """A message to one or more receivers (TMF681), sent through the outbox: one outbox row per
    receiver it could be addressed to. Its state follows those rows (notifications.messages)."""

    __tablename__ = "communication_message"
    __table_args__ = (
        Index("ix_communication_message_created", "created_at", "id"),
        CheckConstraint(
            "state IN ('initial', 'inProgress', 'completed', 'failed', 'cancelled')",
            name="state",
        ),
        CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        CheckConstraint("category IN ('service', 'marketing')", name="category"),
        Index("ix_communication_message_state", "state"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    # The customer it concerns (the first receiver that is one), for history and scoping.
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=INITIAL)
    # Why it failed, per receiver that could not be reached; None while nothing failed.
    failure_reason: Mapped[str | None] = mapped_column(Text)
    try_times: Mapped[int] = mapped_column(Integer, default=0)
    send_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    send_time_complete: Mapped[datetime | None] = mapped_column(UTCDateTime)
    document: Mapped[dict] = mapped_column(JSONDocument)  # the TMF681 document as given
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
