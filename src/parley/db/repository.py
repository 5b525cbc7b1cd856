"""What every domain's repository shares: a session, writes flushed at once so that
constraint violations surface inside the service call that caused them, the TMF attribute
filters and pages of list queries, and the one rule of who reads rows owned by a customer."""

import json
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from sqlalchemy import ColumnElement, false, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.visitors import InternalTraversal

from parley.db.base import ID_LENGTH, storable_id
from parley.db.listing import (
    Attribute,
    Criterion,
    DocumentMatch,
    PageInfo,
    attribute,
    condition,
    ordering,
)
from parley.errors import InvalidInput, NotFound

# A list's total (docs/api.md, "Totals"): on PostgreSQL, where the planner expects more
# matching rows than this, its estimate is the answer; fewer are counted, within a budget.
ESTIMATE_ABOVE = 100_000
COUNT_BUDGET_MS = 30


@dataclass(frozen=True)
class Page:
    """A list query: equality filters (name -> value) and TMF criteria (with operators), a
    sort ((column, descending) pairs; empty: the list's default order), then one page of what
    matches from ``offset`` or after ``cursor``. ``info`` is where the repository says how to
    go on (the next cursor, whether the total is exact), through whatever the collection
    wraps its rows in."""

    filters: dict[str, str]
    offset: int = 0
    limit: int = 100
    criteria: tuple[Criterion, ...] = ()
    sort: tuple[tuple[Any, bool], ...] = ()
    cursor: str | None = None
    info: PageInfo = field(default_factory=PageInfo, compare=False)

    def equal_to(self, name: str) -> str | None:
        """The one value ``name`` must equal, from the filters or an "eq" criterion."""
        if name in self.filters:
            return self.filters[name]
        for criterion in self.criteria:
            if criterion.name == name and criterion.op == "eq" and len(criterion.values) == 1:
                return criterion.values[0]
        return None


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

    def page(
        self, model, conditions: list, page: Page, *default_order, read_only: bool = False
    ) -> tuple[list, int]:
        """One page of the rows matching ``conditions`` (a None among them, a ``readable_by``
        for a reader who reads everything, restricts nothing), in the page's sort or
        ``default_order`` ((column, descending) pairs), and how many rows match.

        ``read_only``: the rows as named tuples of the table's columns (by column name), not
        ORM objects, for a page that is only shown: no identity map or change tracking to
        build for them (about a tenth of the CPU of a TMF list page of 100 documents)."""
        conditions = [condition for condition in conditions if condition is not None]
        order = ordering(page.sort, default_order, model.id)
        selected = model.__table__ if read_only else model
        query = select(selected).where(*conditions).order_by(*order.order_by())
        if page.cursor is not None:
            try:
                after = order.read_cursor(page.cursor)
            except ValueError as problem:
                raise InvalidInput(str(problem), "cursor") from None
            query = query.where(order.after(after))
        else:
            query = query.offset(page.offset)
        query = query.limit(page.limit)
        rows = self.run(query).all() if read_only else list(self.session.scalars(query).all())
        page.info.ordering, page.info.rows, page.info.limit = order, rows, page.limit
        return rows, self.total(model, conditions, page, len(rows))

    def narrowed(self, column_map: dict, page: Page) -> dict:
        """``column_map`` with each attribute that matches on several columns (``also``: a
        customer's or a person's id) narrowed, where the page asks for one value of it, to the
        columns that hold that value: the same rows, but one column's index read in order and
        stopped after a page, where PostgreSQL reads an OR of two indexes as a bitmap of every
        match and sorts it (220 ms for a customer with 10,000 interactions in 10,000,000)."""
        narrowed = dict(column_map)
        for name, declared in column_map.items():
            value = page.equal_to(name)
            if not isinstance(declared, Attribute) or not declared.also or value is None:
                continue
            if declared.through is not None:
                continue
            columns = (declared.column, *declared.also)
            holding = [c for c in columns if self._holds(c, value)] or columns[:1]
            narrowed[name] = replace(declared, column=holding[0], also=tuple(holding[1:]))
        return narrowed

    def _holds(self, column, value) -> bool:
        """Whether some row has ``value`` in ``column`` (one probe of its index)."""
        return self.session.scalar(select(column).where(column == value).limit(1)) is not None

    def total(self, model, conditions: list, page: Page, shown: int) -> int:
        """How many rows match (docs/api.md, "Totals"): known without a query when a page
        read by offset ends before its limit; else counted on SQLite; on PostgreSQL the
        planner's estimate where it says more than ESTIMATE_ABOVE, otherwise counted within
        COUNT_BUDGET_MS, the estimate if that runs out (``page.info.total_exact`` False)."""
        if page.cursor is None and shown < page.limit and (shown or not page.offset):
            return page.offset + shown
        matching = select(model.id).where(*conditions)
        counting = select(func.count()).select_from(matching.subquery())
        if self.session.get_bind().dialect.name != "postgresql":
            return self.session.scalar(counting) or 0
        estimate = estimated_rows(self.session, matching)
        if estimate <= ESTIMATE_ABOVE:
            counted = self._count_within(counting, COUNT_BUDGET_MS)
            if counted is not None:
                return counted
        page.info.total_exact = False
        return estimate

    def _count_within(self, counting, budget_ms: int) -> int | None:
        """The count, or None when it takes longer than ``budget_ms`` (PostgreSQL cancels
        it; the savepoint keeps the request's transaction usable)."""
        try:
            with self.session.begin_nested():
                previous = self.session.scalar(_SET_TIMEOUT, {"value": f"{budget_ms}ms"})
                counted = self.session.scalar(counting) or 0
                self.session.execute(_RESET_TIMEOUT, {"value": previous})
                return counted
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) == QUERY_CANCELED:
                return None
            raise


