"""INSERT ... ON CONFLICT DO UPDATE in the session's dialect (PostgreSQL and SQLite write it
alike; SQLAlchemy has one construct per dialect)."""

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(session: Session, table: Table, values: dict, update: dict, key: list) -> Insert:
    """Insert ``values``; where a row with the same ``key`` columns exists, set ``update``
    (expressions may name the existing row's columns, ``table.c.hits + 1``) instead."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    return statement.on_conflict_do_update(index_elements=key, set_=update)
