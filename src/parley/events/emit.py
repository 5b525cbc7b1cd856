"""Emitting a domain event: one outbox row of kind ``event`` in the caller's transaction.

Services call ``DomainEvents(session).emit(...)`` beside their audit call. Nothing is looked up
here (no subscriptions, no settings): the write path pays one prebuilt INSERT, and the
``event`` channel (events.fanout) works out later who gets what.
"""

from sqlalchemy.orm import Session

from parley.changes.recorder import (
    CREATE,
    DELETE,
    EVENT_KIND,
    STATE_ATTRIBUTES,
    UPDATE,
    changed_attributes,
    event_row,
)
from parley.db.together import NewRow

KINDS = (CREATE, UPDATE, DELETE)
__all__ = ["EVENT_KIND", "STATE_ATTRIBUTES", "DELETE", "changed_attributes"]


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
        return event_row(resource_type, kind, resource_id, document, changed)