# The setting as it was (read before it is changed: the list is evaluated in order), then set.
_SET_TIMEOUT = text(
    "SELECT current_setting('statement_timeout'), set_config('statement_timeout', :value, true)"
)
_RESET_TIMEOUT = text("SELECT set_config('statement_timeout', :value, true)")
QUERY_CANCELED = "57014"


class _Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a query, its parameters bound as the query's are."""

    # Cached by the query it explains, as that query would be: the EXPLAIN of every list page's
    # total is then compiled once, not on every request.
    inherit_cache = True
    _traverse_internals = [("query", InternalTraversal.dp_clauseelement)]
    _all_selected_columns = ()  # its one column (the plan) is read by position

    def __init__(self, query):
        self.query = query


@compiles(_Explain, "postgresql")
def _explain(element: _Explain, compiler, **kw) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.query, **kw)


def estimated_rows(session: Session, query) -> int:
    """The PostgreSQL planner's estimate of how many rows ``query`` gives (no row is read)."""
    plan = session.execute(_Explain(query)).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def json_text(document_column, attribute: str) -> ColumnElement:
    return document_column[attribute].as_string()


def conditions_for(column_map: dict, document_column, page: Page | dict[str, str]) -> list:
    """A list's filters and criteria: on the columns (``Attribute``s) the domain declares where
    it has them, on the JSON document otherwise (equality only: the edge lets no comparison
    through on an attribute that has no column)."""
    if isinstance(page, dict):
        page = Page(page)
    conditions = []
    for name, value in page.filters.items():
        conditions.append(_column_of(column_map, document_column, name) == value)
    for criterion in page.criteria:
        declared = column_map.get(criterion.name)
        if declared is not None:
            conditions.append(attribute(declared).condition(criterion))
        elif criterion.path:
            conditions.append(DocumentMatch(document_column, criterion.path, criterion.values))
        else:
            conditions.append(condition(json_text(document_column, criterion.name), criterion))
    return conditions


def _column_of(column_map: dict, document_column, name: str):
    declared = column_map.get(name)
    if declared is None:
        return json_text(document_column, name)
    return attribute(declared).column
