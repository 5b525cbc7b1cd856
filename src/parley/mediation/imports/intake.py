"""Receiving an import file: stored before anything reads it.

The file is copied, a chunk at a time, into the import directory (``PARLEY_IMPORT_DIR``) under
its SHA-256, and the inbound message store keeps the record of it (source ``import``): its
name, kind, format, size, checksum and where the copy is. The store keeps the manifest and
not the bytes because an import file may be hundreds of megabytes: ``InboundStore.receive``
takes the content whole and a row's bytes are read whole, while a file is streamed in
constant memory; the checksum in the store lets every runner check the copy it reads is the
file received.

The message's idempotency key is the kind and the checksum: the same file imported again as
the same kind is the same import, which a second ``parley import`` of it continues (after a
crash) or answers as done, never applies twice.
"""

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from parley.actor import Actor
from parley.db.base import new_id, utcnow
from parley.errors import InvalidInput
from parley.mediation.imports.models import KINDS, QUEUED, BulkImport
from parley.mediation.imports.options import ImportOptions
from parley.mediation.imports.reader import format_of
from parley.mediation.imports.repository import ImportRepository
from parley.mediation.models import IMPORT
from parley.mediation.store import InboundStore

if TYPE_CHECKING:
    from parley.settings import Settings

MANIFEST_TYPE = "application/vnd.parley.import+json"
CHUNK = 1 << 20
MAX_FILE_NAME = 255


@dataclass(frozen=True)
class Started:
    import_id: str
    message_id: str
    duplicate: bool  # this file was received before as this kind: the same import


class ImportIntake:
    def __init__(self, sessions: sessionmaker[Session], settings: "Settings"):
        self.sessions = sessions
        self.options = ImportOptions.from_settings(settings)

    def receive(
        self, kind: str, source: BinaryIO, file_name: str, actor: Actor, force: bool = False
    ) -> Started:
        """Store ``source`` (a binary file, read to its end) and the import of it, queued."""
        if kind not in KINDS:
            raise InvalidInput(f"kind: one of {', '.join(KINDS)}", "kind")
        file_name = Path(file_name or "").name[:MAX_FILE_NAME]
        fmt = format_of(file_name)
        path, size, sha256 = self._copy(source, fmt)
        if size == 0:
            raise InvalidInput("file: empty", "file")
        manifest = {
            "kind": kind,
            "format": fmt,
            "fileName": file_name,
            "path": path,
            "size": size,
            "sha256": sha256,
        }
        received = InboundStore(self.sessions).receive(
            IMPORT,
            json.dumps(manifest).encode(),
            received_by=actor.name,
            content_type=MANIFEST_TYPE,
            transaction_type=kind,
            idempotency_key=f"{kind}:sha256:{sha256}",
        )
        row = {
            "id": new_id(),
            "message_id": received.id,
            "kind": kind,
            "format": fmt,
            "file_name": file_name,
            "path": path,
            "size": size,
            "sha256": sha256,
            "state": QUEUED,
            "checkpoint": 0,
            "rows_loaded": 0,
            "rows_failed": 0,
            "bytes_done": 0,
            "force": force,
            "started_by": actor.name[:150],
            "started_by_id": actor.user_id,
            "channel": actor.channel[:32],
            "created_at": utcnow(),
            "updated_at": utcnow(),
        }
        with self.sessions() as session, session.begin():
            repo = ImportRepository(session)
            found = repo.of_message(received.id)
            if found is None:
                try:
                    with session.begin_nested():
                        session.add(BulkImport(**row))
                    return Started(row["id"], received.id, duplicate=False)
                except IntegrityError:  # the same file, received at the same moment
                    found = repo.of_message(received.id)
                    if found is None:
                        raise
            return Started(found.id, received.id, duplicate=True)

    def _copy(self, source: BinaryIO, fmt: str) -> tuple[str, int, str]:
        """The file copied into the import directory, named by its SHA-256."""
        directory = Path(self.options.directory).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle, partial = tempfile.mkstemp(dir=directory, prefix=".receiving-")
        try:
            with os.fdopen(handle, "wb") as copy:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    copy.write(chunk)
                    size += len(chunk)
                copy.flush()
                os.fsync(copy.fileno())
            final = directory / f"{digest.hexdigest()}.{fmt}"
            os.replace(partial, final)  # the same content: the same file, whoever wrote it
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        return str(final), size, digest.hexdigest()
