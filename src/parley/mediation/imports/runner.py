"""Running an import: the stored file streamed a batch of rows at a time, each batch in one
transaction that moves the import's checkpoint past its rows, writes the good ones and the
error report of the others, and commits them together.

Exactly once: a row is applied in the transaction that moves the checkpoint past it, so after
a crash (the process killed at any point) the rows behind the checkpoint were applied and
recorded once, and those after it not at all; the next run starts after the checkpoint. The
checkpoint moves only from the value the runner last saw (compare and set, first in the
transaction): two runners on one import never apply the same rows, the second stops. A row's
idempotency key is thus (import id, row number), and the interactions an import logs name
both in their provenance note.

A dry run reads and checks every row the same way, each batch in a transaction rolled back:
nothing is kept, not even the import.

Two threads: one reads and prepares the next batch (checks and builds its rows, no database)
while the runner's writes the one before, which is mostly waiting for the server.
"""

import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.mediation.imports.loaders import (
    Loaded,
    Loader,
    Prepared,
    columns_of,
    loader_for,
)
from parley.mediation.imports.models import COMPLETED, FAILED, RUNNING
from parley.mediation.imports.options import ImportOptions
from parley.mediation.imports.reader import CountingReader, FileRefused, Row, RowError, rows
from parley.mediation.imports.repository import ImportRepository

if TYPE_CHECKING:
    from parley.settings import Settings

IMPORT_CHANNEL = "import"  # the channel the changes of an import are recorded through
HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class Tally:
    """Where an import stands: rows handled (its checkpoint), loaded and refused; bytes."""

    state: str
    handled: int
    loaded: int
    failed: int
    bytes_done: int
    size: int
    error: str | None = None


Progress = Callable[[Tally], None]


@dataclass(frozen=True)
class _Plan:
    import_id: str | None
    kind: str
    fmt: str
    path: str
    file_name: str
    force: bool


