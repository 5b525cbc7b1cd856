"""Tables of network self-service: the menus (data) and the sessions callers are in.

A session is keyed by the gateway's session id (``channel``, ``session_key``); gateways reuse
ids, so the key is unique only among sessions still ``active`` (a partial unique index; an
expired one is closed as abandoned when its id comes back).
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

ACTIVE, ENDED, ABANDONED = "active", "ended", "abandoned"
SESSION_STATUSES = (ACTIVE, ENDED, ABANDONED)


class ChannelMenu(Base):
    """A menu as data (channels/menus.py checks it); ``version`` counts its changes."""

    __tablename__ = "channel_menu"

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChannelSession(Base):
    """One caller's session on one channel: where they are in the menu and what they said.
    ``step`` counts the inputs taken, so a repeated or late gateway request is recognised."""

    __tablename__ = "channel_session"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'ended', 'abandoned')", name="status"),
        Index("ix_channel_session_key", "channel", "session_key", "status"),
        # One active session per gateway id: a gateway's retry racing its first request
        # finds the session the first one opened instead of opening a second.
        Index(
            "uq_channel_session_active",
            "channel",
            "session_key",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
        Index("ix_channel_session_expiry", "status", "expires_at"),
        # Sessions by when they started: the abandoned-session KPI (migration 0035).
        Index("ix_channel_session_started", "created_at", "channel", "status"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(16))  # ussd, ivr, sms
    gateway: Mapped[str] = mapped_column(String(32))
    session_key: Mapped[str] = mapped_column(String(200))
    msisdn: Mapped[str] = mapped_column(String(32))
    menu_code: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    customer_id: Mapped[str | None] = mapped_column(UUIDString)
    interaction_id: Mapped[str | None] = mapped_column(UUIDString)
    status: Mapped[str] = mapped_column(String(16))
    step: Mapped[int] = mapped_column(Integer)
    state: Mapped[dict] = mapped_column(JSONDocument)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
