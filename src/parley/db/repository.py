"""What every domain's repository shares: a session, writes flushed at once so that
constraint violations surface inside the service call that caused them, the TMF attribute
filters and pages of list queries, and the one rule of who reads rows owned by a customer."""

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from parley.db.base import ID_LENGTH, storable_id
from parley.errors import NotFound


@dataclass(frozen=True)
class Page:
    """A list query: attribute filters (name -> value), then one page of what matches."""

    filters: dict[str, str]
    offset: int = 0
    limit: int = 100


class Reader(Protocol):
    """Who reads, as the domains see a logged-in principal (``auth.Principal`` is one)."""

    @property
    def is_customer(self) -> bool: ...

    @property
    def customer_id(self) -> str | None: ...


def owned_by_reader(customer_column, reader: Reader | None) -> ColumnElement[bool] | None:
    """What ``reader`` may read of rows owned by a customer (``customer_column``: the row's
    customer): everything for staff and integration clients (None: no condition), its own
    customer's for a customer's log-in, nothing for one tied to no customer."""
    if reader is None or not reader.is_customer:
        return None
    return customer_column == reader.customer_id if reader.customer_id else false()


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

    def discard(self, row) -> None:
        """Delete ``row`` at the caller's next flush: for a row a concurrent writer may have
        changed or deleted meanwhile, the edge flushes with ``flush_or_412``."""
        self.session.delete(row)

    def one(self, model, row_id: str, readable: ColumnElement | None = None, for_update=False):
        """The row with this id if ``readable`` (a ``readable_by`` condition) holds for it."""
        if readable is None and not for_update:
            return self.session.get(model, row_id)  # from the identity map when loaded
        query = select(model).where(model.id == row_id)
        if readable is not None:
            query = query.where(readable)
        if for_update:
            query = query.with_for_update()
        return self.session.scalar(query)

    def found(self, model, row_id: str, readable: ColumnElement | None, missing: str):
        """The row with this id if ``readable`` holds for it, else NotFound(``missing``): what
        a reader may not see is simply not there (an id that could not be stored, neither)."""
        row = self.one(model, row_id, readable) if storable_id(row_id, ID_LENGTH) else None
        if row is None:
            raise NotFound(missing)
        return row

    def page(self, model, conditions: list, page: Page, *order_by) -> tuple[list, int]:
        """One page of the rows matching ``conditions`` (a None among them, a ``readable_by``
        for a reader who reads everything, restricts nothing), in ``order_by``, and how many
        rows match."""
        conditions = [condition for condition in conditions if condition is not None]
        offset, limit = page.offset, page.limit
        total = self.session.scalar(select(func.count()).select_from(model).where(*conditions))
        rows = self.session.scalars(
            select(model).where(*conditions).order_by(*order_by).offset(offset).limit(limit)
        ).all()
        return list(rows), total or 0


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
