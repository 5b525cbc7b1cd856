"""The rows a change leaves behind: its audit line and its domain event.

Both are prebuilt INSERTs (they go with every write, the busiest included), written in the
caller's transaction: an audit line and an event exist exactly when the change they describe
does. The event is one outbox row of kind ``event``; nothing is looked up here (no
subscriptions, no settings), the ``event`` channel (``events.fanout``) works out later who gets
what. Never put secrets in ``before``/``after``: passwords, PINs and answers are recorded as
"changed", not as values or hashes.
"""

import json
from datetime import datetime

from sqlalchemy import insert

from parley.actor import Actor
from parley.changes.models import AuditEntry
from parley.db.base import new_id, utcnow
from parley.db.together import NewRow
from parley.outbox.models import EVENT_KIND, PENDING, OutboxMessage

CREATE, UPDATE, DELETE = "create", "update", "delete"
EVENT_KINDS = (CREATE, UPDATE, DELETE)
# The attributes holding a resource's lifecycle: a change of one is also a state change.
STATE_ATTRIBUTES = ("status", "state", "lifecycleStatus")

_INSERT_ENTRY = insert(AuditEntry.__table__)
_INSERT_EVENT = insert(OutboxMessage.__table__)


def changed_attributes(before: dict, after: dict) -> list[str]:
    """The top-level attributes whose value differs (added and removed ones included)."""
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


def audit_row(
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: str | None,
    before: dict | None = None,
    after: dict | None = None,
) -> NewRow:
    values = dict(
        id=new_id(),
        at=utcnow(),
        actor_id=actor.user_id,
        actor_name=actor.name[:150],
        channel=actor.channel[:32],
        client_id=actor.client_id[:150] if actor.client_id else None,
        action=action[:32],
        resource_type=resource_type[:64],
        resource_id=str(resource_id)[:150] if resource_id is not None else None,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    return NewRow(_INSERT_ENTRY, values)


def event_row(
    resource_type: str,
    kind: str,
    resource_id: str,
    document: dict,
    changed: list[str] | None = None,
) -> NewRow | None:
    """The event's outbox row; None when there is nothing to tell (an update that changed
    nothing). ``document`` is the resource as served, as of the change (a delete: as it was)."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"kind: one of {EVENT_KINDS}")
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


def event_kind(action: str) -> str:
    """The event a recorded action is: audit actions are finer (``escalate``,
    ``permission_change``, ``create_forced``) than the three kinds of event."""
    if action.startswith(CREATE):
        return CREATE
    if action.startswith(DELETE):
        return DELETE
    return UPDATE


def _jsonable(value: dict | None) -> dict | None:
    """A plain JSON copy: timestamps as ISO text, sets as sorted lists."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_plain, sort_keys=True))


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)
