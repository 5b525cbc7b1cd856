"""Engine and session factory. One engine per process; sessions are units of work."""

from functools import lru_cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
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
    return create_engine(
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
