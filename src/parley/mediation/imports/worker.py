"""The workers' job running imports received through the API (``parley import`` runs its own
in the command's process): queued ones, and running ones whose runner stopped beating for
``PARLEY_IMPORT_STALE_SECONDS`` (killed mid-way: the import goes on from its checkpoint).

A pass runs for at most ``PASS_SECONDS``, so the worker's other jobs are not held up by a
long import; the worker keeps the imports it holds and goes on with them at its next pass,
beating meanwhile (each batch moves the heartbeat with the checkpoint).
"""

import time
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from parley.db.base import utcnow
from parley.mediation.imports.models import COMPLETED, FAILED
from parley.mediation.imports.options import ImportOptions
from parley.mediation.imports.repository import ImportRepository
from parley.mediation.imports.runner import ImportRunner

if TYPE_CHECKING:
    from parley.settings import Settings

PASS_SECONDS = 10.0


class ImportJob:
    def __init__(self, engine: Engine, settings: "Settings"):
        self.sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self.runner = ImportRunner(self.sessions, settings)
        self.stale = timedelta(seconds=ImportOptions.from_settings(settings).stale_seconds)
        self.holding: list[str] = []

    def run_once(self) -> int:
        """Rows handled in this pass."""
        until, handled = time.monotonic() + PASS_SECONDS, 0
        while time.monotonic() < until:
            import_id = self.holding[0] if self.holding else self._take()
            if import_id is None:
                break
            if not self.holding:
                self.holding.append(import_id)
            before = self._handled(import_id)
            tally = self.runner.run(import_id, until=until)
            handled += tally.handled - before
            if tally.state in (COMPLETED, FAILED) or tally.handled == before:
                self.holding.remove(import_id)  # done, or another runner has it
        return handled

    def _take(self) -> str | None:
        with self.sessions.begin() as session:
            repo = ImportRepository(session)
            for found in repo.due(utcnow() - self.stale):
                if repo.take(found):
                    return found.id
        return None

    def _handled(self, import_id: str) -> int:
        with self.sessions() as session:
            found = ImportRepository(session).get(import_id)
            return found.checkpoint if found is not None else 0
