"""Declarative base and column types shared by every domain's models."""

import os
import re
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, MetaData, String, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

from parley import clock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on both databases (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Parley stores UTC-aware timestamps only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


_PARLEY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def new_id() -> str:
    """A random (version 4) UUID as text; as ``str(uuid.uuid4())``, without the UUID object
    (a bulk import makes four per row). ``os.urandom`` per id, a system call that lets other
    threads have the GIL: an import's writing thread, back from the server, gets it at once
    from the thread preparing the next batch (random bytes read 4 KiB at a time made the
    import 17–30 % slower)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def is_parley_id(value: str) -> bool:
    """Whether ``value`` has the form of the ids Parley makes (``new_id``: a UUID in lower
    case): one that does not cannot name a row Parley holds."""
    return _PARLEY_ID.fullmatch(value) is not None


def utcnow() -> datetime:
    """Now, in UTC, from the one clock tests can move (parley.clock)."""
    return clock.now()


def iso(moment: datetime) -> str:
    """A stored UTC moment as TMF documents and answers write it: ISO 8601 ending in Z."""
    return moment.isoformat().replace("+00:00", "Z")


UUIDString = String(36)
ID_LENGTH = 36


def storable_id(value: str, longest: int | None = None) -> bool:
    """Whether ``value`` can name a stored row at all. PostgreSQL can't even compare a text
    holding NUL, nor store one longer than its column: such an id names nothing."""
    return "\x00" not in value and (longest is None or len(value) <= longest)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
