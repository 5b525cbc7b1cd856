"""Domain events a transaction recorded, handed on when it ends: the hook live updates use.

The unit of work notes each event it writes in its session (``noted``). When the session's
transaction is about to commit, the registered ``before_commit`` hooks get them (PostgreSQL's
``NOTIFY`` is sent there, on the same connection, so the database delivers it exactly when the
commit succeeds and never for a rolled-back change); once it has committed, the
``after_commit`` hooks get them (SQLite's single process hands them to its own listeners). A
rollback forgets them. The hooks are registered once per process by ``parley.wiring`` (this
layer imports none of them), and a hook must be quick: it runs on the writer's thread.
"""

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

EVENTS = "parley.events"  # session.info key: the events recorded in the open transaction
MARKS = "parley.event_marks"  # savepoint -> how many events there were when it began

Hook = Callable[[Session, list[dict]], None]
_BEFORE: list[Hook] = []
_AFTER: list[Hook] = []


def before_commit(hook: Hook) -> None:
    """``hook(session, events)`` inside the transaction, just before it commits."""
    if hook not in _BEFORE:
        _BEFORE.append(hook)


def after_commit(hook: Hook) -> None:
    """``hook(session, events)`` once the transaction has committed (no database access)."""
    if hook not in _AFTER:
        _AFTER.append(hook)


def forget_hooks() -> None:
    """For tests: no hooks."""
    _BEFORE.clear()
    _AFTER.clear()


def noted(session: Session, payload: dict) -> None:
    if _BEFORE or _AFTER:  # nobody listening: nothing kept
        session.info.setdefault(EVENTS, []).append(payload)


# A savepoint's release fires the commit events too: only the outermost transaction counts.
@event.listens_for(Session, "before_commit")
def _before(session: Session) -> None:
    events = session.info.get(EVENTS)
    if events and not session.in_nested_transaction():
        for hook in _BEFORE:
            hook(session, events)


@event.listens_for(Session, "after_commit")
def _after(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(MARKS, None)
    events = session.info.pop(EVENTS, None)
    if events:
        for hook in _AFTER:
            hook(session, events)


@event.listens_for(Session, "after_transaction_create")
def _savepoint_began(session: Session, transaction) -> None:
    if transaction.nested and session.info.get(EVENTS):
        session.info.setdefault(MARKS, {})[transaction] = len(session.info[EVENTS])


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous) -> None:
    """A savepoint rolled back forgets the events recorded since it began; the whole
    transaction rolled back, all of them."""
    if not previous.nested:
        session.info.pop(EVENTS, None)
        session.info.pop(MARKS, None)
        return
    mark = session.info.get(MARKS, {}).pop(previous, None)
    events = session.info.get(EVENTS)
    if events is not None:
        del events[mark or 0 :]
