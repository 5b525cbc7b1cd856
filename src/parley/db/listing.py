"""List queries as every domain answers them: attribute filters with comparison operators,
a sort, keyset cursors and a total that stays cheap (docs/api.md, "Common query conventions").

A domain declares what its lists offer as a map of attribute names to columns (or
``Attribute``s, for a sortable one or one that is not a plain column); the TMF kit reads the
same map to refuse what is not offered (400) before a query is made.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    Numeric,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement

# A filter's operators: "eq" (one value, or several meaning any of them) and the comparisons.
COMPARISONS = ("gt", "gte", "lt", "lte")
OPERATORS = ("eq", *COMPARISONS)
KINDS = ("text", "datetime", "number", "boolean")


@dataclass(frozen=True)
class Attribute:
    """A filterable attribute: its column, what its values are, and whether a list may be
    sorted by it (an index leads with it). ``also``: further columns any of which may match
    (an interaction's related party is its customer or, before that, its person).
    ``through``: (this row's key, the other table's column naming it) where the column is
    another table's (a customer's contacts): the rows some row of that table matches."""

    column: Any
    kind: str | None = None  # None: from the column's type
    sortable: bool = False
    also: tuple = ()
    through: tuple | None = None

    @property
    def value_kind(self) -> str:
        if self.kind is not None:
            return self.kind
        column_type = getattr(self.column, "type", None)
        if isinstance(getattr(column_type, "impl", column_type), DateTime):
            return "datetime"
        if isinstance(column_type, Integer | Numeric):
            return "number"
        return "text"

    def condition(self, criterion: "Criterion") -> ColumnElement[bool]:
        matches = or_(*(condition(column, criterion) for column in (self.column, *self.also)))
        if self.through is None:
            return matches
        key, foreign = self.through
        return key.in_(select(foreign).where(matches))


def attribute(declared: Any) -> Attribute:
    """A domain's declaration: an ``Attribute``, or a bare column for a filter-only one."""
    return declared if isinstance(declared, Attribute) else Attribute(declared)


@dataclass(frozen=True)
class Criterion:
    name: str
    op: str  # one of OPERATORS
    values: tuple  # parsed (parse_value); several only for "eq"
    # For an attribute of the document (no column): its path, each step with whether it is a
    # list (``relatedParty.role``: (("relatedParty", True), ("role", False))).
    path: tuple[tuple[str, bool], ...] = ()


def parse_value(kind: str, raw: str) -> Any:
    """A filter value as its attribute's kind reads it; ValueError when it is not one."""
    if kind == "datetime":
        return parse_moment(raw)
    if kind == "number":
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise ValueError(f"'{raw}' is not a number") from None
        if not number.is_finite():
            raise ValueError(f"'{raw}' is not a number")
        return number
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError(f"'{raw}' is not true or false")
        return raw == "true"
    return raw


def parse_moment(raw: str) -> datetime:
    """An ISO 8601 date-time (a zone required unless it is a date, read as midnight UTC)."""
    text = raw.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"'{raw}' is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError(f"'{raw}' has no time zone (add Z or an offset)")
    return moment.astimezone(UTC)


def condition(column: Any, criterion: Criterion) -> ColumnElement[bool]:
    values = criterion.values
    if criterion.op == "eq":
        return column == values[0] if len(values) == 1 else column.in_(values)
    compare = {"gt": column > values[0], "gte": column >= values[0]}
    compare.update({"lt": column < values[0], "lte": column <= values[0]})
    return compare[criterion.op]


