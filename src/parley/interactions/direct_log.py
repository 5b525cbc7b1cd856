"""Logging an interaction in one statement on PostgreSQL, from the event loop.

Logging an interaction is Parley's busiest write (docs/benchmarks.md, "Interactions"). When a
document needs no look-ups (it names no person, organisation or other interaction besides its
customer), its rows (the interaction, its references, audit line and event: db/together.py) go
as one statement in autocommit through a psycopg pool of this domain's own: no thread, no
session. Otherwise, and on SQLite, ``log_interaction`` says no and the unit of work's session
logs it (``InteractionService.create``). The same rows are stored either way.

The app's lifespan opens the pool for its engine (``opened``); ``log_interaction`` finds it
through the unit of work's session. SQLAlchemy's asyncio layer around the one statement cost
more CPU than the statement itself, so the statement SQLAlchemy compiled once is sent through
psycopg, its parameters converted by SQLAlchemy's own bind processors (JSONB, UTC timestamps).
"""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from types import SimpleNamespace

import psycopg
import structlog
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine, Insert
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.orm import Session

from parley import json_codec
from parley.changes import UnitOfWork
from parley.db.engine import closed_by_server
from parley.db.together import NewRow, together
from parley.errors import DomainError
from parley.interactions.service import InteractionService, needs_look_ups

logger = structlog.get_logger(__name__)
APPLICATION_NAME = "parley-direct-writes"  # its connections in pg_stat_activity

# The open writer of each engine (an app has one engine, its lifespan one event loop).
_writers: dict[Engine, "DirectWriter"] = {}


class DatabaseUnavailable(DomainError):
    status, code, reason = 503, "DATABASE_UNAVAILABLE", "Service unavailable"


@asynccontextmanager
async def opened(engine: Engine, pool_size: int) -> AsyncIterator[None]:
    """Direct logging for ``engine`` while the block runs (an app's lifespan): on PostgreSQL
    with a pool of ``pool_size`` connections (``PARLEY_DB_ASYNC_POOL_SIZE``) > 0. Opened with
    the event loop that uses it."""
    if engine.dialect.name != "postgresql" or pool_size < 1:
        yield
        return
    writer = DirectWriter(engine, pool_size)
    await writer.pool.open(wait=False)
    _writers[engine] = writer
    try:
        yield
    finally:
        _writers.pop(engine, None)
        await writer.pool.close()


def writer_of(engine: Engine) -> "DirectWriter | None":
    return _writers.get(engine)


async def log_interaction(
    uow: UnitOfWork, document: dict, lenient: bool = False
) -> SimpleNamespace | None:
    """The interaction logged in one statement (its columns, for the answer), or None when
    ``InteractionService(uow).create`` must log it: no pool here, or look-ups needed. On None
    the document is as it came."""
    writer = _writers.get(uow.session.get_bind().engine) if _writers else None
    if writer is None or needs_look_ups(document):
        return None
    # Built on an unbound session: no I/O may happen on the event loop, and a read by mistake
    # fails loudly. It carries the request's options and actor.
    offline = uow.on(Session())
    new = InteractionService(offline).new_interaction(document, lenient)
    try:
        await writer.insert_together(new.rows)
    except psycopg.IntegrityError:  # the customer's key: the one reference left to it
        raise new.subject.unknown_customer() from None
    return new.record


class DirectWriter:
    def __init__(self, engine: Engine, size: int):
        url = engine.url.set(drivername="postgresql")
        self.pool = AsyncConnectionPool(
            url.render_as_string(hide_password=False),
            min_size=1,  # grows to ``size`` while writes wait for a connection
            max_size=size,
            open=False,
            # Each write is one statement: it commits by itself.
            kwargs={"autocommit": True, "application_name": APPLICATION_NAME},
            configure=_configure,
        )
        self.dialect = psycopg_dialect(json_serializer=json_codec.dumps)
        self._compiled: dict[int, tuple[str, dict, dict[str, Callable | None]]] = {}

    async def insert_together(self, rows: Sequence[NewRow]) -> None:
        """Raises psycopg.IntegrityError when a constraint refuses a row (nothing stored)."""
        statement, params = together(rows)
        sql, literals, processors = self._compile(statement)
        values = dict(literals)
        for name, value in params.items():
            process = processors.get(name)
            values[name] = process(value) if process is not None else value
        try:
            # A connection the server ended while it waited in the pool is closed (the pool
            # then replaces it) and the next one taken, before the statement is sent: a
            # database restart or killed backends cost no write a 503.
            for _ in range(self.pool.max_size + 1):
                async with self.pool.connection() as connection:
                    if closed_by_server(connection):
                        await connection.close()
                        continue
                    await connection.execute(sql, values)
                    return
            raise psycopg.OperationalError("every pooled connection was found closed")
        except psycopg.OperationalError:
            logger.warning("database unavailable for a direct write", exc_info=True)
            raise DatabaseUnavailable(
                "The database connection failed; the write may not have been stored. "
                "Check, then retry."
            ) from None

    def _compile(self, statement: Insert) -> tuple[str, dict, dict[str, Callable | None]]:
        found = self._compiled.get(id(statement))  # together() keeps each statement
        if found is None:
            compiled = statement.compile(dialect=self.dialect)
            binds = compiled.bind_names.items()  # each parameter and its name in the SQL
            literals = {name: b.value for b, name in binds if b.value is not None}  # LIMIT 1
            processors = {
                name: b.type.dialect_impl(self.dialect).bind_processor(self.dialect)
                for b, name in binds
            }
            found = self._compiled[id(statement)] = (compiled.string, literals, processors)
        return found


async def _configure(connection: psycopg.AsyncConnection) -> None:
    set_json_dumps(json_codec.dumps, connection)
    set_json_loads(json_codec.loads, connection)
