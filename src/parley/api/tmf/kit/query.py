"""TMF query conventions: ``fields=``, ``offset``/``limit`` and attribute filters."""

import re
from dataclasses import dataclass, field

from fastapi import Request

from parley.api.tmf.kit.errors import TMFError

ALWAYS_KEPT = ("id", "href", "@type")
RESERVED = {"fields", "offset", "limit", "sort"}
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: "²".isdigit() is True but int("²") fails
MAX_OFFSET = 2**31 - 1
_NAME = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_@]*)*$")


@dataclass
class ListQuery:
    offset: int = 0
    limit: int = 100
    fields: set[str] | None = None
    filters: dict[str, str] = field(default_factory=dict)


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
    request: Request,
    known_fields: set[str],
    filterable: set[str],
    default_limit: int,
    max_limit: int,
) -> ListQuery:
    params = request.query_params
    for name in RESERVED - {"sort"}:
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
        fields=parse_fields(params.get("fields"), known_fields),
    )
    for name in params:
        if name in RESERVED:
            continue
        if name not in filterable:
            allowed = ", ".join(sorted(filterable))
            raise TMFError(
                400,
                f"cannot filter on '{name}'; filterable attributes: {allowed}",
                "INVALID_FILTER",
            )
        values = params.getlist(name)
        if len(values) > 1:
            raise TMFError(400, f"filter '{name}' given more than once", "INVALID_FILTER")
        if "\x00" in values[0]:
            raise TMFError(
                400, f"filter '{name}': NUL characters are not allowed", "INVALID_FILTER"
            )
        query.filters[name] = values[0]
    return query


def select_fields(resource: dict, fields: set[str] | None) -> dict:
    if fields is None:
        return resource
    keep = fields | set(ALWAYS_KEPT)
    return {key: value for key, value in resource.items() if key in keep}
