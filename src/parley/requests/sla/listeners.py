"""Who is told of SLA warnings and breaches besides the request itself: the workflow engine
escalates per its data, say. A listener is called in the watch's unit of work (acting as the
system), once per alert, inside a savepoint: if it fails, the failure is logged and undone, and
the alert stays raised (it is raised once per clock run; a listener's bug must not raise it
again and again)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from parley.changes import UnitOfWork
from parley.requests.models import CustomerRequest, RequestType
from parley.requests.sla.models import RequestSla

log = structlog.get_logger(__name__)
WARNING, BREACH = "warning", "breach"


@dataclass(frozen=True)
class SlaAlert:
    kind: str  # warning or breach
    request: CustomerRequest  # locked by the watch for its transaction
    request_type: RequestType
    clock: RequestSla
    at: datetime


# (uow, alert) -> None
SlaListener = Callable[[UnitOfWork, SlaAlert], None]
_LISTENERS: list[SlaListener] = []


def register_sla_listener(listener: SlaListener) -> Callable[[], None]:
    """Be told of every warning and breach from now on; returns what unregisters it."""
    _LISTENERS.append(listener)

    def unregister() -> None:
        if listener in _LISTENERS:
            _LISTENERS.remove(listener)

    return unregister


def tell_listeners(uow: UnitOfWork, alert: SlaAlert) -> None:
    for listener in list(_LISTENERS):
        try:
            with uow.session.begin_nested():
                listener(uow, alert)
        except Exception:
            log.exception("SLA listener failed", request=alert.request.id, alert=alert.kind)
