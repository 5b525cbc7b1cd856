"""Emitting a domain event: one outbox row of kind ``event`` in the caller's transaction.

Services call ``DomainEvents(session).emit(...)`` beside their audit call. Nothing is looked up
here (no subscriptions, no settings): the write path pays one prebuilt INSERT, and the
``event`` channel (events.fanout) works out later who gets what.
"""

from sqlalchemy import insert
from sqlalchemy.orm import Session

from parley.db.base import new_id, utcnow
from parley.db.together import NewRow
from parley.outbox.models import PENDING, OutboxMessage

EVENT_KIND = "event"
CREATE, UPDATE, DELETE = "create", "update", "delete"
KINDS = (CREATE, UPDATE, DELETE)
# The attributes holding a resource's lifecycle: a change of one is also a state change.
STATE_ATTRIBUTES = ("status", "state", "lifecycleStatus")

# Built once: it runs beside every write of a TMF resource, interactions' hot path included.
_INSERT_EVENT = insert(OutboxMessage.__table__)


def changed_attributes(before: dict, after: dict) -> list[str]:
    """The top-level attributes whose value differs (added and removed ones included)."""
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


class DomainEvents:
    def __init__(self, session: Session):
        self.session = session

    def emit(
        self,
        resource_type: str,
        kind: str,
        resource_id: str,
        document: dict,
        changed: list[str] | None = None,
    ) -> str | None:
        """Record that ``resource_type`` ``resource_id`` was created, updated or deleted.

        ``document`` is the resource's canonical document as of the change (for a delete: as
        it was). For an update, ``changed`` names the changed attributes; an update that
        changed nothing is no event. Returns the event id (None: nothing to tell).
        """
        row = self.new_row(resource_type, kind, resource_id, document, changed)
        if row is None:
            return None
        self.session.connection().execute(row.statement, row.params)
        return row.params["id"]

    def new_row(
        self,
        resource_type: str,
        kind: str,
        resource_id: str,
        document: dict,
        changed: list[str] | None = None,
    ) -> NewRow | None:
        """The event's outbox row ``emit`` writes, for a caller that writes it together with
        its own rows (``db/together.py``); None when there is nothing to tell."""
        if kind not in KINDS:
            raise ValueError(f"kind: one of {KINDS}")
        changed = sorted(changed or [])
        if kind == UPDATE and not changed:
            return None
        event_id, now = new_id(), utcnow()
        payload = {
            "eventId": event_id,
            "eventTime": now.isoformat().replace("+00:00", "Z"),
            "resourceType": resource_type,
            "kind": kind,
            "resourceId": resource_id,
            "document": {**document, "id": resource_id},
            "changedAttributes": changed,
            "stateChanged": any(name in STATE_ATTRIBUTES for name in changed),
        }
        return NewRow(
            _INSERT_EVENT,
            {
                "id": event_id,
                "kind": EVENT_KIND,
                "destination": {},
                "payload": payload,
                "idempotency_key": event_id,
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            },
        )
