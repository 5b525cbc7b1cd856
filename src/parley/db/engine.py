"""Engine and session factory. One engine per process; sessions are units of work."""

import select
from functools import lru_cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from parley import json_codec
from parley.settings import get_settings


def build_engine(
    url: str, pool_size: int = 10, busy_timeout_ms: int = 5000, pre_ping: bool = False
) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            pool_size=pool_size,
            max_overflow=0,
            json_serializer=json_codec.dumps_text,
            json_deserializer=json_codec.loads,
        )
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        # No overflow: an overflow connection is closed when it is returned, so under load
        # every request past the pool would connect anew (a PostgreSQL backend each time).
        max_overflow=0,
        pool_pre_ping=pre_ping,
        pool_recycle=3600,  # behind firewalls that drop idle connections silently
        json_serializer=json_codec.dumps,
        json_deserializer=json_codec.loads,
    )
    event.listen(engine, "checkout", _alive_or_replaced)
    return engine


def closed_by_server(dbapi_connection) -> bool:
    """Whether the server has ended this idle connection, seen without a round trip.

    A pooled connection between transactions has nothing to read. A server that ends it
    (pg_terminate_backend, a restart, a crash, idle_session_timeout) sends its last words and
    closes the socket, so there is something to read: the connection is dead, though the
    driver has not noticed yet. One poll of the socket, a few microseconds; what it cannot see
    is a connection lost without a word (a network cut), which PARLEY_DB_PRE_PING's round
    trip catches."""
    if dbapi_connection.closed:
        return True
    try:
        descriptor = dbapi_connection.fileno()
    except Exception:  # the driver has closed it
        return True
    if _poll is not None:
        poller = _poll()
        poller.register(descriptor, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    readable, _, failed = select.select([descriptor], [], [descriptor], 0)
    return bool(readable or failed)


_poll = getattr(select, "poll", None)


def _alive_or_replaced(dbapi_connection, _record, _proxy) -> None:
    # Raised here, the pool discards the connection and hands out a new one in its place:
    # a database restart or a killed backend costs no request a 503.
    if closed_by_server(dbapi_connection):
        raise DisconnectionError("the server closed the pooled connection")


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin (savepoints work).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # IMMEDIATE takes the write lock up front, so two writers wait instead of deadlocking.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return build_engine(
        settings.database_url,
        settings.db_pool_size,
        settings.sqlite_busy_timeout_ms,
        settings.db_pre_ping,
    )


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)
