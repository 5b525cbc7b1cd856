"""The handlers of inbound messages: what a worker does with a message of a source (and
transaction type). A registry others add to: partner messages are read through their
profiles (``mediation/partner.py``); email, imports and callbacks register their own
(``parley.wiring`` plugs them in at start-up).

A handler works in two steps, each in the worker's unit of work:

- ``parse(uow, message) -> Parsed``: read the raw message into what it asks of Parley (JSON);
  it writes nothing. The message is then ``parsed``, and what it became is kept with it.
- ``apply(uow, message, command) -> outcome``: carry it out through the domains' services; the
  outcome (a JSON object: what was made or changed) is kept with the message, now
  ``applied``, in the same transaction as the changes themselves.

A message that cannot be applied as it is (malformed, no profile reads it, a customer it
names does not exist, a change the domain refuses) is refused by raising a
``parley.errors.DomainError`` (``InvalidInput``, ``NotFound``, ``Conflict``) with the reason:
the message is ``rejected`` and kept, and nothing it did is left behind. Any other exception
is a failure worth another attempt (the database went away, a bug fixed in the next
release): after ``PARLEY_INBOUND_MAX_ATTEMPTS`` the message is ``dead``.
"""

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from parley.errors import InvalidInput

if TYPE_CHECKING:
    from parley.changes import UnitOfWork
    from parley.mediation.models import InboundMessage


@dataclass(frozen=True)
class Parsed:
    command: dict  # what the message asks, as kept with it (JSON)
    profile_id: str | None = None  # the profile that read it, if one did
    transaction_type: str | None = None  # what it turned out to be, if the sender did not say


class Rejected(InvalidInput):
    """A refusal by a handler that knew what the message is (the profile that read it): the
    rejected message keeps that, for whoever fixes the profile."""

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        profile_id: str | None = None,
        transaction_type: str | None = None,
    ):
        super().__init__(message, field)
        self.profile_id, self.transaction_type = profile_id, transaction_type


class Handler(Protocol):
    def parse(self, uow: "UnitOfWork", message: "InboundMessage") -> Parsed: ...

    def apply(self, uow: "UnitOfWork", message: "InboundMessage", command: dict) -> dict: ...


class LazyHandler:
    """A handler made on first use from ``module``'s class ``name``: a worker starts without
    importing the domains a message may never need (as ``parley.wiring`` does elsewhere)."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name
        self._made: Handler | None = None

    def made(self) -> Handler:
        if self._made is None:
            self._made = getattr(importlib.import_module(self.module), self.name)()
        return self._made

    def parse(self, uow: "UnitOfWork", message: "InboundMessage") -> Parsed:
        return self.made().parse(uow, message)

    def apply(self, uow: "UnitOfWork", message: "InboundMessage", command: dict) -> dict:
        return self.made().apply(uow, message, command)


_HANDLERS: dict[tuple[str, str | None], Handler] = {}


def register_handler(source: str, handler: Handler, transaction_type: str | None = None) -> None:
    """``handler`` takes the messages of ``source``; of one ``transaction_type`` only when
    given (it then comes before the source's general handler)."""
    _HANDLERS[(source, transaction_type)] = handler


def handler_for(source: str, transaction_type: str | None) -> Handler | None:
    if transaction_type is not None and (source, transaction_type) in _HANDLERS:
        return _HANDLERS[(source, transaction_type)]
    return _HANDLERS.get((source, None))


def forget_handlers() -> None:
    """For tests: none registered."""
    _HANDLERS.clear()
