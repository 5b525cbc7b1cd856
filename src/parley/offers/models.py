"""The offer catalogue's tables: offerings (their TMF620 document, with the columns lists and
eligibility read) and the customer segments each is offered to."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
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
