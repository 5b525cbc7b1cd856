"""The SLA clock of a request: when it started, when the warning and the breach are due, how
long it has been paused, and what has been raised in its current run.

``next_check_at`` is the one moment the watch looks at: the warning time until the warning is
raised, then the due time until the breach is; empty while paused, stopped or done, so the
watch's index holds only the clocks that can still fire.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, UTCDateTime, UUIDString, utcnow

RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"
STATES = (RUNNING, PAUSED, STOPPED)


class RequestSla(Base):
    __tablename__ = "request_sla"
    __table_args__ = (
        CheckConstraint("state IN ('running', 'paused', 'stopped')", name="state"),
        CheckConstraint("warning_percent BETWEEN 1 AND 99", name="warning_percent"),
        CheckConstraint("target_seconds > 0", name="target_seconds"),
        Index(
            "ix_request_sla_next_check",
            "next_check_at",
            postgresql_where=text("next_check_at IS NOT NULL"),
            sqlite_where=text("next_check_at IS NOT NULL"),
        ),
    )

    request_id: Mapped[str] = mapped_column(
        UUIDString, ForeignKey("customer_request.id", ondelete="CASCADE"), primary_key=True
    )
    run: Mapped[int] = mapped_column(Integer)  # 1, then one more each time it is restarted
    state: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))  # the priority its target is for
    target_seconds: Mapped[int] = mapped_column(Integer)
    warning_percent: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # finished pauses
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
