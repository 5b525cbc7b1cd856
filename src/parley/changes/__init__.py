"""Recording changes: the unit of work every write goes through.

A write calls ``uow.record(...)`` once; the audit line and the domain event are written
together, in the write's own transaction (``recorder.py``). ``UnitOfWork`` (``uow.py``) is what
every edge opens per request, command or job, and what every service takes.
"""

from parley.changes.recorder import (
    CREATE,
    DELETE,
    UPDATE,
    changed_attributes,
)
from parley.changes.uow import UnitOfWork

__all__ = ["CREATE", "DELETE", "UPDATE", "UnitOfWork", "changed_attributes"]