class ImportRunner:
    def __init__(self, sessions: sessionmaker[Session], settings: "Settings"):
        self.sessions, self.settings = sessions, settings
        self.options = ImportOptions.from_settings(settings)

    def run(
        self, import_id: str, progress: Progress | None = None, until: float | None = None
    ) -> Tally:
        """Run (or go on with) a stored import until it ends, another runner takes it, or the
        monotonic clock passes ``until`` (it stays ``running``: run it again to go on)."""
        with self.sessions() as session:
            found = ImportRepository(session).get(import_id)
            if found is None:
                raise LookupError(f"no import {import_id}")
            tally = _tally_of(found)
            if found.state in (COMPLETED, FAILED):
                return tally
            plan = _Plan(
                found.id, found.kind, found.format, found.path, found.file_name, found.force
            )
            actor = Actor(found.started_by, IMPORT_CHANNEL, user_id=found.started_by_id)
            size, digest = found.size, found.sha256
        problem = _changed(plan.path, size, digest)
        if problem is not None:
            return self._finish(plan, tally, FAILED, problem)
        loader = loader_for(
            plan.kind, plan.import_id, plan.file_name, plan.force, self.settings, actor
        )
        try:
            with closing(self._prepared(plan, loader, tally.handled)) as batches:
                for batch, prepared, read in batches:
                    moved = self._apply(plan, loader, actor, tally.handled, batch, prepared, read)
                    if moved is None:  # another runner moved the checkpoint: it goes on
                        return replace(tally, state=RUNNING)
                    tally = _past(tally, batch, moved, read)
                    if progress is not None:
                        progress(tally)
                    if until is not None and time.monotonic() > until:
                        return tally
        except FileRefused as refused:
            return self._finish(plan, tally, FAILED, refused.message)
        return self._finish(plan, replace(tally, bytes_done=size), COMPLETED)

    def dry_run(
        self,
        path: str,
        kind: str,
        fmt: str,
        file_name: str,
        actor: Actor,
        force: bool = False,
        progress: Progress | None = None,
        refused: Callable[[list[RowError]], None] | None = None,
    ) -> Tally:
        """Every row read and checked as ``run`` would, each batch rolled back; the refused
        rows handed to ``refused`` batch by batch. FileRefused if the file cannot be read."""
        plan = _Plan(None, kind, fmt, path, file_name, force)
        loader = loader_for(kind, None, file_name, force, self.settings, actor)
        tally = Tally(RUNNING, 0, 0, 0, 0, os.path.getsize(path))
        with closing(self._prepared(plan, loader, 0)) as batches:
            for batch, prepared, read in batches:
                with self.sessions() as session:
                    session.begin()
                    try:
                        done = loader.write(UnitOfWork(session, self.settings, actor), prepared)
                    finally:
                        session.rollback()
                if refused is not None and done.errors:
                    refused(done.errors)
                tally = _past(tally, batch, done, read)
                if progress is not None:
                    progress(tally)
        return replace(tally, state=COMPLETED)

    def _batches(self, plan: _Plan, after: int) -> Iterator[tuple[list[Row], int]]:
        """The rows after row ``after``, ``batch_size`` at a time, with the bytes read."""
        size = self.options.batch_size
        with open(plan.path, "rb") as raw:
            stream = CountingReader(raw)
            batch: list[Row] = []
            for row in rows(stream, plan.fmt, columns_of(plan.kind)):
                if row.number <= after:
                    continue
                batch.append(row)
                if len(batch) >= size:
                    yield batch, stream.count
                    batch = []
            if batch:
                yield batch, stream.count

    def _prepared(
        self, plan: _Plan, loader: Loader, after: int
    ) -> Iterator[tuple[list[Row], Prepared, int]]:
        """The batches after row ``after``, each read and prepared (what needs no database) in
        a thread of its own while the caller writes the one before: writing is mostly waiting
        for the server, which releases the GIL."""
        batches = self._batches(plan, after)

        def next_prepared() -> tuple[list[Row], Prepared, int] | None:
            found = next(batches, None)
            return None if found is None else (found[0], loader.prepare(found[0]), found[1])

        try:
            with ThreadPoolExecutor(1, "import-prepare") as pool, _without_cyclic_gc():
                ahead = pool.submit(next_prepared)
                while (done := ahead.result()) is not None:
                    ahead = pool.submit(next_prepared)
                    yield done
        finally:
            batches.close()  # its file, once the thread has let go of it

    def _apply(
        self,
        plan: _Plan,
        loader: Loader,
        actor: Actor,
        seen: int,
        batch: list[Row],
        prepared: Prepared,
        read: int,
    ) -> Loaded | None:
        """One batch in one transaction; None if another runner moved the checkpoint."""
        assert plan.import_id is not None
        with self.sessions() as session, session.begin():
            repo = ImportRepository(session)
            if not repo.advance(plan.import_id, seen, batch[-1].number):
                return None
            done = loader.write(UnitOfWork(session, self.settings, actor), prepared)
            repo.add_errors(plan.import_id, done.errors)
            repo.count(plan.import_id, done.loaded, len(done.errors), read)
        return done

    def _finish(self, plan: _Plan, tally: Tally, state: str, error: str | None = None) -> Tally:
        assert plan.import_id is not None
        with self.sessions() as session, session.begin():
            ImportRepository(session).finish(plan.import_id, state, error)
        return replace(tally, state=state, error=error)


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """A batch makes tens of thousands of small dicts that live until it is written: the
    cyclic garbage collector would scan them again and again (a third of the time), and there
    are no cycles among them to find. Objects are still freed as their references go. Paused
    for a whole run, as its two threads overlap batches."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _past(tally: Tally, batch: list[Row], done: Loaded, read: int) -> Tally:
    """Where an import stands once ``batch`` (the file read up to byte ``read``) is done."""
    return replace(
        tally,
        state=RUNNING,
        handled=batch[-1].number,
        loaded=tally.loaded + done.loaded,
        failed=tally.failed + len(done.errors),
        bytes_done=read,
    )


def _tally_of(found) -> Tally:
    return Tally(
        found.state,
        found.checkpoint,
        found.rows_loaded,
        found.rows_failed,
        found.bytes_done,
        found.size,
        found.last_error,
    )


def file_digest(path: str) -> tuple[int, str]:
    """The size and SHA-256 of a file, read a chunk at a time."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _changed(path: str, size: int, sha256: str) -> str | None:
    """Why the stored copy cannot be imported (gone, or not what was received), or None."""
    try:
        found = file_digest(path)
    except OSError as error:
        return f"file: the stored copy cannot be read ({error.strerror}): {path}"
    if found != (size, sha256):
        return f"file: the stored copy changed since it was received (checksum): {path}"
    return None
