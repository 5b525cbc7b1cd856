"""Limits every request meets before a route sees it (docs/security.md, "Limits").

``RequestLimits`` is ASGI middleware:

- a request body larger than ``PARLEY_MAX_BODY_BYTES`` is answered 413 in the TMF error shape:
  at once when its Content-Length says so, otherwise (a chunked body) as soon as what arrived
  passes the limit, so the body is never read whole; a request that carries a file (the
  ``upload_paths`` the app names: attachments) may be as large as ``upload_body_bytes()``;
- a NUL character in the path is a 404 (no id holds one), in a query parameter a 400:
  PostgreSQL cannot store or compare it in text, and no id, filter or search means it.

``checked_json_body`` is a dependency for Parley's own API (``/api/v1``): a JSON body that
parses but cannot be stored or answered (nesting, NUL, unpaired surrogates, NaN) is a 400
naming where, as the TMF kit's ``check_storable`` does for TMF documents.
"""

import re
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parley.api.tmf.kit.errors import error_response
from parley.api.tmf.kit.responses import check_storable

BODY_METHODS = ("POST", "PUT", "PATCH")


class Refused(HTTPException):
    """A request refused by a limit, answered in the TMF error shape with its own ``code``.

    An HTTPException, so that FastAPI re-raises it when reading a body meets it, instead of
    answering its generic "There was an error parsing the body"."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(status, message)
        self.code = code


def body_too_large(limit: int) -> Refused:
    return Refused(
        413,
        "REQUEST_TOO_LARGE",
        f"the request body is larger than {limit} bytes (the limit, PARLEY_MAX_BODY_BYTES)",
    )


def _answer(refused: Refused):
    return error_response(refused.status_code, refused.code, _reason(refused), refused.detail)


_REASONS = {
    400: "Bad request",
    404: "Resource not found",
    406: "Not acceptable",
    413: "Content too large",
}


def _reason(refused: Refused) -> str:
    return _REASONS.get(refused.status_code, "Error")


def nul_refusal(scope: Scope) -> Refused | None:
    """The refusal of a NUL in the path (already percent-decoded) or in the query string."""
    if "\x00" in scope.get("path", ""):  # as an id the database cannot hold: not found
        return Refused(404, "NOT_FOUND", "nothing is found at a path holding a NUL character")
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        name = next((k for k, v in pairs if "\x00" in k or "\x00" in v), "?")
        return Refused(
            400,
            "INVALID_QUERY",
            f"query parameter '{name.replace(chr(0), '?')}': NUL characters are not allowed",
        )
    return None


def _api_prefixes(settings) -> tuple[str, ...]:
    return tuple(
        value
        for name, value in vars(settings).items()
        if name.endswith("_api_prefix") and isinstance(value, str) and value
    )


def _accepts_json(accept: str) -> bool:
    """Whether an Accept header admits a JSON answer (a media range with q above 0)."""
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = next((p[2:] for p in params if p.lower().startswith("q=")), "1")
        try:
            if float(quality) <= 0:
                continue
        except ValueError:
            continue
        media = media.lower()
        if media in ("*/*", "application/*", "application/json") or media.endswith("+json"):
            return True
    return False


def not_acceptable(scope: Scope) -> Refused | None:
    """An API request whose Accept admits no JSON (``application/xml``): 406, as the APIs
    answer JSON only. The console and the docs answer HTML and are not asked."""
    path = scope.get("path", "")
    if not path.startswith(_api_prefixes(scope["app"].state.settings)):
        return None
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            accept = value.decode("latin-1")
            if accept.strip() and not _accepts_json(accept):
                return Refused(
                    406, "NOT_ACCEPTABLE", f"this API answers application/json only, not {accept}"
                )
    return None


def upload_paths(settings, web_paths: tuple[str, ...]) -> list[tuple[str, re.Pattern]]:
    """(method, path pattern) of the requests that carry a file: an attachment sent to
    Parley's API, a TMF621 ticket raised with files, and the web pages' upload forms
    (``web_paths``: the console's and the portal's, where they are mounted)."""
    tickets = re.escape(f"{settings.trouble_ticket_api_prefix}/troubleTicket")
    own = re.escape(f"{settings.parley_api_prefix}/requests/")
    paths = [
        ("POST", rf"{own}[^/]+/attachments"),
        ("POST", tickets),
        ("PATCH", rf"{tickets}/[^/]+"),
        *(("POST", rf"{re.escape(web)}/requests/[^/]+/attachment") for web in web_paths),
    ]
    return [(method, re.compile(pattern)) for method, pattern in paths]


def _body_limit(scope: Scope) -> int:
    state = scope["app"].state
    settings = state.settings  # the settings of the app serving it (a test swaps them)
    path, method = scope.get("path", ""), scope.get("method", "")
    for allowed, pattern in getattr(state, "upload_paths", ()):
        if method == allowed and pattern.fullmatch(path):
            return settings.upload_body_bytes()
    if method == "POST" and path == f"{settings.parley_api_prefix}/imports":
        return settings.import_max_bytes  # a file to import (api/v1/imports.py)
    return settings.max_body_bytes


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class RequestLimits:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = nul_refusal(scope) or not_acceptable(scope)
        declared = _declared_length(scope)
        limit = _body_limit(scope)
        if refused is None and declared is not None and declared > limit:
            refused = body_too_large(limit)
        if refused is not None:
            await _answer(refused)(scope, receive, send)
            return

        received, started = 0, False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise body_too_large(limit)  # answered by the app's handler for Refused
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except Refused as refusal:  # met where no handler answers it
            if started:
                raise
            await _answer(refusal)(scope, receive, send)


async def checked_json_body(request: Request) -> None:
    """A dependency of Parley's own API: the JSON body, parsed by FastAPI already (the parse is
    cached on the request), is one that can be stored and answered. Requests without a JSON
    body pass."""
    if request.method not in BODY_METHODS:
        return
    media = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if not (media == "application/json" or media.endswith("+json")):
        return
    try:
        body = await request.json()
    except Exception:  # unparseable: FastAPI's own parsing answers it (400)
        return
    check_storable(body)


def install_request_limits(app) -> None:
    app.add_middleware(RequestLimits)

    @app.exception_handler(Refused)
    def _refused(_: Request, exc: Refused):
        return _answer(exc)
