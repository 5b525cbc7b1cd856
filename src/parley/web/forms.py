"""Reading a page's form: URL-encoded, small; a field's first value (all of a repeated
field's values are kept beside, for a group of checkboxes).

The web edge's forms are plain HTML forms (``application/x-www-form-urlencoded``), which
htmx sends alike, and a body larger than a form needs is refused before it is read whole.
Only the pages that take a file (``site.page(..., uploads=True)``: attachments) read a
``multipart/form-data`` body, up to the size a file may be (the app's request limits hold
it to that); everywhere else it is refused.
"""

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 20


@dataclass(frozen=True)
class SentFile:
    """A file field of a form as sent: the name the browser gave, and the bytes."""

    filename: str
    content: bytes


class FormRefused(Exception):
    """Not a form this edge reads: too large (413) or of another kind (400)."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


async def read_form(request: Request) -> dict[str, str]:
    """The request's form fields (the first value of a repeated one); read once per request."""
    known = getattr(request.state, "form", None)
    if known is not None:
        return known
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == MULTIPART and getattr(request.state, "takes_files", False):
        return await _read_multipart(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise FormRefused(413)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormRefused(413)
    if body and kind != FORM:
        raise FormRefused(400)
    fields: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    try:
        for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            # NUL is never text (and PostgreSQL refuses it in a string): dropped here, once.
            pairs.append((key, value.replace("\x00", "")))
            fields.setdefault(key, pairs[-1][1])
    except (UnicodeDecodeError, ValueError):
        raise FormRefused(400) from None
    request.state.form = fields
    request.state.form_pairs = pairs  # every value of a repeated field (checkboxes), in order
    return fields


async def _read_multipart(request: Request) -> dict[str, str]:
    """A form with a file: its text fields as ``read_form`` gives them, its files (one at
    most) in ``request.state.files``."""
    fields: dict[str, str] = {}
    files: dict[str, SentFile] = {}
    try:
        form = await request.form(max_files=1, max_fields=MAX_FIELDS, max_part_size=MAX_FORM_BYTES)
    except MultiPartException:
        raise FormRefused(400) from None
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read()
                files.setdefault(key, SentFile(value.filename or "", content))
            else:
                fields.setdefault(key, value.replace("\x00", ""))
    finally:
        await form.close()
    request.state.form, request.state.files = fields, files
    request.state.form_pairs = list(fields.items())
    return fields


async def read_files(request: Request) -> dict[str, SentFile]:
    """The files of the request's form (none unless the page takes files)."""
    await read_form(request)
    return getattr(request.state, "files", {})


async def _form(request: Request) -> dict[str, str]:
    return await read_form(request)


# A route's parameter: the form's fields (``form: FormFields``).
FormFields = Annotated[dict[str, str], Depends(_form)]
# A route's parameter: the form's files (``files: FormFiles``), on a page that takes them.
FormFiles = Annotated[dict[str, SentFile], Depends(read_files)]


@dataclass
class Form:
    """A form's values as the user left them, and what is said beside its fields (``""``:
    the whole form); shown again when the change was refused (``parley.web.actions``)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def first_error(self) -> str | None:
        """The field to put the focus in: the first one with something to fix."""
        return next((name for name in self.errors if name), None)
