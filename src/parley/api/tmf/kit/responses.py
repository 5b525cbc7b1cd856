"""Shaping TMF answers and checking TMF bodies: list headers, media types, merge patch."""

import json
import math
from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request, Response

from parley import json_codec
from parley.api.error_answers import answers
from parley.api.json_response import JSONResponse
from parley.api.tmf.kit.budget import DocumentBudget
from parley.api.tmf.kit.errors import TMFError
from parley.db.listing import PageInfo

PATCH_MEDIA_TYPES = ("application/json", "application/merge-patch+json")
MAX_DEPTH = 32


def list_response(items: Iterable[dict], total: int, budget: int | None = None) -> Response:
    """A page of a list, as JSON with the TMF paging headers. With a ``budget`` (bytes,
    PARLEY_MAX_PAGE_BYTES) the page stops before the item that would take it past the budget
    (the first item is always in it), and X-Result-Count says how many it holds: the next page
    starts at offset + X-Result-Count. Items are made as they are taken (``items`` may be a
    generator), so those past the budget cost nothing."""
    parts: list[bytes] = []
    size = 2  # the brackets
    for item in items:
        part = json_codec.dumps(item)
        size += len(part) + (1 if parts else 0)
        if parts and budget is not None and size > budget:
            break
        parts.append(part)
    return Response(
        b"[" + b",".join(parts) + b"]",
        media_type="application/json",
        headers={"X-Total-Count": str(total), "X-Result-Count": str(len(parts))},
    )


def paging_headers(response: Response, request: Request, info: PageInfo, url: str) -> None:
    """The next page's cursor (``X-Next-Cursor``, and the whole link as ``Link: rel=next``),
    and ``X-Total-Count-Exact: false`` where the total is an estimate (docs/api.md)."""
    cursor = info.cursor_after(int(response.headers["X-Result-Count"]))
    if cursor is not None:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
        params = [(k, v) for k, v in params if k != "cursor"] + [("cursor", cursor)]
        response.headers["X-Next-Cursor"] = cursor
        response.headers["Link"] = f'<{url}?{urlencode(params)}>; rel="next"'
    if not info.total_exact:
        response.headers["X-Total-Count-Exact"] = "false"


def created(body: dict) -> JSONResponse:
    return JSONResponse(body, status_code=201, headers={"Location": body["href"]})


def no_content() -> Response:
    return Response(status_code=204)


def media_type_check(media_types: tuple[str, ...]):
    """A dependency refusing, with 415, a body that is not declared as one of ``media_types``."""

    @answers(415)
    async def check(request: Request) -> None:  # async: no I/O, no thread hand-over
        content_type = request.headers.get("content-type", "")
        media = content_type.split(";", 1)[0].strip().lower()
        if not media and not _has_body(request):
            return  # no body at all: the body's reading answers 400, "request body is required"
        if media not in media_types:
            given = f"content type {media}" if media else "a body without a content type"
            raise TMFError(
                415,
                f"{given} is not accepted; use {' or '.join(media_types)}",
                "UNSUPPORTED_MEDIA_TYPE",
            )

    return check


def _has_body(request: Request) -> bool:
    """Whether the request announces a body (a length above 0, or a chunked one)."""
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length != "0")


async def json_object(request: Request) -> dict:
    """The body as a JSON object, or the 400 FastAPI's own body parsing answers (a PATCH's):
    a dependency, so that it runs after the route's permission and media type checks."""
    raw = await request.body()
    if not raw.strip():
        raise TMFError(400, "request body is required (a JSON object)", "INVALID_INPUT")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        problem = error.msg
    except ValueError:  # not UTF-8 (or -16/-32) text
        problem = "not UTF-8 text"
    except RecursionError:  # nested deeper than the parser goes: far past MAX_DEPTH
        raise TMFError(
            400, f"request body: nested more than {MAX_DEPTH} levels deep", "INVALID_INPUT"
        ) from None
    else:
        if not isinstance(value, dict):
            raise TMFError(400, "request body must be a JSON object", "INVALID_INPUT")
        return value
    raise TMFError(400, f"request body is not valid JSON ({problem})", "INVALID_INPUT")


# A create's body: ``body: JSONObject`` (documented by the route's ``openapi_extra``).
JSONObject = Annotated[dict, Depends(json_object)]


def check_storable(body: Any, budget: DocumentBudget | None = None) -> None:
    """Refuse JSON that parses but can be neither stored nor answered (400, naming where):
    NaN/Infinity, NUL characters and unpaired surrogates (PostgreSQL rejects both), nesting
    deep enough to exhaust the recursion of what handles it next, and, with a ``budget`` (a
    TMF document's), texts and lists longer than it allows."""
    problems: list[str] = []
    _storable(body, "", "", 0, problems, budget)
    if problems:
        raise TMFError(400, "; ".join(problems[:10]), "INVALID_INPUT")


def _storable(value: Any, path: str, name: str, depth: int, problems: list[str], budget) -> None:
    where = path or "body"
    if depth > MAX_DEPTH:
        problems.append(f"{where}: nested more than {MAX_DEPTH} levels deep")
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else key
            if not _storable_text(key):
                problems.append(f"{where}: a property name holds a NUL or unpaired surrogate")
            elif budget and isinstance(item, str) and budget.is_file(name, key):
                _storable(item, inner, key, depth + 1, problems, None)  # a file, not a text
            else:
                _storable(item, inner, key, depth + 1, problems, budget)
    elif isinstance(value, list):
        most = budget.items(name) if budget else None
        if most is not None and len(value) > most:
            problems.append(f"{where}: at most {most} entries (the limit), not {len(value)}")
            return
        for index, item in enumerate(value):
            _storable(item, f"{where}[{index}]", name, depth + 1, problems, budget)
    elif isinstance(value, str):
        if not _storable_text(value):
            problems.append(f"{where}: must not contain NUL characters or unpaired surrogates")
        elif budget and len(value) > budget.characters(name):
            most = budget.characters(name)
            problems.append(f"{where}: at most {most} characters (the limit), not {len(value)}")
    elif isinstance(value, float) and not math.isfinite(value):
        problems.append(f"{where}: must be a finite number")


def _storable_text(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
