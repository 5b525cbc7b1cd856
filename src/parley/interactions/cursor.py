"""Timeline cursors: the (started_at, id) of the last entry seen, opaque to clients."""

import base64
import binascii
from datetime import datetime

from parley.errors import InvalidInput


def encode_cursor(started_at: datetime, interaction_id: str) -> str:
    raw = f"{started_at.isoformat()}|{interaction_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        started, interaction_id = base64.urlsafe_b64decode(padded).decode().split("|", 1)
        moment = datetime.fromisoformat(started)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("cursor: not a cursor this API gave out", "cursor") from None
    if moment.tzinfo is None or not interaction_id or "\x00" in interaction_id:
        raise InvalidInput("cursor: not a cursor this API gave out", "cursor")
    return moment, interaction_id
