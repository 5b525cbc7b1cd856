"""The domain event store, read back: the ``event`` rows of the outbox (parley.changes writes
one per change, in the change's transaction; delivered ones stay until the retention deletes
them, events/retention.py), as TMF688 serves them.

One stored domain event is one TMF688 event. Which rows a reader sees is decided by the edge
as a set of resource types (those whose API the reader may read); filters name event types
(resource type, kind and whether the state changed) and times (the row's ``created_at``, which
is the event's ``eventTime``).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, delete, false, func, or_, select

from parley.changes.recorder import UPDATE
from parley.db.base import ID_LENGTH, storable_id
from parley.db.listing import condition
from parley.db.repository import Page, Repository
from parley.db.upsert import upsert
from parley.events.models import EventStorePruning
from parley.outbox.models import DELIVERED, EVENT_KIND, OutboxMessage

PRUNING = 1  # the one row of event_store_pruning

EVENT_TIME = OutboxMessage.created_at


def _text(name: str) -> ColumnElement:
    return OutboxMessage.payload[name].as_string()


def _state_changed() -> ColumnElement:
    return OutboxMessage.payload["stateChanged"].as_boolean()


@dataclass(frozen=True)
class EventKind:
    """What one event type name means in the store: e.g. ``CustomerStateChangeEvent`` is an
    update of a ``customer`` that changed its state."""

    resource_type: str
    kind: str
    state_changed: bool | None = None  # None: either (a create or a delete)

    def condition(self) -> ColumnElement[bool]:
        parts = [_text("resourceType") == self.resource_type, _text("kind") == self.kind]
        if self.kind == UPDATE:
            changed = _state_changed().is_(True)
            parts.append(changed if self.state_changed else _no_state_change())
        return and_(*parts)


def _no_state_change() -> ColumnElement[bool]:
    # Rows written before ``stateChanged`` was recorded have none: no state change.
    return or_(_state_changed().is_(False), _state_changed().is_(None))


class EventStore(Repository):
    def get(self, event_id: str, resource_types: set[str]) -> OutboxMessage | None:
        if not storable_id(event_id, ID_LENGTH):
            return None
        row = self.session.get(OutboxMessage, event_id)
        if row is None or row.kind != EVENT_KIND:
            return None
        return row if row.payload.get("resourceType") in resource_types else None

    def find(
        self,
        page: Page,
        resource_types: set[str],
        event_kinds: list[EventKind] | None = None,
        after: OutboxMessage | None = None,
    ) -> tuple[list[OutboxMessage], int]:
        """Events of ``resource_types`` in the page's order (oldest first by default).
        ``event_kinds``: only these (an empty list: none); ``after``: only those stored after
        that event, in the store's order (eventTime, then id)."""
        conditions = [OutboxMessage.kind == EVENT_KIND]
        conditions.append(
            _text("resourceType").in_(sorted(resource_types)) if resource_types else false()
        )
        if event_kinds is not None:
            conditions.append(
                or_(*(k.condition() for k in event_kinds)) if event_kinds else false()
            )
        if after is not None:
            conditions.append(
                or_(
                    OutboxMessage.created_at > after.created_at,
                    and_(
                        OutboxMessage.created_at == after.created_at,
                        OutboxMessage.id > after.id,
                    ),
                )
            )
        for criterion in page.criteria:
            if criterion.name == "eventTime":
                conditions.append(condition(EVENT_TIME, criterion))
        return self.page(OutboxMessage, conditions, page, (EVENT_TIME, False))

    # -- retention (events/retention.py) ----------------------------------------------------

    def prunable(self, before: datetime, limit: int) -> list[tuple[str, datetime]]:
        """(id, stored at) of up to ``limit`` delivered events stored before ``before``, the
        oldest first, locked (another worker's are skipped)."""
        query = (
            select(OutboxMessage.id, OutboxMessage.created_at)
            .where(
                OutboxMessage.kind == EVENT_KIND,
                OutboxMessage.created_at < before,
                OutboxMessage.status == DELIVERED,
            )
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [(row.id, row.created_at) for row in self.session.execute(query)]

    def delete_events(self, ids: list[str]) -> None:
        self.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))

    def record_pruning(self, newest: datetime, count: int, now: datetime) -> None:
        """Events up to ``newest`` (``count`` more of them) are gone: one upsert, so that
        workers pruning at once only ever move the mark on."""
        table = EventStorePruning.__table__
        values = {"id": PRUNING, "pruned_before": newest, "pruned_at": now, "events_pruned": count}
        later = case((table.c.pruned_before < newest, newest), else_=table.c.pruned_before)
        update = {
            "pruned_before": later,
            "pruned_at": now,
            "events_pruned": table.c.events_pruned + count,
        }
        self.session.execute(upsert(self.session, table, values, update, ["id"]))

    def pruning(self) -> EventStorePruning | None:
        """How far the store has been pruned (None: never)."""
        return self.session.get(EventStorePruning, PRUNING)

    def oldest_kept(self) -> datetime | None:
        """When the oldest event still kept was stored (first in the store's index)."""
        query = select(func.min(EVENT_TIME)).where(OutboxMessage.kind == EVENT_KIND)
        return self.session.scalar(query)
