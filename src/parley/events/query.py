"""A hub subscription's ``query``: which of an API's events a subscriber gets.

``&``-separated conditions ``name=value``, all of which must hold:

- ``eventType=CustomerCreateEvent,CustomerDeleteEvent``: one of the listed event types;
- a dotted path into the event envelope, e.g. ``event.customer.status=active``: the value
  there, as text (``true``/``false`` for booleans). Where the path meets a list, any element
  may match (``event.customer.relatedParty.role=owner``). Several values: ``a,b``.

Values may be percent-encoded (``%26`` for ``&``, ``%2C`` for a comma in a value). No query:
every event of the API.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote

from parley.errors import InvalidInput
from parley.events.models import MAX_QUERY_LENGTH

_NAME = re.compile(r"^[A-Za-z@][A-Za-z0-9_@]*(\.[A-Za-z@][A-Za-z0-9_@]*)*$")
EVENT_TYPE = "eventType"


@dataclass(frozen=True)
class Condition:
    path: tuple[str, ...]
    values: frozenset[str]


def parse_query(query: str | None, event_types: set[str] | None = None) -> list[Condition]:
    """The conditions of ``query``; InvalidInput (400) naming the first bad part.

    ``event_types``: those the API can deliver; an ``eventType`` outside them is refused
    (it would silently match nothing)."""
    if query is None or not query.strip():
        return []
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"query: at most {MAX_QUERY_LENGTH} characters", "query")
    conditions = []
    for part in query.strip().split("&"):
        name, equals, raw = part.partition("=")
        name = name.strip()
        if not equals or not _NAME.match(name):
            raise InvalidInput(
                f"query: {part!r} is not a condition name=value "
                "(e.g. eventType=CustomerCreateEvent or event.customer.status=active)",
                "query",
            )
        values = frozenset(unquote(value.strip()) for value in raw.split(","))
        if "" in values:
            raise InvalidInput(f"query: {part!r} has an empty value", "query")
        if name == EVENT_TYPE and event_types is not None and not values <= event_types:
            unknown = sorted(values - event_types)[0]
            raise InvalidInput(
                f"query: this API sends no {unknown}; it sends {', '.join(sorted(event_types))}",
                "query",
            )
        conditions.append(Condition(tuple(name.split(".")), values))
    return conditions


def matches(conditions: list[Condition], envelope: dict) -> bool:
    return all(_holds(condition, envelope) for condition in conditions)


def _holds(condition: Condition, envelope: dict) -> bool:
    return any(_text(found) in condition.values for found in _found(envelope, condition.path))


def _found(value, path: tuple[str, ...]):
    if isinstance(value, list):
        for element in value:
            yield from _found(element, path)
    elif not path:
        yield value
    elif isinstance(value, dict) and path[0] in value:
        yield from _found(value[path[0]], path[1:])


def _text(value) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None  # an object or null matches no value
