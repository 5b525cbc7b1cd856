"""The call journal's table (migration 0020): one row per call the phone system reported."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

RINGING, ANSWERED, COMPLETED, MISSED = "ringing", "answered", "completed", "missed"
CALL_STATES = (RINGING, ANSWERED, COMPLETED, MISSED)
# A missed inbound call: someone wanted us; it is called back, or marked as not needing it.
# Made into a task: a callback request whose workflow puts it in the customer-care queue.
CALLBACK_NEEDED, CALLBACK_DONE, CALLBACK_TASK = "needed", "done", "task"


class PhoneCall(Base):
    __tablename__ = "phone_call"
    __table_args__ = (
        CheckConstraint("state IN ('ringing', 'answered', 'completed', 'missed')", name="state"),
        CheckConstraint("direction IN ('inbound', 'outbound')", name="direction"),
        Index("ix_phone_call_started", "started_at"),
        Index("ix_phone_call_callback", "callback", "started_at"),
        Index("ix_phone_call_wrap_up_due", "wrap_up_due"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    call_ref: Mapped[str] = mapped_column(String(150), unique=True)  # the gateway's callId
    direction: Mapped[str] = mapped_column(String(16))
    caller: Mapped[str] = mapped_column(String(64))  # "from", as the gateway sent it
    callee: Mapped[str] = mapped_column(String(64))  # "to"
    state: Mapped[str] = mapped_column(String(16))
    ring_to: Mapped[list] = mapped_column(JSONDocument)  # user ids the call rings for
    answered_by_id: Mapped[str | None] = mapped_column(UUIDString)
    answered_by: Mapped[str | None] = mapped_column(String(150))
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    candidates: Mapped[list] = mapped_column(JSONDocument)  # who the number may be
    interaction_id: Mapped[str | None] = mapped_column(UUIDString)
    cause: Mapped[str | None] = mapped_column(String(64))
    events: Mapped[list] = mapped_column(JSONDocument)  # the events taken (idempotency)
    callback: Mapped[str | None] = mapped_column(String(16))
    callback_request_id: Mapped[str | None] = mapped_column(UUIDString)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Hung up with its contact still open: when the worker completes the contact if the agent
    # has not wrapped it up (cleared once it is completed).
    wrap_up_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
