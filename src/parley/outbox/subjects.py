"""Domains that follow the fate of their messages: told of every outcome of a message about one
of their subjects (a TMF681 communication message, say), in the worker's transaction that
records it, so that their state and the outbox's never disagree."""

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
    _load_builtin_subjects()
    return _LISTENERS.get(subject_type)


def _load_builtin_subjects() -> None:
    from parley.notifications import messages  # noqa: F401  (registers itself)
