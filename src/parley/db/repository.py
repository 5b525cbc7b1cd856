"""What every domain's repository shares: a session, writes flushed at once so that
constraint violations surface inside the service call that caused them, and the TMF attribute
filters of list queries."""

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session


class Repository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, row) -> None:
        self.session.add(row)
        self.session.flush()

    def run(self, statement, params=None):
        """A prebuilt Core statement on the session's connection, past the ORM's execution
        layer (which costs more than the statement on the hottest paths)."""
        return self.session.connection().execute(statement, params)

    def delete(self, row) -> None:
        self.session.delete(row)
        self.session.flush()


def json_text(document_column, attribute: str) -> ColumnElement:
    return document_column[attribute].as_string()


def conditions_for(column_map: dict, document_column, filters: dict[str, str]) -> list:
    """Attribute filters: projected columns where we have them, the JSON document otherwise."""
    conditions = []
    for name, value in filters.items():
        column = column_map.get(name)
        if column is None:
            column = json_text(document_column, name)
        conditions.append(column == value)
    return conditions
