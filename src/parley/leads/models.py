"""The sales lead table. The TMF699 document is kept whole in ``document``; the columns beside it
are projections for the lifecycle, filters and constraints."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

STATUSES = ("acknowledged", "inProgress", "qualified", "rejected", "converted", "cancelled")
OPEN_STATUSES = ("acknowledged", "inProgress", "qualified")
RATINGS = ("hot", "warm", "cold")
PRIORITIES = ("low", "medium", "high")


class SalesLead(Base):
    __tablename__ = "sales_lead"
    __table_args__ = (
        Index("ix_sales_lead_created", "created_at", "id"),
        CheckConstraint(
            "status IN ('acknowledged', 'inProgress', 'qualified', 'rejected', 'converted', "
            "'cancelled')",
            name="status",
        ),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("rating IS NULL OR rating IN ('hot', 'warm', 'cold')", name="rating"),
        CheckConstraint(
            "priority IS NULL OR priority IN ('low', 'medium', 'high')", name="priority"
        ),
        CheckConstraint("length(source_channel) > 0", name="source_channel_not_empty"),
        # A converted lead names its customer, and only a converted lead has one.
        CheckConstraint(
            "(status = 'converted') = (customer_id IS NOT NULL)", name="converted_has_customer"
        ),
        Index("ix_sales_lead_status", "status", "created_at"),
        Index("ix_sales_lead_owner", "owner_name", "status"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))
    # The prospect: the person or organisation the lead is about; their history follows them.
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"), index=True)
    # The person to deal with when the prospect is an organisation.
    contact_party_id: Mapped[str | None] = mapped_column(
        ForeignKey("party.id", ondelete="RESTRICT")
    )
    source_channel: Mapped[str] = mapped_column(String(100))
    rating: Mapped[str | None] = mapped_column(String(8))
    priority: Mapped[str | None] = mapped_column(String(8))
    owner_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("auth_user.id", ondelete="SET NULL")
    )
    owner_name: Mapped[str | None] = mapped_column(String(150))
    # Set on conversion: the customer the prospect became.
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customer.id", ondelete="RESTRICT"), index=True
    )
    # Contact media (E.164 phone, email) on which the prospect was actually reached.
    verified_contacts: Mapped[list] = mapped_column(JSONDocument)
    # The suspected duplicates an agent chose to create the lead despite (None: there were none).
    forced_duplicates: Mapped[list | None] = mapped_column(JSONDocument)
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
