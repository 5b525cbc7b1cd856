"""The unit of work: one request's, command's or job's session, acting user, options and
change recorder.

Every edge opens one (the API per request, the CLI per command, a worker per batch) with the
settings, and every service takes it. A service does not see the settings: it asks for its
domain's options record, ``uow.options(PartyOptions)``, a small frozen record naming exactly
what the domain reads (made from the settings by its ``from_settings``, once per unit of work).

A write records its change with ``record`` once: the audit line and, for a resource that
publishes events, the domain event, together in the same transaction (as netbox's change
logging and zulip's ``do_*`` actions do), so no edge and no service can forget either. The
edge commits or rolls back; services never do.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, Self, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from parley import clock
from parley.actor import Actor
from parley.changes.committed import noted
from parley.changes.recorder import (
    UPDATE,
    audit_row,
    changed_attributes,
    event_kind,
    event_row,
)
from parley.db.together import NewRow
from parley.outbox.models import EVENT_KIND
from parley.settings import Settings

# session.info key: the (resource type, id) pairs this session's writes recorded since its
# transaction began; the tests' change guard checks every write to an audited table against it.
RECORDED = "parley.recorded"
AUDIT_TABLE, EVENT_TABLE = "audit_entry", "outbox_message"


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session: Session) -> None:
    """A long-lived session (a worker's) starts each transaction with nothing recorded."""
    if session.info.get(RECORDED):
        session.info[RECORDED] = set()


class Options(Protocol):
    """A domain's options record: the settings it reads, by the names it reads them."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Self: ...


OptionsRecord = TypeVar("OptionsRecord", bound=Options)


class UnitOfWork:
    def __init__(
        self,
        session: Session,
        settings: Settings,
        actor: Actor | None = None,
        *,
        actor_source: Callable[[], Actor | None] | None = None,
    ):
        """``actor`` is who writes are recorded for (reads need none); ``actor_source`` finds
        it on first use instead (an API request's caller, once authorised)."""
        self.session = session
        session.info.setdefault(RECORDED, set())  # marks the session as a unit of work's
        self._settings = settings
        self._options: dict[type, object] = {}
        self._actor = actor
        self._actor_source = actor_source

    def options(self, kind: type[OptionsRecord]) -> OptionsRecord:
        """The options record ``kind`` (e.g. ``PartyOptions``), made from the settings on
        first use and kept for the unit of work's life."""
        made = self._options.get(kind)
        if made is None:
            made = self._options[kind] = kind.from_settings(self._settings)
        return made  # type: ignore[return-value]

    @property
    def actor(self) -> Actor | None:
        if self._actor is None and self._actor_source is not None:
            self._actor = self._actor_source()
        return self._actor

    def acting_as(self, actor: Actor) -> "UnitOfWork":
        """The same unit of work with another actor (the system, for what a worker raises)."""
        return self._alike(self.session, actor)

    def on(self, session: Session) -> "UnitOfWork":
        """The same actor and options on another session (e.g. one bound to nothing, for
        rows made here and written elsewhere)."""
        return self._alike(session, self.actor)

    def _alike(self, session: Session, actor: Actor | None) -> "UnitOfWork":
        other = UnitOfWork(session, self._settings, actor)
        other._options = self._options  # the same settings: the same records
        return other

    @staticmethod
    def now() -> datetime:
        return clock.now()

    def writer(self) -> Actor:
        """The actor a write is recorded for; a write without one is a programming error."""
        actor = self.actor
        if actor is None:
            raise RuntimeError("a write needs an actor to record in the audit trail")
        return actor

    def record(
        self,
        resource_type: str,
        action: str,
        resource_id: str | None,
        *,
        before: dict | None = None,
        after: dict | None = None,
        event: dict | None = None,
        changed: list[str] | None = None,
        published_as: str | None = None,
    ) -> None:
        """Record a change: its audit line (``before``/``after``), and its domain event when
        ``event`` is given, the resource as served after the change (a delete: before it).
        An update's event names ``changed`` attributes, by default those that differ between
        ``before`` and ``after``; an update that changed none is no event. ``published_as``:
        the event's resource type where its API names the resource otherwise (TMF672 calls
        a role ``userRole``)."""
        rows = self.change_rows(
            resource_type,
            action,
            resource_id,
            before=before,
            after=after,
            event=event,
            changed=changed,
            published_as=published_as,
        )
        self._write(rows)

    def publish(
        self,
        resource_type: str,
        kind: str,
        resource_id: str,
        document: dict,
        changed: list[str] | None = None,
    ) -> None:
        """A domain event whose audit line is another change's (a grant is audited as a
        change of its user) or none (a message's delivery outcome, which the outbox row keeps);
        an update that changed nothing is no event."""
        row = event_row(resource_type, kind, resource_id, document, changed)
        self._mark(resource_type, resource_id)
        if row is not None:
            noted(self.session, row.params["payload"])
        self._write([row] if row is not None else [])

    def change_rows(
        self,
        resource_type: str,
        action: str,
        resource_id: str | None,
        *,
        before: dict | None = None,
        after: dict | None = None,
        event: dict | None = None,
        changed: list[str] | None = None,
        published_as: str | None = None,
    ) -> list[NewRow]:
        """The rows ``record`` writes, for a caller that writes them together with its own
        (``db/together.py``); the change counts as recorded."""
        rows = [audit_row(self.writer(), action, resource_type, resource_id, before, after)]
        if event is not None and resource_id is not None:
            kind = event_kind(action)
            if kind == UPDATE and changed is None:
                changed = changed_attributes(before or {}, after or {})
            published_type = published_as or resource_type
            published = event_row(published_type, kind, resource_id, event, changed)
            if published is not None:
                rows.append(published)
                noted(self.session, published.params["payload"])
        self._mark(resource_type, resource_id)
        return rows

    def carry(self, rows: list[NewRow]) -> None:
        """Rows ``change_rows`` made in another unit of work (one on an unbound session, that
        built them in another thread) written in this one's transaction: their changes count
        as recorded here, and their events are handed to this transaction's commit hooks."""
        for row in rows:
            table = row.statement.table.name
            if table == AUDIT_TABLE:
                self._mark(row.params["resource_type"], row.params["resource_id"])
            elif table == EVENT_TABLE and row.params.get("kind") == EVENT_KIND:
                noted(self.session, row.params["payload"])

    def _write(self, rows: list[NewRow]) -> None:
        connection = self.session.connection()
        for row in rows:
            connection.execute(row.statement, row.params)

    def _mark(self, resource_type: str, resource_id: str | None) -> None:
        self.session.info.setdefault(RECORDED, set()).add((resource_type, resource_id))
