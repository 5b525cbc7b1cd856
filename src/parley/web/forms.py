"""Reading a page's form: URL-encoded, small; a field's first value (all of a repeated
field's values are kept beside, for a group of checkboxes).

The web edge's forms are plain HTML forms (``application/x-www-form-urlencoded``), which
htmx sends alike; nothing uploads files, so multipart bodies are refused, and a body larger
than a form needs is refused before it is read whole.
"""

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends
from starlette.requests import Request

FORM = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 64 * 1024


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
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise FormRefused(413)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormRefused(413)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
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


async def _form(request: Request) -> dict[str, str]:
    return await read_form(request)


# A route's parameter: the form's fields (``form: FormFields``).
FormFields = Annotated[dict[str, str], Depends(_form)]


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
