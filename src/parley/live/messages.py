"""Live messages: a hint that something changed, small enough for a PostgreSQL NOTIFY.

A message names its topic (``task``, ``call``), the id of what changed and a few facts to
decide who is told (``users``: only these user ids; None: everyone who may read the topic);
the browser fetches what it shows through a page, which checks what the reader may see. The
feeds (one per resource type, registered by ``parley.wiring``) turn a domain event into one.
"""

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; messages stay well below.
MAX_BYTES = 7000


@dataclass(frozen=True)
class LiveMessage:
    topic: str
    ref: str
    data: dict = field(default_factory=dict)
    users: tuple[str, ...] | None = None  # None: everyone who may read the topic
    id: str = field(default_factory=lambda: new_message_id())

    def to_json(self) -> str:
        body = {"id": self.id, "topic": self.topic, "ref": self.ref, "data": self.data}
        if self.users is not None:
            body["users"] = list(self.users)
        text = json.dumps(body, separators=(",", ":"), default=str)
        if len(text.encode()) > MAX_BYTES:  # the facts are a nicety; the hint must go
            return json.dumps({**body, "data": {}}, separators=(",", ":"))
        return text

    @classmethod
    def from_json(cls, text: str) -> "LiveMessage":
        body = json.loads(text)
        users = body.get("users")
        return cls(
            topic=str(body["topic"]),
            ref=str(body["ref"]),
            data=body.get("data") or {},
            users=tuple(users) if users is not None else None,
            id=str(body["id"]),
        )

    def for_user(self, user_id: str) -> bool:
        return self.users is None or user_id in self.users


_sequence = 0


def new_message_id() -> str:
    """Unique across processes and increasing within one: nanoseconds, process, a counter."""
    global _sequence
    _sequence = (_sequence + 1) % 0x10000
    return f"{time.time_ns():x}-{os.getpid():x}-{_sequence:x}"


Feed = Callable[[dict], LiveMessage | None]
_FEEDS: dict[str, list[Feed]] = {}


def feed(resource_type: str, make: Feed) -> None:
    """Turn events of ``resource_type`` into live messages with ``make(event)`` (may say None)."""
    known = _FEEDS.setdefault(resource_type, [])
    if make not in known:
        known.append(make)


def messages_of(events: list[dict]) -> list[LiveMessage]:
    made = []
    for event in events:
        for make in _FEEDS.get(event.get("resourceType", ""), ()):
            message = make(event)
            if message is not None:
                made.append(message)
    return made
