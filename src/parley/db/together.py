"""Several rows for several tables written by one statement on PostgreSQL.

Logging an interaction stores the interaction, its audit line and its event: three INSERTs,
three statements to parse, plan and answer. On PostgreSQL they go as one statement instead,
all but the last INSERT as data-modifying CTEs (``WITH w0 AS (INSERT ...), w1 AS (...) INSERT
...``): atomic like the transaction around them, a third of the round trips and per-statement
work. SQLite has no such CTEs: there they run one after the other.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Insert, bindparam


@dataclass(frozen=True)
class NewRow:
    """A prebuilt INSERT and its parameters: the table's columns the statement leaves open
    (all those with a Python-side default among them), plus any bind parameters of its own."""

    statement: Insert
    params: dict


def insert_together(connection: Connection, rows: Sequence[NewRow]) -> None:
    if connection.dialect.name != "postgresql" or len(rows) == 1:
        for row in rows:
            connection.execute(row.statement, row.params)
        return
    connection.execute(*together(rows))


# (statement ids and parameter names) -> the combined statement; the call sites are few and
# their statements module constants, so this stays small.
_COMBINED: dict[tuple, Insert] = {}


def together(rows: Sequence[NewRow]) -> tuple[Insert, dict]:
    """One statement for ``rows`` and its parameters, column parameters renamed per row."""
    key = tuple((id(row.statement), tuple(row.params)) for row in rows)
    params: dict = {}
    for index, row in enumerate(rows):
        columns = row.statement.table.c
        for name, value in row.params.items():
            named = f"w{index}_{name}" if name in columns else name
            if named in params:
                raise ValueError(f"two rows bind a parameter named {named}")
            params[named] = value
    combined = _COMBINED.get(key)
    if combined is None:
        combined = _COMBINED[key] = _combine(rows)
    return combined, params


def _combine(rows: Sequence[NewRow]) -> Insert:
    statements = []
    for index, row in enumerate(rows):
        columns = row.statement.table.c
        defaulted = [c.name for c in columns if c.default is not None and c.name not in row.params]
        if defaulted:  # SQLAlchemy would bind their defaults under names the rows share
            raise ValueError(f"give {', '.join(defaulted)} of {row.statement.table.name}")
        renamed = {
            name: bindparam(f"w{index}_{name}", type_=columns[name].type)
            for name in row.params
            if name in columns
        }
        statements.append(row.statement.values(renamed))
    ctes = [
        statement.returning(*statement.table.primary_key.columns).cte(f"w{index}")
        for index, statement in enumerate(statements[:-1])
    ]
    return statements[-1].add_cte(*ctes)
