"""The tables of mediation (migration 0030): every message received from outside, stored raw
before it is parsed, and the partner message profiles that say how to read one.

An inbound message moves ``received -> parsed -> applied``, or to ``rejected`` (what it says
cannot become a command: the reason is kept) or ``dead`` (applying it failed too often: the
last error is kept). ``received`` and ``parsed`` are the states a worker still has work for.
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

RECEIVED, PARSED, APPLIED, REJECTED, DEAD = "received", "parsed", "applied", "rejected", "dead"
STATES = (RECEIVED, PARSED, APPLIED, REJECTED, DEAD)
PENDING_STATES = (RECEIVED, PARSED)  # a worker still has work for these
REPLAYABLE = (REJECTED, DEAD)
EMAIL, PARTNER, IMPORT, CALLBACK = "email", "partner", "import", "callback"
SOURCES = (EMAIL, PARTNER, IMPORT, CALLBACK)
MAX_KEY_LENGTH = 200
MAX_ERROR_LENGTH = 2000


class InboundMessage(Base):
    __tablename__ = "inbound_message"
    __table_args__ = (
        CheckConstraint(
            "state IN ('received', 'parsed', 'applied', 'rejected', 'dead')", name="state"
        ),
        CheckConstraint("source IN ('email', 'partner', 'import', 'callback')", name="source"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # A second delivery of the same message is the same row.
        UniqueConstraint("source", "idempotency_key", name="uq_inbound_message_source_key"),
        # The workers' claim: messages with work left, in due order. Partial, so the applied
        # history (the bulk of the table) costs the index nothing.
        Index(
            "ix_inbound_message_due",
            "next_attempt_at",
            postgresql_where=text("state IN ('received', 'parsed')"),
            sqlite_where=text("state IN ('received', 'parsed')"),
        ),
        # Administrators' lists: by state, source or partner, newest first.
        Index("ix_inbound_message_state", "state", "received_at"),
        Index("ix_inbound_message_source", "source", "received_at"),
        Index("ix_inbound_message_partner", "partner", "received_at"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(16))
    partner: Mapped[str | None] = mapped_column(String(64))
    transaction_type: Mapped[str | None] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(200))
    headers: Mapped[dict] = mapped_column(JSONDocument)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # lists leave it
    size: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    state: Mapped[str] = mapped_column(String(16), default=RECEIVED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed ones, since received
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # why it was rejected
    # What parsing made of it: the profile that read it and the commands it became.
    profile_id: Mapped[str | None] = mapped_column(UUIDString)
    command: Mapped[dict | None] = mapped_column(JSONDocument)
    outcome: Mapped[dict | None] = mapped_column(JSONDocument)  # what applying it made
    history: Mapped[list] = mapped_column(JSONDocument)  # [{state, at, by, note}]
    received_by: Mapped[str] = mapped_column(String(150))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MessageProfile(Base):
    """How to read one partner's messages of one transaction type (one version of it): the
    profile document as the administrator wrote it (YAML or JSON), with the columns it is
    found by."""

    __tablename__ = "message_profile"
    __table_args__ = (
        UniqueConstraint(
            "partner", "transaction_type", "version", name="uq_message_profile_identity"
        ),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    partner: Mapped[str] = mapped_column(String(64))
    transaction_type: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    command: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
