"""The rate limiter's one table: counters shared by every API process of a deployment."""

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, UTCDateTime

KEY_LENGTH = 128


class RateCounter(Base):
    """One counter: the events of one subject in one window of a rate (the window's number is
    part of the key), the failures of a subject with the wait they earned (``until``), or a
    mark (a source a user signed in from). Subjects are stored as SHA-256 prefixes, never as
    given (no usernames or addresses in this table). A row past ``expires_at`` means nothing
    and is deleted by the workers' periodic job."""

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
