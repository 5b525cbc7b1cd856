"""The offer catalogue's tables: offerings (their TMF620 document, with the columns lists and
eligibility read), the customer segments each is offered to, and the products customers hold."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

# TMF620's lifecycle of an offering. Customers see the released ones; they may select only
# the sellable ones, within the offering's validity.
LIFECYCLE_STATUSES = (
    "In study",
    "In design",
    "In test",
    "Active",
    "Launched",
    "Retired",
    "Obsolete",
    "Rejected",
)
SELLABLE = ("Active", "Launched")
RELEASED = (*SELLABLE, "Retired")


class ProductOffering(Base):
    __tablename__ = "product_offering"
    __table_args__ = (Index("ix_product_offering_status_name", "lifecycle_status", "name", "id"),)

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    lifecycle_status: Mapped[str] = mapped_column(String(16))
    # The id the offering has in the BSS it was imported from (its externalIdentifier).
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OfferingSegment(Base):
    """An offering is for the customers of these segments (``marketSegment``); one without
    any is for every customer."""

    __tablename__ = "product_offering_segment"

    offering_id: Mapped[str] = mapped_column(
        ForeignKey("product_offering.id", ondelete="CASCADE"), primary_key=True
    )
    segment: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


# A product a customer holds: active from when ordering completed it (or the BSS says so),
# terminated once it ends. TMF637's lifecycle, the part Parley needs.
PRODUCT_STATUSES = ("active", "suspended", "terminated")
HELD = ("active", "suspended")  # what eligibility counts as held


class CustomerProduct(Base):
    """A product the customer holds, made from an offering: recorded when the ordering system
    completes an add-on order, or imported from the BSS. Eligibility reads it (an offering may
    require or exclude what a customer holds); the 360 and the portal show it."""

    __tablename__ = "customer_product"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'suspended', 'terminated')", name="status"),
        Index("ix_customer_product_customer", "customer_id", "status"),
        # One product per order the ordering system completed (an import names none).
        UniqueConstraint("order_id", name="uq_customer_product_order_id"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    offering_id: Mapped[str | None] = mapped_column(
        ForeignKey("product_offering.id", ondelete="SET NULL"), index=True
    )
    # The offering as the ordering system and the BSS name it (its BSS id, else Parley's id):
    # kept when the offering is deleted from the catalogue.
    offering_ref: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(UUIDString)  # the request that ordered it
    order_id: Mapped[str | None] = mapped_column(String(100))  # the ordering system's order
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
