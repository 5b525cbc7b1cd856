"""Tables of Manage Request: the request type catalogue, requests and their status history.

The TMF document of a request type and of a request is kept whole in ``document``; the columns
beside it are projections for filters, constraints and the rules.
"""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

CATEGORIES = ("fulfilment", "assurance", "billing", "account", "information")
FULFILMENT_MODES = ("automatic", "workflow")
MILESTONES = ("received", "inProgress", "delayed", "resolved")
TYPE_STATUSES = ("active", "retired")
# Longest channel id kept in CustomerRequest.channel (channels are short codes: phone, web).
CHANNEL_LENGTH = 100


class RequestType(Base):
    """A troubleTicketSpecification: what kind of request, how it is fulfilled and promised."""

    __tablename__ = "request_type"
    __table_args__ = (
        CheckConstraint(
            "category IN ('fulfilment', 'assurance', 'billing', 'account', 'information')",
            name="category",
        ),
        CheckConstraint("fulfilment_mode IN ('automatic', 'workflow')", name="fulfilment_mode"),
        CheckConstraint("lifecycle_status IN ('active', 'retired')", name="lifecycle_status"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16))
    fulfilment_mode: Mapped[str] = mapped_column(String(16))
    lifecycle_status: Mapped[str] = mapped_column(String(16))
    # A customer may raise it on their own (portal, TMF621 with a customer log-in): the
    # document's ``selfService``, managed by administrators.
    self_service: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A request of the type names a customer Parley holds; False: it may have none (an
    # internal or network ticket). The document's ``customerRequired`` (migration 0032).
    customer_required: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerRequest(Base):
    """A customer's request (a TMF621 troubleTicket). ``version`` guards against lost updates:
    every change increments it, and it is the ETag clients send back with If-Match."""

    __tablename__ = "customer_request"
    __table_args__ = (
        Index("ix_customer_request_created", "created_at", "id"),
        CheckConstraint(
            "status IN ('acknowledged', 'inProgress', 'pending', 'held', 'resolved', 'closed', "
            "'cancelled', 'rejected')",
            name="status",
        ),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('completed', 'unfulfilled')", name="outcome"
        ),
        Index("ix_customer_request_customer", "customer_id", "created_at"),
        Index("ix_customer_request_party", "party_id", "created_at"),
        Index("ix_customer_request_status", "status"),
        # A channel's tickets, newest first (TMF621 ``channel.id``; migration 0043).
        Index("ix_customer_request_channel", "channel", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    # What the customer is told and quotes back, R-dddd-ddddd (requests/reference.py).
    reference: Mapped[str] = mapped_column(String(16), index=True, unique=True)
    # None: a ticket without a customer Parley holds (an internal or network ticket, or one
    # whose customer another system masters), where its type allows it (migration 0032).
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    # The party it concerns when it has no customer of Parley's: the placeholder behind an
    # external reference (parties/external.py), replaced by the party when that appears.
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"))
    type_id: Mapped[str] = mapped_column(
        ForeignKey("request_type.id", ondelete="RESTRICT"), index=True
    )
    interaction_id: Mapped[str | None] = mapped_column(
        ForeignKey("party_interaction.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    # The document's ``channel.id``, for the lists' filter (requests.service.channel_id).
    channel: Mapped[str | None] = mapped_column(String(CHANNEL_LENGTH))
    expected_resolution_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))
    resolution_code: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict] = mapped_column(JSONDocument)
    # The workflow the request follows and its stage there (requests/workflow/); None: none.
    workflow_code: Mapped[str | None] = mapped_column(String(64))
    workflow_stage: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class RequestStatusChange(Base):
    """One entry of a request's status history: who moved it, from what, to what, and why."""

    __tablename__ = "request_status_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("customer_request.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(150))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


from parley.requests.workflow import models as _workflow  # noqa: E402, F401  (registers tables)


class SatisfactionSurvey(Base):
    """The customer's satisfaction with a closed request (``requests/surveys.py``): asked once
    on a one-time link (only the token's SHA-256 kept), answered 1 to 5 with a comment, or
    expired unanswered."""

    __tablename__ = "satisfaction_survey"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("(answered_at IS NULL) = (rating IS NULL)", name="rated_when_answered"),
        # CSAT of a period: surveys asked and answered in it (migration 0035).
        Index("ix_satisfaction_survey_created", "created_at"),
        Index("ix_satisfaction_survey_answered", "answered_at"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("customer_request.id", ondelete="CASCADE"), unique=True
    )
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(1000))


class RequestAttachment(Base):
    """A file attached to a request (``requests/attachments.py``): kept outside the database
    by its SHA-256 (``requests/files.py``), described here with the type recognised from its
    content, never the one its sender declared."""

    __tablename__ = "request_attachment"
    __table_args__ = (
        Index("ix_request_attachment_request", "request_id", "created_at"),
        CheckConstraint("size > 0", name="size"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(ForeignKey("customer_request.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    attachment_type: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(500))
    added_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
