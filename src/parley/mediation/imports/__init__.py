"""Bulk import of customers and interactions from CSV or JSON lines files (docs/mediation.md,
"Bulk import").

The front door:

- ``ImportIntake(sessions, settings).receive(kind, file, name, actor) -> Started``: the file
  stored (a copy named by its checksum, recorded in the inbound message store) and its import
  queued; the same file again is the same import (``intake.py``).
- ``ImportRunner(sessions, settings).run(import_id, progress)``: the import carried out, or
  continued from its checkpoint, batch by batch, each row exactly once; ``dry_run(...)``
  checks a file and keeps nothing (``runner.py``).
- ``ImportService(uow)``: an import, its first errors and its error report as CSV;
  ``import_view``.
- ``ImportJob(engine, settings)``: the workers' job running imports received by the API.
"""

from parley.mediation.imports.intake import ImportIntake, Started
from parley.mediation.imports.models import (
    COMPLETED,
    CUSTOMERS,
    FAILED,
    FORMATS,
    INTERACTIONS,
    KINDS,
    QUEUED,
    RUNNING,
)
from parley.mediation.imports.reader import FileRefused, RowError, format_of
from parley.mediation.imports.runner import IMPORT_CHANNEL, ImportRunner, Tally
from parley.mediation.imports.service import ImportService, import_view
from parley.mediation.imports.worker import ImportJob

__all__ = [
    "COMPLETED",
    "CUSTOMERS",
    "FAILED",
    "FORMATS",
    "IMPORT_CHANNEL",
    "INTERACTIONS",
    "KINDS",
    "QUEUED",
    "RUNNING",
    "FileRefused",
    "ImportIntake",
    "ImportJob",
    "ImportRunner",
    "ImportService",
    "RowError",
    "Started",
    "Tally",
    "format_of",
    "import_view",
]
