"""Tables of the interaction log: interactions, the entities they refer to, and the reasons.

The TMF683 v5 document of an interaction is kept whole in ``document``; the columns beside it
are projections for the timeline, filters and constraints.
"""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

DIRECTIONS = ("inbound", "outbound")
STATUSES = ("opened", "inProgress", "completed")
OPEN_STATUSES = ("opened", "inProgress")
COMPLETED = "completed"
# Whether the customer is sent a summary of an interaction completed for a reason.
NEVER, AGENT_DECIDES, ALWAYS = "never", "agentDecides", "always"
SUMMARY_POLICIES = (NEVER, AGENT_DECIDES, ALWAYS)


class InteractionReason(Base):
    """The managed catalogue of why customers and the enterprise get in touch."""

    __tablename__ = "interaction_reason"
    __table_args__ = (
        CheckConstraint("length(code) > 0", name="code_not_empty"),
        CheckConstraint("length(label) > 0", name="label_not_empty"),
        CheckConstraint(
            "summary_policy IN ('never', 'agentDecides', 'always')", name="summary_policy"
        ),
    )

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Whether a customer is sent a summary of an interaction completed for this reason
    # (notifications/summaries.py): never, agentDecides or always (migration 0019).
    summary_policy: Mapped[str] = mapped_column(String(16), default=NEVER, server_default=NEVER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Interaction(Base):
    __tablename__ = "party_interaction"
    __table_args__ = (
        Index("ix_party_interaction_created", "created_at", "id"),
        Index("ix_party_interaction_channel", "channel", "started_at", "id"),
        CheckConstraint("direction IN ('inbound', 'outbound')", name="direction"),
        CheckConstraint("status IN ('opened', 'inProgress', 'completed')", name="status"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        # The timeline: one person's history, newest first, paged by (started_at, id).
        Index("ix_party_interaction_timeline", "party_id", "started_at", "id"),
        Index("ix_party_interaction_customer", "customer_id", "started_at", "id"),
        Index("ix_party_interaction_started", "started_at", "id"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    # The customer it concerns; None for a caller not (yet) identified or a prospect.
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    # The person or organisation (the customer's engaged party when logged): the timeline key,
    # so a person's history spans their former customer accounts.
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"))
    direction: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(100))
    reason_code: Mapped[str | None] = mapped_column(
        ForeignKey("interaction_reason.code", ondelete="RESTRICT")
    )
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    description: Mapped[str | None] = mapped_column(String(500))  # shortened, for the timeline
    logged_by: Mapped[str] = mapped_column(String(150))
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InteractionReference(Base):
    """An entity an interaction refers to (a request, a bill, an order, a message)."""

    __tablename__ = "party_interaction_ref"
    __table_args__ = (Index("ix_party_interaction_ref_entity", "entity_id", "entity_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interaction_id: Mapped[str] = mapped_column(
        ForeignKey("party_interaction.id", ondelete="CASCADE"), index=True
    )
    entity_type: Mapped[str] = mapped_column(String(100))
    entity_id: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(100))
