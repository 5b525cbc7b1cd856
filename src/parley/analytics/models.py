"""Tables of Analyze & Report: one fact row per request and per interaction (derived data,
rebuilt from history at will), daily roll-ups made from the facts, the days whose roll-ups
are due to be made again, and the business calendars of the teams.

Facts are not resources: they are written by the workers from the domain events and carry
no audit line of their own (the changes they reflect were audited where they were made).
"""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow


class RequestFact(Base):
    """A request as analysis sees it; ``closed_at`` is set while it is closed (a reopened
    request is open again until its next close)."""

    __tablename__ = "analytics_request_fact"
    __table_args__ = (
        Index("ix_analytics_request_fact_closed", "closed_day", "outcome"),
        Index("ix_analytics_request_fact_open", "status", "created_at"),
        Index("ix_analytics_request_fact_customer", "customer_id", "created_at"),
    )

    request_id: Mapped[str] = mapped_column(UUIDString, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(16))
    customer_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))
    type_code: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(100))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))
    resolution_code: Mapped[str | None] = mapped_column(String(64))
    segment: Mapped[str | None] = mapped_column(String(64))
    area: Mapped[str | None] = mapped_column(String(32))
    team: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_day: Mapped[date | None] = mapped_column(Date)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopens: Mapped[int] = mapped_column(Integer, default=0)
    tasks: Mapped[int] = mapped_column(Integer, default=0)
    handbacks: Mapped[int] = mapped_column(Integer, default=0)
    first_response_seconds: Mapped[float | None] = mapped_column(Float)
    first_response_business_seconds: Mapped[float | None] = mapped_column(Float)
    resolution_seconds: Mapped[float | None] = mapped_column(Float)
    resolution_business_seconds: Mapped[float | None] = mapped_column(Float)
    sla_met: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InteractionFact(Base):
    """A completed interaction: who, on which channel, why, when."""

    __tablename__ = "analytics_interaction_fact"
    __table_args__ = (
        Index("ix_analytics_interaction_fact_day", "day", "reason_code"),
        Index("ix_analytics_interaction_fact_customer", "customer_id", "started_at"),
    )

    interaction_id: Mapped[str] = mapped_column(UUIDString, primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(36))
    direction: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(100))
    self_service: Mapped[bool] = mapped_column(Boolean, default=False)
    reason_code: Mapped[str | None] = mapped_column(String(64))
    segment: Mapped[str | None] = mapped_column(String(64))
    area: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    day: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestRollup(Base):
    """Closed requests of one day (or month: ``span``) and one combination of the dimensions
    of one ``cuboid`` (rollups.CUBOIDS; the others are empty): counts, sums and the histograms
    (``histogram.py`` buckets) percentiles are read from."""

    __tablename__ = "analytics_request_daily"
    __table_args__ = (Index("ix_analytics_request_daily_day", "cuboid", "span", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cuboid: Mapped[str] = mapped_column(String(16))
    span: Mapped[str] = mapped_column(String(8))  # day, or month (day: the month's first)
    day: Mapped[date] = mapped_column(Date)
    type_code: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(100))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(16))
    resolution_code: Mapped[str | None] = mapped_column(String(64))
    segment: Mapped[str | None] = mapped_column(String(64))
    area: Mapped[str | None] = mapped_column(String(32))
    team: Mapped[str | None] = mapped_column(String(64))
    closed: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer)
    first_touch: Mapped[int] = mapped_column(Integer)  # closed completed, no task, no reopen
    sla_due: Mapped[int] = mapped_column(Integer)
    sla_met: Mapped[int] = mapped_column(Integer)
    resolution_seconds: Mapped[float] = mapped_column(Float)
    first_response_seconds: Mapped[float] = mapped_column(Float)
    # Bucket counts: resolution and first response, calendar and business time.
    histograms: Mapped[dict] = mapped_column(JSONDocument)


