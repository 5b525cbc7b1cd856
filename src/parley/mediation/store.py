"""The inbound message store's front door: ``InboundStore(sessions).receive(...)``.

Everything Parley receives from outside (a partner's message, an email, an import file, a
callback) is stored here raw, before anything reads it: its bytes, headers, source, partner,
transaction type (when the sender names one), content type and time. ``receive`` commits the
row in a short transaction of its own, so once it returns the message is kept whatever fails
next; the workers parse and apply it later (``mediation/worker.py``).

Each message has an idempotency key, unique per source: a second delivery with a key already
stored is the same message. No second row is made, and the answer is the first's. A source
that has no key of its own passes none: the key is then the SHA-256 of the content (after the
partner's name, if there is one), so the same bytes delivered twice are one message.

This is the one place in the domain that commits: the store must keep what arrived even
when the caller's own work is rolled back.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from parley.db.base import iso, new_id, utcnow
from parley.errors import InvalidInput
from parley.mediation.models import (
    MAX_KEY_LENGTH,
    RECEIVED,
    SOURCES,
    InboundMessage,
)
from parley.mediation.repository import InboundRepository

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")  # partners and transaction types
# Never kept: credentials the sender authenticated with.
SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key"})
MAX_HEADERS = 100
MAX_HEADER_LENGTH = 2000
MAX_CONTENT_TYPE = 200
DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class Received:
    """A stored message, as the sender is answered: the same for every delivery of it."""

    id: str
    source: str
    idempotency_key: str
    received_at: datetime
    duplicate: bool  # this delivery repeated one stored before


def content_key(content: bytes, partner: str | None = None) -> str:
    """The key of a message whose sender gives none: its content's digest (after its
    partner's name: two partners sending the same bytes send two messages)."""
    digest = "sha256:" + hashlib.sha256(content).hexdigest()
    return f"{partner}:{digest}" if partner else digest


def checked_name(value: str | None, field: str) -> str | None:
    """A partner's or transaction type's name: lower-case letters, digits, ``.``, ``_``,
    ``-``, at most 64 characters (None stays None)."""
    if value is None:
        return None
    name = value.strip().lower()
    if not NAME.fullmatch(name):
        raise InvalidInput(
            f"{field}: 1 to 64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            field,
        )
    return name


def kept_headers(headers: dict[str, str] | None) -> dict[str, str]:
    """The headers as stored: credentials left out, NUL removed (no database keeps it in
    JSON text), each bounded."""
    kept: dict[str, str] = {}
    for name, value in list((headers or {}).items())[:MAX_HEADERS]:
        name = str(name).replace("\x00", "").strip().lower()[:200]
        if name and name not in SECRET_HEADERS:
            kept[name] = str(value).replace("\x00", "")[:MAX_HEADER_LENGTH]
    return kept


class InboundStore:
    def __init__(self, sessions: sessionmaker[Session]):
        """``sessions``: where the store opens its own short transaction per message."""
        self.sessions = sessions

    def receive(
        self,
        source: str,
        content: bytes,
        *,
        received_by: str,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        partner: str | None = None,
        transaction_type: str | None = None,
        idempotency_key: str | None = None,
    ) -> Received:
        """Store a message raw and commit it; a key already stored for ``source`` answers
        the message stored first (``duplicate``). ``received_by``: who handed it over (a
        client's name, a mailbox, a file)."""
        if source not in SOURCES:
            raise InvalidInput(f"source: one of {', '.join(SOURCES)}", "source")
        if not isinstance(content, bytes):
            raise InvalidInput("content: bytes", "content")
        partner = checked_name(partner, "partner")
        key = idempotency_key if idempotency_key is not None else content_key(content, partner)
        if not key or len(key) > MAX_KEY_LENGTH or "\x00" in key:
            raise InvalidInput(
                f"idempotency key: 1 to {MAX_KEY_LENGTH} characters", "idempotencyKey"
            )
        transaction_type = checked_name(transaction_type, "transactionType")
        media = (content_type or "").replace("\x00", "").strip() or DEFAULT_CONTENT_TYPE
        now = utcnow()
        values = {
            "id": new_id(),
            "source": source,
            "partner": partner,
            "transaction_type": transaction_type,
            "content_type": media[:MAX_CONTENT_TYPE],
            "headers": kept_headers(headers),
            "content": content,
            "size": len(content),
            "idempotency_key": key,
            "state": RECEIVED,
            "attempts": 0,
            "next_attempt_at": now,
            "history": [{"state": RECEIVED, "at": iso(now), "by": received_by[:150]}],
            "received_by": received_by[:150],
            "received_at": now,
            "updated_at": now,
        }
        with self.sessions() as session, session.begin():
            repo = InboundRepository(session)
            first = repo.by_key(source, key)
            if first is None:
                try:
                    with session.begin_nested():
                        repo.insert(values)
                    return Received(values["id"], source, key, now, duplicate=False)
                except IntegrityError:  # the same message, delivered at the same moment
                    first = repo.by_key(source, key)
                    if first is None:
                        raise
            return _received(first)


def _received(message: InboundMessage) -> Received:
    return Received(
        message.id, message.source, message.idempotency_key, message.received_at, duplicate=True
    )