class DocumentMatch(ColumnElement):
    """Whether a JSON document holds one of ``values`` at ``path`` (a Criterion's), through a
    list on its way: containment on PostgreSQL (``@>``: a GIN index on the document can serve
    it), JSON1's ``json_each`` on SQLite."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, document: Any, path: tuple[tuple[str, bool], ...], values: tuple):
        self.document, self.path, self.values = document, path, values


def _contained(path: tuple[tuple[str, bool], ...], value: Any) -> Any:
    for name, is_list in reversed(path):
        value = {name: [value]} if is_list else {name: value}
    return value


@compiles(DocumentMatch, "postgresql")
def _match_in_postgresql(element: DocumentMatch, compiler, **kw) -> str:
    document = type_coerce(element.document, JSONB)
    contained = [document.contains(_contained(element.path, v)) for v in element.values]
    return compiler.process(or_(*contained), **kw)


@compiles(DocumentMatch)
def _match_in_sqlite(element: DocumentMatch, compiler, **kw) -> str:
    lists = [index for index, (_, is_list) in enumerate(element.path) if is_list]
    if not lists:
        found = func.json_extract(element.document, _json_path(element.path))
        return compiler.process(found.in_(element.values), **kw)
    head, rest = element.path[: lists[0] + 1], element.path[lists[0] + 1 :]
    entries = func.json_each(element.document, _json_path(head)).table_valued("value", "type")
    entries = entries.alias()
    inner = case(
        (entries.c.type == "object", func.json_extract(entries.c.value, _json_path(rest))),
        else_=entries.c.value if not rest else None,
    )
    held = exists(select(literal(1)).select_from(entries).where(inner.in_(element.values)))
    return compiler.process(held, **kw)


def _json_path(path: tuple[tuple[str, bool], ...]) -> str:
    return "$" + "".join(f'."{name}"' for name, _ in path)


@dataclass(frozen=True)
class Ordering:
    """The columns a page is ordered by, each ascending or descending, the row id last."""

    keys: tuple[tuple[Any, bool], ...]  # (column, descending)

    def order_by(self) -> list:
        return [column.desc() if desc else column.asc() for column, desc in self.keys]

    def after(self, values: tuple) -> ColumnElement[bool]:
        """The rows after the one whose keys are ``values``: one row comparison where every
        key runs the same way (an index range), the expanded form otherwise."""
        directions = {desc for _, desc in self.keys}
        columns = [column for column, _ in self.keys]
        if len(directions) == 1:
            row = tuple_(*columns)
            return row < tuple_(*values) if directions.pop() else row > tuple_(*values)
        alternatives = []
        for index, (column, desc) in enumerate(self.keys):
            equal = [columns[i] == values[i] for i in range(index)]
            beyond = column < values[index] if desc else column > values[index]
            alternatives.append(and_(*equal, beyond))
        return or_(*alternatives)

    def cursor_of(self, row: Any) -> str:
        values = [_plain(getattr(row, column.key)) for column, _ in self.keys]
        raw = json.dumps(values, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def read_cursor(self, cursor: str) -> tuple:
        """The key values a cursor holds; ValueError for one this ordering did not make."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise ValueError("cursor: not a cursor of this list") from None
        if not isinstance(values, list) or len(values) != len(self.keys):
            raise ValueError("cursor: not a cursor of this list (was the sort changed?)")
        return tuple(
            _typed(column, value) for (column, _), value in zip(self.keys, values, strict=True)
        )


def ordering(sort: tuple, default: tuple, row_id: Any) -> Ordering:
    """The page's order: the client's ``sort`` ((column, descending) pairs, by sortable
    attributes) where given, else the list's default; the row id breaks ties, running the way
    the first key does."""
    keys = list(sort or default)
    if not any(column is row_id for column, _ in keys):
        keys.append((row_id, keys[0][1]))
    return Ordering(tuple(keys))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _typed(column: Any, value: Any) -> Any:
    kind = Attribute(column).value_kind
    if value is None:
        return None
    if kind == "datetime" and isinstance(value, str):
        return parse_moment(value)
    if kind == "number" and isinstance(value, str | int | float):
        return Decimal(str(value))
    if not isinstance(value, str | int | float | bool):
        raise ValueError("cursor: not a cursor of this list")
    return value


@dataclass
class PageInfo:
    """What the repository learnt while reading a page, for the edge to tell the client: the
    rows in their order (to make the next page's cursor from the last one shown: a page may go
    out shorter than read, PARLEY_MAX_PAGE_BYTES) and whether the total is exact."""

    total_exact: bool = True
    ordering: Ordering | None = None
    rows: list = field(default_factory=list)
    limit: int = 0

    def cursor_after(self, shown: int) -> str | None:
        """The next page's cursor when ``shown`` rows of this one went out; None at the end."""
        if self.ordering is None or shown == 0:
            return None
        if shown < len(self.rows) or len(self.rows) == self.limit:
            return self.ordering.cursor_of(self.rows[shown - 1])
        return None