class InteractionRollup(Base):
    __tablename__ = "analytics_interaction_daily"
    __table_args__ = (Index("ix_analytics_interaction_daily_day", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    direction: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(100))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    segment: Mapped[str | None] = mapped_column(String(64))
    # No area: by area they would be nearly as many as the contacts (the hourly counts per
    # reason and area are analytics_contact_hourly's).
    contacts: Mapped[int] = mapped_column(Integer)
    self_service: Mapped[int] = mapped_column(Integer)


class StaleDay(Base):
    """A day whose roll-ups no longer match its facts: made again by the next upkeep run."""

    __tablename__ = "analytics_stale_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BusinessCalendar(Base):
    """When a team works: weekly opening hours in its time zone, and its holidays.
    ``hours``: {"mon": [["08:00", "18:00"]], ...}; ``holidays``: ["2026-12-25", ...]."""

    __tablename__ = "analytics_business_calendar"

    team: Mapped[str] = mapped_column(String(64), primary_key=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    hours: Mapped[dict] = mapped_column(JSONDocument)
    holidays: Mapped[list] = mapped_column(JSONDocument)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactHour(Base):
    """Inbound contacts with a reason and an area in one hour: what problem detection counts.
    Made with the day's roll-ups."""

    __tablename__ = "analytics_contact_hourly"
    __table_args__ = (Index("ix_analytics_contact_hourly_hour", "hour"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime)
    reason_code: Mapped[str] = mapped_column(String(64))
    area: Mapped[str] = mapped_column(String(32))
    contacts: Mapped[int] = mapped_column(Integer)


class Problem(Base):
    """A problem many customers share (an outage, a billing run gone wrong): detected from
    contacts per reason and area, or opened by a supervisor. New contacts and requests on its
    reason in its area are linked to it; closing it closes its linked requests."""

    __tablename__ = "analytics_problem"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("detector IN ('spike', 'drift', 'manual')", name="detector"),
        Index("ix_analytics_problem_open", "status", "reason_code", "area"),
        Index(
            "uq_analytics_problem_open_cell",
            "reason_code",
            "area",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    reason_code: Mapped[str] = mapped_column(String(64))
    area: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    detector: Mapped[str] = mapped_column(String(16))
    observed: Mapped[int | None] = mapped_column(Integer)
    expected: Mapped[float | None] = mapped_column(Float)
    probability: Mapped[float | None] = mapped_column(Float)
    hour: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the hour that alarmed
    note: Mapped[str | None] = mapped_column(String(500))
    resolution: Mapped[str | None] = mapped_column(String(500))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(150))


class ProblemLink(Base):
    """A contact or request linked to a problem (one row per entity and problem)."""

    __tablename__ = "analytics_problem_link"
    __table_args__ = (
        UniqueConstraint(
            "problem_id", "entity_type", "entity_id", name="uq_analytics_problem_link_entity_once"
        ),
        CheckConstraint("entity_type IN ('interaction', 'request')", name="entity_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    problem_id: Mapped[str] = mapped_column(
        ForeignKey("analytics_problem.id", ondelete="CASCADE"), index=True
    )
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportDefinition(Base):
    """A defined report: measures of the closed-request analysis by dimensions, filtered, over
    a period (fixed or the last so many days, weeks or months) and compared with another.
    ``document`` holds the definition as the API shows it (``reports.py`` checks it)."""

    __tablename__ = "analytics_report"

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerArea(Base):
    """What analysis knows of a customer: the person behind the account (its engaged party,
    the key of the contact KPIs, so several accounts of one person count as one), the
    status, segment and area. Kept from the customer and party events; rebuilt at will."""

    __tablename__ = "analytics_customer"
    __table_args__ = (Index("ix_analytics_customer_area", "area", "status"),)

    customer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    party_id: Mapped[str | None] = mapped_column(String(36), index=True)
    status: Mapped[str | None] = mapped_column(String(16))
    segment: Mapped[str | None] = mapped_column(String(64))
    area: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportSchedule(Base):
    """When a defined report is sent, in which format, to whom (``recipients``: a list of
    ``{"user": id}`` (a staff user, reached at their email address) and ``{"email": address}``).
    ``next_run_at`` is the next moment it is due (UTC), worked out from the local time, weekday
    or day of the month in ``time_zone``."""

    __tablename__ = "analytics_report_schedule"
    __table_args__ = (
        CheckConstraint("frequency IN ('daily', 'weekly', 'monthly')", name="frequency"),
        CheckConstraint("format IN ('csv', 'xlsx', 'pdf')", name="format"),
        Index("ix_analytics_report_schedule_due", "active", "next_run_at"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(
        ForeignKey("analytics_report.id", ondelete="CASCADE"), index=True
    )
    frequency: Mapped[str] = mapped_column(String(8))
    at_time: Mapped[str] = mapped_column(String(5))  # "07:30", local
    weekday: Mapped[int | None] = mapped_column(Integer)  # weekly: 0 Monday .. 6 Sunday
    month_day: Mapped[int | None] = mapped_column(Integer)  # monthly: 1 .. 28
    time_zone: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    recipients: Mapped[list] = mapped_column(JSONDocument)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportDelivery(Base):
    """One report sent (or not) to one recipient at one due moment; its status follows the
    email's outbox message (queued, delivered, failed), or says why none was sent (skipped)."""

    __tablename__ = "analytics_report_delivery"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'delivered', 'failed', 'skipped')", name="status"),
        Index("ix_analytics_report_delivery_report", "report_id", "due_at"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    schedule_id: Mapped[str] = mapped_column(
        ForeignKey("analytics_report_schedule.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[str] = mapped_column(String(36))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recipient: Mapped[str] = mapped_column(String(320))  # the address, or the user's name
    user_id: Mapped[str | None] = mapped_column(String(36))
    format: Mapped[str] = mapped_column(String(8))
    rows: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)  # bytes of the file
    attached: Mapped[bool] = mapped_column(Boolean)  # False: too large, a link instead
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(500))
    message_id: Mapped[str | None] = mapped_column(String(36))  # the outbox message
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProblemNotice(Base):
    """A notice a supervisor sent about a problem to the customers it affects (``notice``),
    or the word that it is solved (``resolved``) to those told of it. Sent by the workers a
    batch at a time: ``status`` sending until every customer in its audience was tried."""

    __tablename__ = "analytics_problem_notice"
    __table_args__ = (
        CheckConstraint("kind IN ('notice', 'resolved')", name="kind"),
        CheckConstraint("audience IN ('contacted', 'area', 'told')", name="audience"),
        CheckConstraint("status IN ('sending', 'sent')", name="status"),
        Index("ix_analytics_problem_notice_sending", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    problem_id: Mapped[str] = mapped_column(
        ForeignKey("analytics_problem.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    audience: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(String(1000))  # the supervisor's own words
    status: Mapped[str] = mapped_column(String(16))
    audience_size: Mapped[int] = mapped_column(Integer)  # at the moment it was sent
    reached: Mapped[int] = mapped_column(Integer, default=0)  # messages queued
    unreachable: Mapped[int] = mapped_column(Integer, default=0)  # no address, no consent
    sent_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProblemNoticeRecipient(Base):
    """A customer a problem's notice was for: the message sent, or why none could be; once
    per problem, kind and customer (a second notice reaches only those not told yet)."""

    __tablename__ = "analytics_problem_notified"
    __table_args__ = (
        UniqueConstraint(
            "problem_id", "kind", "customer_id", name="uq_analytics_problem_notified_once"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    problem_id: Mapped[str] = mapped_column(ForeignKey("analytics_problem.id", ondelete="CASCADE"))
    notice_id: Mapped[str] = mapped_column(
        ForeignKey("analytics_problem_notice.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str] = mapped_column(String(36))
    message_id: Mapped[str | None] = mapped_column(String(36))  # the TMF681 message
    unreachable: Mapped[str | None] = mapped_column(String(300))  # why none was sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
