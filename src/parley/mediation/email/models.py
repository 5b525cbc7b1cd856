"""The email channel's table (migration 0036): the Message-IDs of the mail Parley sent and of
the mail it took into a request's thread, each with what it belongs to.

A customer's answer names the mail it answers (``In-Reply-To``, ``References``); found here
among what Parley sent, it goes to that request. Mail that came in is kept too, so that what
Parley sends next answers the customer's latest (its ``In-Reply-To``) and their mail program
shows one conversation.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, UTCDateTime, UUIDString, new_id, utcnow

SENT, RECEIVED = "out", "in"
MAX_MESSAGE_ID = 250  # RFC 5322 sets no limit; longer ones are kept as their digest


class EmailThreadMessage(Base):
    __tablename__ = "email_thread_message"
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        UniqueConstraint("direction", "message_id", name="uq_email_thread_message_id"),
        # A request's conversation, oldest first (the References of what Parley sends next).
        Index("ix_email_thread_message_request", "request_id", "recorded_at"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    message_id: Mapped[str] = mapped_column(String(MAX_MESSAGE_ID))  # with its <>
    direction: Mapped[str] = mapped_column(String(3))
    request_id: Mapped[str | None] = mapped_column(UUIDString)
    customer_id: Mapped[str | None] = mapped_column(UUIDString)
    address: Mapped[str | None] = mapped_column(String(254))  # the customer's side
    inbound_message_id: Mapped[str | None] = mapped_column(UUIDString)  # mail received
    outbox_message_id: Mapped[str | None] = mapped_column(UUIDString)  # mail sent
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
