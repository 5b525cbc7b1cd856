"""Shaping TMF answers: list headers, merge-patch bodies, JSON bodies read leniently."""

import json
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from parley.api.tmf.kit.errors import TMFError

PATCH_MEDIA_TYPES = ("application/json", "application/merge-patch+json")


def list_response(items: list[dict], total: int) -> JSONResponse:
    return JSONResponse(
        items,
        headers={"X-Total-Count": str(total), "X-Result-Count": str(len(items))},
    )


def created(body: dict) -> JSONResponse:
    return JSONResponse(body, status_code=201, headers={"Location": body["href"]})


def no_content() -> Response:
    return Response(status_code=204)


async def read_json_object(request: Request, media_types=("application/json",)) -> dict:
    """The request body as a JSON object; anything else is a 400/415 in the TMF shape."""
    content_type = request.headers.get("content-type", "application/json")
    media = content_type.split(";", 1)[0].strip().lower()
    if media and media not in media_types:
        raise TMFError(
            415, f"content type {media} is not accepted; use {' or '.join(media_types)}",
            "UNSUPPORTED_MEDIA_TYPE",
        )
    raw = await request.body()
    try:
        body: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise TMFError(400, f"request body is not valid JSON: {error}", "INVALID_JSON") from None
    if not isinstance(body, dict):
        raise TMFError(400, "request body must be a JSON object", "INVALID_JSON")
    return body


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
