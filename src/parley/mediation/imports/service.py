"""Reading imports: one import as its owner follows it (state, counts, progress, the first
errors) and its whole error report as CSV, a chunk at a time."""

import csv
import io
from collections.abc import Iterator

from parley.changes import UnitOfWork
from parley.db.base import iso, storable_id
from parley.errors import NotFound
from parley.mediation.imports.models import BulkImport, BulkImportError
from parley.mediation.imports.repository import ImportRepository

ERROR_COLUMNS = ("row", "field", "message")
SHOWN_ERRORS = 20
CSV_CHUNK = 1000


class ImportService:
    def __init__(self, uow: UnitOfWork):
        self.repo = ImportRepository(uow.session)

    def get(self, import_id: str) -> BulkImport:
        found = self.repo.get(import_id) if storable_id(import_id) else None
        if found is None:
            raise NotFound(f"No import with id {import_id}")
        return found

    def first_errors(self, import_id: str, limit: int = SHOWN_ERRORS) -> list[dict]:
        return [
            {"row": e.row_number, "field": e.field, "message": e.message}
            for e in self.repo.errors(import_id, 0, limit)
        ]

    def errors(self, import_id: str) -> Iterator[BulkImportError]:
        """Every refused row of the import, in row order."""
        self.get(import_id)
        yield from self.repo.all_errors(import_id)

    def error_report(self, import_id: str) -> Iterator[str]:
        """The error report as CSV text (row, field, message), header first, in chunks."""
        self.get(import_id)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(ERROR_COLUMNS)
        for count, error in enumerate(self.repo.all_errors(import_id), start=1):
            writer.writerow((error.row_number, error.field or "", error.message))
            if count % CSV_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()


def import_view(found: BulkImport) -> dict:
    """An import as its owner follows it."""
    return {
        "id": found.id,
        "kind": found.kind,
        "format": found.format,
        "fileName": found.file_name,
        "size": found.size,
        "sha256": found.sha256,
        "inboundMessageId": found.message_id,
        "state": found.state,
        "rowsHandled": found.checkpoint,
        "rowsLoaded": found.rows_loaded,
        "rowsRefused": found.rows_failed,
        "progress": round(min(1.0, found.bytes_done / found.size), 4) if found.size else 1.0,
        "force": found.force,
        "lastError": found.last_error,
        "startedBy": found.started_by,
        "createdAt": iso(found.created_at),
        "updatedAt": iso(found.updated_at),
        "finishedAt": iso(found.finished_at) if found.finished_at else None,
    }
