"""TMF query conventions: ``fields=``, ``offset``/``limit`` or ``cursor``, attribute filters
with their operators (``creationDate.gte=…``, ``status=a,b``) and ``sort`` (docs/api.md)."""

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from parley.api.tmf.kit.errors import TMFError
from parley.db.listing import COMPARISONS, OPERATORS, Criterion, parse_value

if TYPE_CHECKING:
    from parley.api.tmf.kit.resource import Resource

ALWAYS_KEPT = ("id", "href", "@type")
RESERVED = {"fields", "offset", "limit", "sort", "cursor"}
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: "²".isdigit() is True but int("²") fails
MAX_OFFSET = 2**31 - 1
MAX_VALUES = 100  # of one "in" list (status=a,b,c)
MAX_CURSOR = 1_000
_NAME = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_@]*)*$")


@dataclass
class ListQuery:
    offset: int = 0
    limit: int = 100
    fields: set[str] | None = None
    criteria: list[Criterion] = field(default_factory=list)
    sort: list[tuple[Any, bool]] = field(default_factory=list)
    cursor: str | None = None


def parse_fields(raw: str | None, known: set[str]) -> set[str] | None:
    if raw is None:
        return None
    names = [name.strip() for name in raw.split(",")]
    if not raw.strip() or any(not name for name in names):
        raise TMFError(
            400, "fields must be a comma-separated list of attribute names", "INVALID_FIELDS"
        )
    for name in names:
        top = name.split(".", 1)[0]
        if not _NAME.match(name) or top not in known:
            raise TMFError(400, f"fields: unknown attribute '{name}'", "INVALID_FIELDS")
    return {name.split(".", 1)[0] for name in names}


def _non_negative_int(raw: str | None, name: str, default: int) -> int:
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw):
        raise TMFError(400, f"{name} must be a non-negative integer", "INVALID_PAGING")
    return int(raw.lstrip("0")[:19] or "0")  # past 19 digits it is out of range anyway


def parse_list_query(
    request: Request, resource: "Resource", default_limit: int, max_limit: int
) -> ListQuery:
    params = request.query_params
    for name in RESERVED:
        if len(params.getlist(name)) > 1:
            raise TMFError(400, f"{name} may be given only once", "INVALID_QUERY")
    limit = _non_negative_int(params.get("limit"), "limit", default_limit)
    if limit < 1 or limit > max_limit:
        raise TMFError(400, f"limit must be between 1 and {max_limit}", "INVALID_PAGING")
    offset = _non_negative_int(params.get("offset"), "offset", 0)
    if offset > MAX_OFFSET:
        raise TMFError(400, f"offset must be at most {MAX_OFFSET}", "INVALID_PAGING")
    query = ListQuery(
        offset=offset,
        limit=limit,
        fields=parse_fields(params.get("fields"), resource.known_fields),
        sort=parse_sort(params.get("sort"), resource.sortable),
        cursor=_cursor(params, resource),
    )
    for name in params:
        if name not in RESERVED:
            query.criteria.append(_criterion(name, params.getlist(name), resource))
    return query


def _cursor(params, resource: "Resource") -> str | None:
    cursor = params.get("cursor")
    if cursor is None:
        return None
    if not resource.pages_by_cursor:
        raise TMFError(400, "cursor: this list pages by offset only", "INVALID_PAGING")
    if params.get("offset") is not None:
        raise TMFError(400, "give either offset or cursor, not both", "INVALID_PAGING")
    if not cursor or len(cursor) > MAX_CURSOR or "\x00" in cursor:
        raise TMFError(400, "cursor: not a cursor of this list", "INVALID_PAGING")
    return cursor


def parse_sort(raw: str | None, sortable: dict[str, Any]) -> list[tuple[Any, bool]]:
    """``sort=-creationDate,name``: (column, descending) pairs, by sortable attributes only."""
    if raw is None:
        return []
    keys, seen = [], set()
    for item in raw.split(","):
        item = item.strip()
        descending = item.startswith("-")
        name = item.lstrip("+-")
        if name not in sortable or name in seen:
            allowed = ", ".join(sorted(sortable)) or "none (this list has one order)"
            raise TMFError(
                400, f"cannot sort by '{item}'; sortable attributes: {allowed}", "INVALID_SORT"
            )
        seen.add(name)
        keys.append((sortable[name], descending))
    return keys


def _criterion(name: str, given: list[str], resource: "Resource") -> Criterion:
    base, op = name, "eq"
    head, _, last = name.rpartition(".")
    if last in OPERATORS and head and resource.filter_of(head) is not None:
        base, op = head, last
    found = resource.filter_of(base)
    if found is None:
        allowed = ", ".join(sorted(resource.filterable))
        raise TMFError(
            400,
            f"cannot filter on '{name}'; filterable attributes: {allowed} "
            "(and the paths the spec names in them)",
            "INVALID_FILTER",
        )
    if len(given) > 1:
        raise TMFError(400, f"filter '{name}' given more than once", "INVALID_FILTER")
    raw = given[0]
    if "\x00" in raw:
        raise TMFError(400, f"filter '{name}': NUL characters are not allowed", "INVALID_FILTER")
    kind = found.attribute.value_kind
    if op in COMPARISONS and (found.attribute.column is None or kind == "text"):
        raise TMFError(
            400,
            f"filter '{name}': '{base}' can't be compared, only matched (=, or a comma list)",
            "INVALID_FILTER",
        )
    texts = [raw] if op in COMPARISONS else raw.split(",")
    if len(texts) > MAX_VALUES:
        raise TMFError(400, f"filter '{name}': at most {MAX_VALUES} values", "INVALID_FILTER")
    try:
        parsed = tuple(parse_value(kind, text) for text in texts)
    except ValueError as problem:
        raise TMFError(400, f"filter '{name}': {problem}", "INVALID_FILTER") from None
    # Values kept in the document are compared as the text they are stored as.
    values = parsed if found.attribute.column is not None else tuple(texts)
    return Criterion(base, op, values, found.path)


def select_fields(resource: dict, fields: set[str] | None) -> dict:
    if fields is None:
        return resource
    keep = fields | set(ALWAYS_KEPT)
    return {key: value for key, value in resource.items() if key in keep}
