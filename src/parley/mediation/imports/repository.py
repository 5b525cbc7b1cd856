"""Every query of bulk imports."""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import insert, or_, select, update

from parley.db.base import utcnow
from parley.db.repository import Repository
from parley.mediation.imports.models import QUEUED, RUNNING, BulkImport, BulkImportError
from parley.mediation.imports.reader import RowError

_INSERT_ERROR = insert(BulkImportError.__table__)


class ImportRepository(Repository):
    def get(self, import_id: str) -> BulkImport | None:
        return self.session.get(BulkImport, import_id)

    def of_message(self, message_id: str) -> BulkImport | None:
        return self.session.scalar(select(BulkImport).where(BulkImport.message_id == message_id))

    def advance(self, import_id: str, seen: int, to: int) -> bool:
        """Move the checkpoint from ``seen`` to ``to``, if no other runner moved it meanwhile:
        the batch's claim on its rows, first in its transaction (on PostgreSQL the row stays
        locked until it commits; a second runner waits, then finds it moved)."""
        moved = self.session.execute(
            update(BulkImport)
            .where(BulkImport.id == import_id, BulkImport.checkpoint == seen)
            .values(checkpoint=to, heartbeat_at=utcnow(), state=RUNNING)
            .execution_options(synchronize_session=False)
        )
        return moved.rowcount == 1

    def count(self, import_id: str, loaded: int, failed: int, bytes_done: int) -> None:
        self.session.execute(
            update(BulkImport)
            .where(BulkImport.id == import_id)
            .values(
                rows_loaded=BulkImport.rows_loaded + loaded,
                rows_failed=BulkImport.rows_failed + failed,
                bytes_done=bytes_done,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )

    def add_errors(self, import_id: str, errors: list[RowError]) -> None:
        if errors:
            rows = [
                {
                    "import_id": import_id,
                    "row_number": e.row,
                    "field": (e.field or None) and e.field[:200],
                    "message": e.message[:1000],
                }
                for e in errors
            ]
            self.session.connection().execute(_INSERT_ERROR, rows)

    def errors(self, import_id: str, offset: int = 0, limit: int | None = None):
        query = (
            select(BulkImportError)
            .where(BulkImportError.import_id == import_id)
            .order_by(BulkImportError.row_number, BulkImportError.id)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return list(self.session.scalars(query))

    def all_errors(self, import_id: str, chunk: int = 1000) -> Iterator[BulkImportError]:
        """Every error, in row order, a chunk of rows at a time (a report may be long)."""
        query = (
            select(BulkImportError)
            .where(BulkImportError.import_id == import_id)
            .order_by(BulkImportError.row_number, BulkImportError.id)
            .execution_options(yield_per=chunk)
        )
        yield from self.session.scalars(query)

    def due(self, stale_before: datetime, limit: int = 5) -> list[BulkImport]:
        """Imports a worker may take: queued ones, and running ones nobody beats for."""
        query = (
            select(BulkImport)
            .where(
                or_(
                    BulkImport.state == QUEUED,
                    (BulkImport.state == RUNNING)
                    & or_(
                        BulkImport.heartbeat_at.is_(None), BulkImport.heartbeat_at < stale_before
                    ),
                )
            )
            .order_by(BulkImport.created_at)
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def take(self, found: BulkImport) -> bool:
        """Claim an import found ``due``, if it is still as it was found (another worker may
        have taken it meanwhile)."""
        heartbeat = (
            BulkImport.heartbeat_at.is_(None)
            if found.heartbeat_at is None
            else BulkImport.heartbeat_at == found.heartbeat_at
        )
        taken = self.session.execute(
            update(BulkImport)
            .where(BulkImport.id == found.id, BulkImport.state == found.state, heartbeat)
            .values(state=RUNNING, heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return taken.rowcount == 1

    def finish(self, import_id: str, state: str, error: str | None = None) -> None:
        now = utcnow()
        self.session.execute(
            update(BulkImport)
            .where(BulkImport.id == import_id)
            .values(state=state, last_error=error, finished_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
