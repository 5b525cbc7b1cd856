"""Many rows into one table at once: COPY on PostgreSQL, executemany elsewhere.

For bulk loads (an import's batch of thousands of rows): PostgreSQL's COPY takes the rows as
one stream, without a statement per row, in the caller's transaction (the session's own
connection). Values go through the columns' bind processors, as an INSERT would send them
(JSON documents, UTC timestamps), then psycopg's adapters.
"""

from collections.abc import Sequence

import psycopg
from sqlalchemy import Connection, Table
from sqlalchemy.exc import IntegrityError


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict]) -> None:
    """``rows`` (each with the same keys, all columns of ``table``) inserted; IntegrityError
    if a constraint refuses one (then none is)."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), list(rows))
        return
    dialect = connection.dialect
    names = list(rows[0])
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    quote = dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        value if process is None or value is None else process(value)
                        for value, process in zip(row.values(), processors, strict=True)
                    ]
                )
    except psycopg.IntegrityError as error:
        raise IntegrityError(statement, None, error) from None
