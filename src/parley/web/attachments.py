"""Attachments on a request's page, as the console and the portal both show them: the files
listed with what they are, a form that sends one, and the download.

The file goes through ``RequestService.add_attachment`` (its checks: size, type recognised from
the content; a customer only on their own open request) in the page's unit of work; a refusal
is said beside the file field in the reader's language, and nothing is kept. A download is
the file of a request the reader may read (another customer's is not found, whatever the URL
names), offered as a download (``Content-Disposition: attachment``) that the browser must not
guess at (``nosniff``).
"""

from dataclasses import dataclass
from datetime import datetime

from babel.numbers import format_decimal
from starlette.responses import Response

from parley.errors import NotFound
from parley.requests.attachments import (
    EMPTY,
    TOO_LARGE,
    AttachmentFiles,
    FileRefused,
    Upload,
)
from parley.requests.files import NAMES, FileMissing, content_disposition
from parley.requests.models import CustomerRequest
from parley.requests.service import RequestService
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt
from parley.web.forms import SentFile
from parley.web.i18n import N_

FIELD = "file"
TOO_LARGE_TEXT = N_("This file is larger than %(size)s. Please send a smaller one.")
EMPTY_TEXT = N_("This file is empty.")
WRONG_TYPE_TEXT = N_("Only these kinds of file can be sent: %(types)s.")
CHOOSE_TEXT = N_("Choose a file first.")
# What a kind of file is called where it is not a name of its own (PDF, PNG, JPEG).
KIND_WORDS = {"text/plain": N_("text")}


@dataclass(frozen=True)
class AttachmentLine:
    id: str
    name: str
    kind: str  # PDF, PNG, JPEG, text
    size: str  # as the reader reads sizes
    added_at: datetime
    added_by: str


@dataclass(frozen=True)
class UploadRules:
    """What the form tells before a file is chosen: the types, the largest size."""

    accept: str  # the file input's accept attribute
    types: str
    largest: str
    largest_bytes: int


def attachments_of(visitor: Visitor, row: CustomerRequest) -> list[AttachmentLine]:
    files = AttachmentFiles(visitor.uow).of_request(row.id)
    return [
        AttachmentLine(
            f.id,
            f.name,
            kind_word(visitor, f.media_type),
            size_text(visitor, f.size),
            f.created_at,
            f.added_by,
        )
        for f in files
    ]


def kind_word(visitor: Visitor, media_type: str) -> str:
    word = KIND_WORDS.get(media_type)
    return visitor.locale.gettext(word) if word else NAMES.get(media_type, media_type)


def upload_rules(visitor: Visitor) -> UploadRules:
    files = AttachmentFiles(visitor.uow)
    limit = files.options.attachment_max_bytes
    extensions = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg,.jpeg"}
    accept = ",".join([*files.accepted, *(extensions.get(t, ".txt") for t in files.accepted)])
    types = ", ".join(kind_word(visitor, kind) for kind in files.accepted)
    return UploadRules(accept, types, size_text(visitor, limit), limit)


def attach(visitor: Visitor, request_id: str, sent: SentFile | None) -> str | None:
    """Attach the file sent to the request (the reader's own, for a customer); what to say
    beside the file field if it was refused, else None."""
    gettext = visitor.locale.gettext
    if sent is None or (not sent.filename and not sent.content):
        return gettext(CHOOSE_TEXT)
    service = RequestService(visitor.uow)

    def change():
        try:
            return service.add_attachment(request_id, Upload(sent.filename, sent.content))
        except FileRefused as refused:  # said in the reader's words (the savepoint undone)
            raise _Said(_said(visitor, refused)) from None

    try:
        attempt(visitor, change, Wording(default_field=FIELD))
    except _Said as said:
        return str(said)
    except Refused as refused:
        return next(iter(refused.errors.values()), "")
    return None


class _Said(Exception):
    """A refusal already worded for the reader."""


def _said(visitor: Visitor, refused: FileRefused) -> str:
    gettext, rules = visitor.locale.gettext, upload_rules(visitor)
    if refused.problem == EMPTY:
        return gettext(EMPTY_TEXT)
    if refused.problem == TOO_LARGE:
        return gettext(TOO_LARGE_TEXT) % {"size": rules.largest}
    return gettext(WRONG_TYPE_TEXT) % {"types": rules.types}


def download(visitor: Visitor, row: CustomerRequest, attachment_id: str) -> Response:
    """The file, if it is one of this request's (the request already read as the reader)."""
    found = RequestService(visitor.uow).readable_attachment(attachment_id, visitor.principal)
    if found.request_id != row.id:
        raise NotFound(f"No attachment with id {attachment_id}")
    try:
        content = AttachmentFiles(visitor.uow).content(found)
    except FileMissing:
        raise NotFound(f"The file of attachment {attachment_id} is not available") from None
    return Response(
        content,
        media_type=found.media_type,
        headers={
            "Content-Disposition": content_disposition(found.name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def size_text(visitor: Visitor, size: int) -> str:
    """``1.5 MB``, ``820 KB``, ``12 bytes``, in the reader's way of writing numbers."""
    locale = visitor.locale.language
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{format_decimal(round(size / factor, 1), locale=locale)} {unit}"
    return visitor.locale.gettext("%(count)s bytes") % {"count": size}
