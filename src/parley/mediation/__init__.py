"""Mediate & Orchestrate (eTOM 1.1.1.18.9.4): everything received from outside is stored raw,
then parsed and applied as Parley's own commands (docs/mediation.md).

The front door:

- ``InboundStore(sessions).receive(...) -> Received``: store a message raw, committed at once;
  a second delivery of the same idempotency key answers the first (``store.py``).
- ``register_handler(source, handler, transaction_type=None)``, ``Handler``, ``Parsed``,
  ``Rejected``, ``LazyHandler``: what the workers do with the messages of a source
  (``handlers.py``).
- ``InboundService(uow)``: list, read and replay messages (administrators); ``message_view``.
- ``InboundJob(engine, settings)``: the workers' job applying the messages (``worker.py``).
"""

from parley.mediation.handlers import (
    Handler,
    LazyHandler,
    Parsed,
    Rejected,
    handler_for,
    register_handler,
)
from parley.mediation.models import (
    APPLIED,
    CALLBACK,
    DEAD,
    EMAIL,
    IMPORT,
    PARSED,
    PARTNER,
    RECEIVED,
    REJECTED,
    SOURCES,
    STATES,
)
from parley.mediation.service import InboundService, message_view
from parley.mediation.store import InboundStore, Received
from parley.mediation.worker import InboundApplier, InboundJob, PassResult

__all__ = [
    "APPLIED",
    "CALLBACK",
    "DEAD",
    "EMAIL",
    "IMPORT",
    "PARSED",
    "PARTNER",
    "RECEIVED",
    "REJECTED",
    "SOURCES",
    "STATES",
    "Handler",
    "InboundApplier",
    "InboundJob",
    "InboundService",
    "InboundStore",
    "LazyHandler",
    "Parsed",
    "PassResult",
    "Received",
    "Rejected",
    "handler_for",
    "message_view",
    "register_handler",
]
