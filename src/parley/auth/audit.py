"""The audit trail: every write, log-in, failed log-in, verification and permission change.

Services record into the caller's unit of work, so an entry is stored exactly when the change
it describes is. Entries are never changed or deleted through the application (the ORM and
the database both refuse it). Never put secrets in ``before``/``after``: passwords, PINs and
answers are recorded as "changed", not as values or hashes.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from parley.auth.principal_cache import PRINCIPALS
from parley.auth.repository import AuthRepository
from parley.changes import UnitOfWork
from parley.changes.models import AuditEntry
from parley.errors import InvalidInput

# The actions recorded so far; other domains may add their own (keep them short verbs).
CREATE, UPDATE, DELETE = "create", "update", "delete"
LOGIN, LOGIN_FAILED, LOGIN_LOCKED, LOGOUT = "login", "login_failed", "login_locked", "logout"
LOGIN_THROTTLED = "login_throttled"  # an address past its limit of failed log-ins
THROTTLED = "throttled"  # a user past a rate limit of the API (e.g. identification)
REFRESH_REUSED = "refresh_reused"
PASSWORD_CHANGE = "password_change"
PERMISSION_CHANGE = "permission_change"
VERIFY = "verify"  # recorded by parties.verification


@dataclass(frozen=True)
class AuditFilter:
    actor_id: str | None = None
    actor_name: str | None = None
    action: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


class AuditTrail:
    def __init__(self, session: Session):
        self.repo = AuthRepository(session)

    def query(
        self, filters: AuditFilter | None = None, offset: int = 0, limit: int = 100
    ) -> tuple[list[AuditEntry], int]:
        """Entries newest first, and how many match in all."""
        filters = filters or AuditFilter()
        if offset < 0 or limit < 1:
            raise InvalidInput("offset must be >= 0 and limit >= 1", "limit")
        for name in ("since", "until"):
            value = getattr(filters, name)
            if value is not None and value.tzinfo is None:
                raise InvalidInput(f"{name}: give a time zone (e.g. Z)", name)
        conditions = []
        for name in ("actor_id", "actor_name", "action", "resource_type", "resource_id"):
            value = getattr(filters, name)
            if value is not None:
                conditions.append(getattr(AuditEntry, name) == value)
        if filters.since is not None:
            conditions.append(AuditEntry.at >= filters.since)
        if filters.until is not None:
            conditions.append(AuditEntry.at < filters.until)
        return self.repo.list_audit(conditions, offset, limit)


def record_access(
    uow: UnitOfWork, resource_type: str, action: str, resource_id: str | None, **change
) -> None:
    """Record a change to a user or a role: ``uow.record`` with the same arguments; one that
    changes what a token may do also empties the principal cache, so the next request looks
    its principal up afresh."""
    uow.record(resource_type, action, resource_id, **change)
    if resource_type in _ACCESS_RESOURCES and action not in _NO_ACCESS_CHANGE:
        PRINCIPALS.clear()


# Changes to these decide what an access token may do (principal_cache).
_ACCESS_RESOURCES = ("user", "role")
_NO_ACCESS_CHANGE = (LOGIN, LOGIN_FAILED, LOGIN_LOCKED, LOGIN_THROTTLED, THROTTLED)
