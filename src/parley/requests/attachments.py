"""Attachments on requests: a photo of the broken router, a scan of the disputed bill.

A file is checked before anything changes: not empty, not larger than
``attachment_max_bytes``, and of one of ``attachment_types`` as recognised from its content
(``requests/files.py``; the name and the declared type are not believed). It is then kept
outside the database by its SHA-256, and described in ``request_attachment`` (audited as a
``requestAttachment``); the request's TMF621 document lists it as an ``AttachmentRef``.
``RequestService.add_attachment`` does the request's side (an open request, the customer's
own for a customer's log-in, logged as their interaction); who may read a file is who may
read its request (``RequestService.readable_attachment``).
"""

import base64
import binascii
from dataclasses import dataclass

from parley.changes import CREATE, UnitOfWork
from parley.db.base import iso, new_id, storable_id, utcnow
from parley.errors import InvalidInput, NotFound
from parley.requests.files import NAMES, FileStore, checksum, safe_name, sniff
from parley.requests.models import RequestAttachment
from parley.requests.options import RequestOptions
from parley.requests.repository import RequestRepository

RESOURCE = "requestAttachment"
REFERRED_TYPE = "Attachment"
LONGEST_TYPE, LONGEST_DESCRIPTION = 64, 500
# Far longer than any request that keeps a file and then names it takes to commit.
UNNAMED_FILE_GRACE_SECONDS = 24 * 3600.0


EMPTY, TOO_LARGE, WRONG_TYPE = "empty", "tooLarge", "wrongType"


class FileRefused(InvalidInput):
    """A file that may not be attached, and why (``problem``: EMPTY, TOO_LARGE, WRONG_TYPE),
    so a page can say it in its reader's words."""

    def __init__(self, message: str, field: str, problem: str):
        super().__init__(message, field)
        self.problem = problem


@dataclass(frozen=True)
class Upload:
    """A file as sent: its name and bytes, and what the sender says it is for."""

    name: str
    content: bytes
    attachment_type: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Checked:
    """An upload found acceptable: its real type, a safe name, its checksum."""

    upload: Upload
    media_type: str
    name: str
    sha256: str


class AttachmentFiles:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.options = uow.options(RequestOptions)
        self.repo = RequestRepository(uow.session)
        self.store = FileStore(self.options.attachment_dir)

    @property
    def accepted(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.options.attachment_types.split(",") if t.strip())

    def describe_accepted(self) -> str:
        return ", ".join(NAMES[t] for t in self.accepted)

    def check(self, upload: Upload, field: str = "file") -> Checked:
        """The upload, if it may be attached; ``InvalidInput`` naming ``field`` if not."""
        content, limit = upload.content, self.options.attachment_max_bytes
        if not content:
            raise FileRefused(f"{field}: the file is empty", field, EMPTY)
        if len(content) > limit:
            raise FileRefused(f"{field}: a file may be at most {limit} bytes", field, TOO_LARGE)
        media_type = sniff(content)
        if media_type not in self.accepted:
            raise FileRefused(
                f"{field}: only {self.describe_accepted()} files are accepted "
                "(recognised from their content)",
                field,
                WRONG_TYPE,
            )
        for text, longest, name in (
            (upload.attachment_type, LONGEST_TYPE, "attachmentType"),
            (upload.description, LONGEST_DESCRIPTION, "description"),
        ):
            if text is not None and len(text) > longest:
                raise InvalidInput(f"{name}: at most {longest} characters", name)
        name = safe_name(upload.name, media_type)  # type: ignore[arg-type]
        return Checked(upload, media_type, name, checksum(content))  # type: ignore[arg-type]

    def new(self, request_id: str, checked: Checked) -> RequestAttachment:
        """The row describing the file, not yet kept (``keep``)."""
        return RequestAttachment(
            id=new_id(),
            request_id=request_id,
            name=checked.name,
            media_type=checked.media_type,
            size=len(checked.upload.content),
            sha256=checked.sha256,
            attachment_type=(checked.upload.attachment_type or "").strip() or None,
            description=(checked.upload.description or "").strip() or None,
            added_by=self.uow.writer().name[:150],
            created_at=utcnow(),
        )

    def keep(self, row: RequestAttachment, checked: Checked) -> RequestAttachment:
        """Store the file and its row (audited); the request's document is the caller's."""
        self.store.keep(checked.upload.content)
        self.repo.add(row)
        self.uow.record(RESOURCE, CREATE, row.id, after=described(row))
        return row

    def get(self, attachment_id: str) -> RequestAttachment:
        found = self.repo.attachment(attachment_id) if storable_id(attachment_id, 36) else None
        if found is None:
            raise NotFound(f"No attachment with id {attachment_id}")
        return found

    def of_request(self, request_id: str) -> list[RequestAttachment]:
        return self.repo.attachments_of(request_id)

    def content(self, row: RequestAttachment) -> bytes:
        """The file's bytes, checked against its checksum (``FileMissing`` if they are gone)."""
        return self.store.read(row.sha256)


def sweep_unnamed_files(uow: UnitOfWork) -> int:
    """Remove the kept files no attachment names (their request was rolled back) once they are
    a day old; how many went."""
    store = FileStore(uow.options(RequestOptions).attachment_dir)
    return store.sweep(RequestRepository(uow.session).named_files, UNNAMED_FILE_GRACE_SECONDS)


def reference(row: RequestAttachment) -> dict:
    """How the request's TMF621 document lists the file (its href and url made when served)."""
    ref = {
        "@type": "AttachmentRef",
        "@referredType": REFERRED_TYPE,
        "id": row.id,
        "name": row.name,
    }
    if row.description:
        ref["description"] = row.description
    return ref


def described(row: RequestAttachment) -> dict:
    """The file as a TMF Attachment (without its content; its href and url made at the
    edge)."""
    document = {
        "@type": "Attachment",
        "id": row.id,
        "name": row.name,
        "mimeType": row.media_type,
        "size": {"amount": row.size, "units": "bytes"},
        "creationDate": iso(row.created_at),
        "relatedRequest": {"id": row.request_id, "@referredType": "TroubleTicket"},
    }
    if row.attachment_type:
        document["attachmentType"] = row.attachment_type
    if row.description:
        document["description"] = row.description
    return document


def upload_of(value: object, where: str) -> Upload:
    """An Attachment of a TMF document carrying its file (``content``, base64) as an
    upload; ``InvalidInput`` naming ``where`` for anything else."""
    if not isinstance(value, dict) or not isinstance(value.get("content"), str):
        raise InvalidInput(
            f"{where}: send the file as an Attachment with its content (base64); a request's "
            "attachments are added, never changed or removed",
            where,
        )
    try:
        content = base64.b64decode(value["content"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{where}.content: not base64", where) from None
    texts = {}
    for key in ("name", "attachmentType", "description"):
        given = value.get(key)
        if given is not None and not isinstance(given, str):
            raise InvalidInput(f"{where}.{key}: a text", where)
        texts[key] = given
    return Upload(texts["name"] or "", content, texts["attachmentType"], texts["description"])
