"""The audit trail's table: one line per change, log-in, verification and permission change.

It sits below every domain: the change recorder (``parley.changes.recorder``) writes it for all
of them, and the auth domain reads it back (``auth/audit.py``).
"""

from datetime import datetime

from sqlalchemy import Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow


class AuditEntry(Base):
    """One line of the append-only audit trail: who did what to which resource, from where.

    The actor is kept by id and name without a foreign key, so history outlives deleted users.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_at", "at"),
        Index("ix_audit_entry_actor_at", "actor_id", "at"),
        Index("ix_audit_entry_resource_at", "resource_type", "resource_id", "at"),
        Index("ix_audit_entry_action_at", "action", "at"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(String(150))
    channel: Mapped[str] = mapped_column(String(32))
    client_id: Mapped[str | None] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(32))
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(150))
    before: Mapped[dict | None] = mapped_column(JSONDocument)
    after: Mapped[dict | None] = mapped_column(JSONDocument)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(_mapper, _connection, target: AuditEntry) -> None:
    raise PermissionError(f"the audit trail is append-only (entry {target.id})")
