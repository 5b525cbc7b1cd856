"""Reactions to domain events: what a domain does after another's change is committed, in the
event worker's transaction (a customer's summary after an interaction is completed, say).

The events layer sits below the domains that react, so it offers this registry and
``parley.wiring`` fills it. ``events.fanout`` calls a resource type's reactions for each of its
events, each in a savepoint of the fan-out's transaction, acting as the worker: a reaction
that raises a domain error (its resource gone, a template broken) is logged and undone, and
the hub subscribers still get the event; any other error retries the whole fan-out, so a
reaction must be idempotent (it may run again for the same event).
"""

from collections.abc import Callable

from parley.changes import UnitOfWork

Reaction = Callable[[UnitOfWork, dict], None]
_REACTIONS: dict[str, list[Reaction]] = {}


def react_to(resource_type: str, reaction: Reaction) -> None:
    """Call ``reaction(uow, event)`` for every event of ``resource_type`` (once per process)."""
    known = _REACTIONS.setdefault(resource_type, [])
    if reaction not in known:
        known.append(reaction)


def reactions_to(resource_type: str) -> list[Reaction]:
    return list(_REACTIONS.get(resource_type, ()))
