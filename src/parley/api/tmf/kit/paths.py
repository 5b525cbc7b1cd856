"""The attributes of a resource a list may filter on, as its spec names them: top-level
scalars and dotted paths to a scalar inside its objects and lists (``relatedParty.role``,
``relatedChannel.channel.id``), each with the kind of its values.

A path steps through ``$ref``s, ``allOf`` chains and every ``oneOf`` alternative (a v5
``partyOrPartyRole`` may be any of its references), and at most one list: deeper lists are
not offered (SQLite's JSON functions would need one join per list).
"""

from functools import cache

from parley.api.tmf.kit.spec import Spec, _ref_name

SCALARS = ("string", "boolean", "number", "integer")
MAX_DEPTH = 4


def kind_of(schema: dict) -> str:
    """The kind of a scalar's values as the list filters read them (db.listing.KINDS)."""
    if schema.get("type") in ("number", "integer"):
        return "number"
    if schema.get("type") == "boolean":
        return "boolean"
    if schema.get("format") == "date-time":
        return "datetime"
    return "text"


def scalar_kinds(spec: Spec, schema_name: str) -> dict[str, str]:
    """Top-level scalar attributes and their kinds."""
    kinds = {}
    for name, schema in _properties(spec, spec.schemas[schema_name], 0).items():
        schema = _resolved(spec, schema)
        if schema.get("type") in SCALARS:
            kinds[name] = kind_of(schema)
    return kinds


@cache  # specs live as long as the process; the paths asked of them are few
def document_path(spec: Spec, schema_name: str, dotted: str):
    """((step, is_list), ...) and the kind of the scalar ``dotted`` names, or None when the
    spec names no such scalar (or it lies past a second list)."""
    schema: dict = spec.schemas[schema_name]
    steps, lists = [], 0
    for name in dotted.split("."):
        found = _properties(spec, schema, 0).get(name)
        if found is None:
            return None
        found = _resolved(spec, found)
        is_list = found.get("type") == "array"
        if is_list:
            lists += 1
            found = _resolved(spec, found.get("items", {}))
        steps.append((name, is_list))
        schema = found
    if lists > 1 or not _is_scalar(spec, schema) or steps[-1][1]:
        return None
    return tuple(steps), kind_of(schema)


def _is_scalar(spec: Spec, schema: dict) -> bool:
    return schema.get("type") in SCALARS and not _properties(spec, schema, 0)


def _resolved(spec: Spec, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec.schemas[_ref_name(schema["$ref"])]
    return schema


def _properties(spec: Spec, schema: dict, depth: int) -> dict[str, dict]:
    """The properties of an object schema, through its allOf chain and oneOf alternatives."""
    if depth > MAX_DEPTH * 4:
        return {}
    schema = _resolved(spec, schema)
    found = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []) + schema.get("oneOf", []) + schema.get("anyOf", []):
        for name, value in _properties(spec, part, depth + 1).items():
            found.setdefault(name, value)
    return found
