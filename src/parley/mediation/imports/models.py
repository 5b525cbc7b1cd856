"""The tables of bulk imports (migration 0038): one row per import (the file, where it is,
its checksum, its checkpoint and counts) and the rows it refused (row number, field, message).

An import is ``queued`` (stored, waiting for a runner), ``running`` (a runner holds it and
beats ``heartbeat_at``), then ``completed``, or ``failed`` when the file itself cannot be read
(gone, changed since it was stored, not CSV or JSON lines): its ``last_error`` says why.
``checkpoint`` is the last row handled (loaded or refused); it moves with each batch, in the
batch's own transaction, so a row is applied exactly when the checkpoint has passed it.
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, UTCDateTime, UUIDString, new_id, utcnow

CUSTOMERS, INTERACTIONS = "customers", "interactions"
KINDS = (CUSTOMERS, INTERACTIONS)
CSV, JSONL = "csv", "jsonl"
FORMATS = (CSV, JSONL)
QUEUED, RUNNING, COMPLETED, FAILED = "queued", "running", "completed", "failed"
STATES = (QUEUED, RUNNING, COMPLETED, FAILED)
MAX_MESSAGE = 1000


class BulkImport(Base):
    __tablename__ = "bulk_import"
    __table_args__ = (
        CheckConstraint("kind IN ('customers', 'interactions')", name="kind"),
        CheckConstraint("format IN ('csv', 'jsonl')", name="format"),
        CheckConstraint("state IN ('queued', 'running', 'completed', 'failed')", name="state"),
        CheckConstraint("checkpoint >= 0", name="checkpoint_not_negative"),
        Index("ix_bulk_import_state", "state", "created_at"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    # The inbound message that stored the file (source ``import``): one import per message.
    message_id: Mapped[str] = mapped_column(UUIDString, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(8))
    file_name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(Text)  # the stored copy, read by every runner
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    checkpoint: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_failed: Mapped[int] = mapped_column(Integer, default=0)
    bytes_done: Mapped[int] = mapped_column(BigInteger, default=0)
    force: Mapped[bool] = mapped_column(Boolean, default=False)  # customers despite duplicates
    last_error: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(150))
    started_by_id: Mapped[str | None] = mapped_column(UUIDString)
    channel: Mapped[str] = mapped_column(String(32))  # where it was started: cli, api
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BulkImportError(Base):
    """A row the import refused, and why: what the API would have answered."""

    __tablename__ = "bulk_import_error"
    __table_args__ = (Index("ix_bulk_import_error_row", "import_id", "row_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[str] = mapped_column(ForeignKey("bulk_import.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
