"""Domains that follow the fate of their messages: told of every outcome of a message about one
of their subjects (a TMF681 communication message, say), in the worker's transaction that
records it, so that their state and the outbox's never disagree. The composition root
(parley.wiring) registers each domain's listener: the outbox imports none of them."""

from collections.abc import Callable

from sqlalchemy.orm import Session

from parley.settings import Settings

# (session, the outbox row as claimed, its status now, settings) -> None
OutcomeListener = Callable[[Session, object, str, Settings], None]

_LISTENERS: dict[str, OutcomeListener] = {}


def register_subject(subject_type: str, listener: OutcomeListener) -> None:
    _LISTENERS[subject_type] = listener


def listener_for(subject_type: str | None) -> OutcomeListener | None:
    if subject_type is None:
        return None
    return _LISTENERS.get(subject_type)
