"""Channel adapters: one per kind of outbox message, found by kind in a registry.

A channel checks a destination when a message is enqueued (bad input is refused there, not
found out by a worker later); its adapter delivers one message, answering with an Outcome. It never
raises for a failed delivery; the worker treats an exception as a failure worth retrying.
Each adapter module (webhook, email, sms, ordering, billing; the event channels events.fanout
and events.bus) offers its ``CHANNEL``; the composition root (parley.wiring) registers them, so
the outbox imports none of the domains whose channels it delivers.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from parley.settings import Settings

DELIVERED, RETRY, PERMANENT = "delivered", "retry", "permanent"


@dataclass(frozen=True)
class Outcome:
    result: str  # DELIVERED, RETRY (a passing failure) or PERMANENT (retrying cannot help)
    error: str | None = None

    @classmethod
    def delivered(cls) -> "Outcome":
        return cls(DELIVERED)

    @classmethod
    def retry(cls, error: str) -> "Outcome":
        return cls(RETRY, error)

    @classmethod
    def permanent(cls, error: str) -> "Outcome":
        return cls(PERMANENT, error)


@dataclass(frozen=True)
class Message:
    """What an adapter gets of an outbox row."""

    id: str
    kind: str
    destination: dict
    payload: dict
    idempotency_key: str
    attempt: int  # 1 for the first
    attachments: tuple["Attachment", ...] = ()  # the files an email carries


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (an email's attachment)."""

    filename: str
    content_type: str  # "application/pdf"
    content: bytes


class ChannelAdapter(Protocol):
    """Made once per worker (it may keep connections open), closed when the worker stops."""

    def deliver(self, message: Message) -> Outcome: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Channel:
    kind: str
    # Raises InvalidInput if no message could ever be delivered to this destination.
    check_destination: Callable[[dict], None]
    adapter: Callable[[Settings], ChannelAdapter]


_CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    _CHANNELS[channel.kind] = channel


def known_kinds() -> list[str]:
    return sorted(_CHANNELS)


def channel_for(kind: str) -> Channel | None:
    return _CHANNELS.get(kind)
