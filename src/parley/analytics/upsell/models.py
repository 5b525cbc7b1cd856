"""Tables of up-selling: the rules (data administrators manage), the offers made to customers
with each customer's answer, and the acceptance figures of days whose offers can no longer
be answered. Candidates are not stored: they are worked out from the customer's history
when an agent opens the customer (``service.py``)."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

SHOWN, LATER, ACCEPTED, REFUSED, EXPIRED = "shown", "later", "accepted", "refused", "expired"
OFFER_STATUSES = (SHOWN, LATER, ACCEPTED, REFUSED, EXPIRED)
PENDING = (SHOWN, LATER)  # waiting for the customer's answer
ANSWERS = (ACCEPTED, REFUSED, LATER)


class UpsellRule(Base):
    """A rule: what in a customer's recent history points to which offering, how strongly
    (weights decaying with a half-life), from which score on, and how long a refusal holds.
    ``document`` is the rule as the API shows it (``rules.py`` checks it)."""

    __tablename__ = "upsell_rule"

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(150))


class UpsellOffer(Base):
    """An offer shown to an agent for a customer (once, however often the customer is
    opened while it waits), and the customer's answer. The rule's code and the offering's
    name are kept as they were, for the figures after either changed or went."""

    __tablename__ = "upsell_offer"
    __table_args__ = (
        CheckConstraint(
            "status IN ('shown', 'later', 'accepted', 'refused', 'expired')", name="status"
        ),
        # The customer's offers, newest first (the 360: the one waiting, the period, refusals).
        Index("ix_upsell_offer_customer", "customer_id", "presented_at"),
        # Acceptance by rule and offering over a period, read from the index alone.
        Index("ix_upsell_offer_presented", "presented_at", "rule_code", "offering_id", "status"),
        # One offer waiting for an answer per customer, however many agents open them at once.
        Index(
            "uq_upsell_offer_pending",
            "customer_id",
            unique=True,
            postgresql_where=text("status IN ('shown', 'later')"),
            sqlite_where=text("status IN ('shown', 'later')"),
        ),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    rule_id: Mapped[str | None] = mapped_column(
        ForeignKey("upsell_rule.id", ondelete="SET NULL"), index=True
    )
    rule_code: Mapped[str] = mapped_column(String(64))
    offering_id: Mapped[str] = mapped_column(String(36))
    offering_name: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    # Why: the signals the rule counted (kind, code, how many, the latest), as shown.
    evidence: Mapped[list] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(String(16))
    presented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    presented_to: Mapped[str] = mapped_column(String(150))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(150))
    note: Mapped[str | None] = mapped_column(String(500))
    # The interaction logging the last answer, and the add-on request an acceptance raised.
    interaction_id: Mapped[str | None] = mapped_column(String(36))
    request_id: Mapped[str | None] = mapped_column(String(36))


class UpsellAcceptanceDay(Base):
    """The offers first shown on one UTC day, by rule and offering, by the answer they have:
    kept by the workers (``acceptance.py``) for days older than the period, whose offers can
    no longer be answered, so that the KPI over months reads these rows, not every offer."""

    __tablename__ = "upsell_acceptance_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    offering_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shown: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    refused: Mapped[int] = mapped_column(Integer)
    later: Mapped[int] = mapped_column(Integer)
    unanswered: Mapped[int] = mapped_column(Integer)


class UpsellAcceptanceSettled(Base):
    """How far the days are rolled up: the days before ``through`` (one row)."""

    __tablename__ = "upsell_acceptance_settled"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    through: Mapped[date] = mapped_column(Date)
