"""One-statement writes on PostgreSQL straight through psycopg's asyncio driver.

Logging an interaction is Parley's busiest write: its rows (db/together.py) go as one statement
in autocommit from the event loop. SQLAlchemy's asyncio layer around that one statement cost
more CPU than the statement itself (docs/benchmarks.md), so here the statement SQLAlchemy
compiled once is sent through a psycopg pool, its parameters converted by SQLAlchemy's own
bind processors (JSONB, UTC timestamps) for the dialect.
"""

from collections.abc import Callable, Sequence

import psycopg
import structlog
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Insert
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.engine import make_url

from parley import json_codec
from parley.db.together import NewRow, together
from parley.errors import DomainError

log = structlog.get_logger(__name__)
APPLICATION_NAME = "parley-direct-writes"


class DatabaseUnavailable(DomainError):
    status, code, reason = 503, "DATABASE_UNAVAILABLE", "Service unavailable"


class DirectWriter:
    def __init__(self, url: str, size: int):
        parsed = make_url(url).set(drivername="postgresql")
        self.pool = AsyncConnectionPool(
            parsed.render_as_string(hide_password=False),
            min_size=1,  # grows to ``size`` while writes wait for a connection
            max_size=size,
            open=False,
            # Each write is one statement: it commits by itself. Named for pg_stat_activity.
            kwargs={"autocommit": True, "application_name": APPLICATION_NAME},
            configure=_configure,
        )
        self.dialect = psycopg_dialect(json_serializer=json_codec.dumps)
        self._compiled: dict[int, tuple[str, dict, dict[str, Callable | None]]] = {}

    async def open(self) -> None:
        await self.pool.open(wait=False)

    async def close(self) -> None:
        await self.pool.close()

    async def insert_together(self, rows: Sequence[NewRow]) -> None:
        """Raises psycopg.IntegrityError when a constraint refuses a row (nothing stored)."""
        statement, params = together(rows)
        sql, literals, processors = self._compile(statement)
        values = dict(literals)
        for name, value in params.items():
            process = processors.get(name)
            values[name] = process(value) if process is not None else value
        try:
            async with self.pool.connection() as connection:
                await connection.execute(sql, values)
        except psycopg.OperationalError:
            log.warning("database unavailable for a direct write", exc_info=True)
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


def direct_writer(url: str, size: int) -> DirectWriter | None:
    """A writer for ``url``, or None where there is none: SQLite, or a size of 0."""
    if make_url(url).get_backend_name() != "postgresql" or size < 1:
        return None
    return DirectWriter(url, size)
