"""JSON in and out of Parley: documents stored as JSON columns and answers to HTTP clients.

orjson writes and reads JSON several times faster than the standard library, and every TMF
write serialises its document two or three times (the row, its event, the answer). For what
orjson refuses (integers beyond 64 bits, non-string keys) the standard library takes over, so
nothing JSON can hold is refused here.
"""

import json
from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as the standard library's with ``ensure_ascii=False``."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def dumps_text(value: Any) -> str:
    return dumps(value).decode()


def loads(data: str | bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)  # e.g. an integer beyond 64 bits, stored by the fallback
