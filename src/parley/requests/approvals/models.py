"""The approval table: an adjustment above its requester's limit, waiting for (or past) the
decision of a supervisor whose limit covers it. One per adjustment request."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, UTCDateTime, UUIDString, new_id, utcnow

PENDING, APPROVED, REJECTED, WITHDRAWN = "pending", "approved", "rejected", "withdrawn"
APPROVAL_STATUSES = (PENDING, APPROVED, REJECTED, WITHDRAWN)


class Approval(Base):
    """``requested_by_id``/``decided_by_id`` are user ids kept without a foreign key (like the
    audit trail's actor), so the record outlives a deleted user; the names are kept beside."""

    __tablename__ = "approval"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')", name="status"
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("length(currency) = 3", name="currency_iso"),
        CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name="decided_when_not_pending"
        ),
        Index("ix_approval_status_created", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("customer_request.id", ondelete="CASCADE"), unique=True
    )
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customer.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(500))
    billing_account_id: Mapped[str] = mapped_column(String(36))
    requested_by_id: Mapped[str | None] = mapped_column(String(36), index=True)
    requested_by: Mapped[str] = mapped_column(String(150))
    # The requester's own limit in the adjustment's currency, which the amount exceeded.
    requester_limit: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(16))
    decided_by_id: Mapped[str | None] = mapped_column(String(36))
    decided_by: Mapped[str | None] = mapped_column(String(150))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}
