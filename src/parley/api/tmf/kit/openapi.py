"""Put the official TMF schemas into Parley's /docs, so request and response bodies are shown
exactly as the TM Forum defines them.

The v4 and v5 files define schemas of the same name differently (v4's ``Customer`` and
``RelatedParty`` are not v5's), and /docs has one set of names. An operation names its schema
with its API (``spec_ref``); a name goes to the first API in the order given (the v5 ones first)
and the others of its version, while another version's schema of that name becomes
``<API>_<name>`` (``CustomerManagementV4_Customer``), so each operation shows its own version's
schema."""

from fastapi import FastAPI

from parley.api.tmf.kit.spec import Spec

SCHEMAS = "#/components/schemas/"
TMF = "/tmf-api/"
# Between an API and a schema name in a reference made by ``spec_ref``, until /docs is built:
# no schema name holds it.
_OF = "~"


def spec_ref(spec: Spec, schema_name: str) -> dict:
    """A reference to ``spec``'s own schema ``schema_name``, for an operation's documentation."""
    return {"$ref": f"{SCHEMAS}{spec.origin}{_OF}{schema_name}"}


def body_docs(spec: Spec, request_schema: str | None, response_schema: str, status: int) -> dict:
    """``openapi_extra`` for one operation: its request body and its success response."""
    media = {"application/json": {"schema": spec_ref(spec, response_schema)}}
    extra: dict = {"responses": {str(status): {"description": "Success", "content": media}}}
    if request_schema:
        content = spec_ref(spec, request_schema)
        extra["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": content},
                "application/merge-patch+json": {"schema": content},
            },
        }
    return extra


def install_tmf_schemas(app: FastAPI, specs: list[Spec]) -> None:
    """Add every TMF schema referenced by the generated document to its components."""

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        document = FastAPI.openapi(app)
        components = document.setdefault("components", {}).setdefault("schemas", {})
        _tidy_operations(document["paths"])
        own = set(components)
        served = {_key(ref, None, specs, own) for ref in _refs(document["paths"])}
        wanted = _reachable(served, specs)
        names = _component_names(wanted, served, [spec.origin for spec in specs], own)
        for origin, name in names:  # in claiming order: a shared name is its first's schema
            if names[(origin, name)] not in components:
                named = _named(wanted[(origin, name)], names, origin)
                components[names[(origin, name)]] = _any_of_where_discriminated(named)
        # The TMF APIs first, where readers look for them: the routes are in the order they
        # are matched in, which puts the self-service gateways' webhooks first.
        paths = _named(document["paths"], names, None)
        document["paths"] = dict(sorted(paths.items(), key=lambda p: not p[0].startswith(TMF)))
        app.openapi_schema = document
        return document

    app.openapi = openapi


def _reachable(served: set, specs: list[Spec]) -> dict[tuple[str, str], dict]:
    """The TMF schemas the operations refer to (``served``, each by (API, name)), and those
    they refer to."""
    by_origin: dict[str, Spec] = {}
    for spec in specs:
        by_origin.setdefault(spec.origin, spec)
    wanted: dict[tuple[str, str], dict] = {}
    pending = list(served)
    while pending:
        key = pending.pop()
        if key is None or key in wanted:
            continue
        origin, name = key
        spec = by_origin.get(origin)
        if spec is None or name not in spec.schemas:
            continue
        wanted[key] = spec.schemas[name]
        pending.extend(_within(ref, origin) for ref in _refs(spec.schemas[name]))
    return wanted


def _key(ref: str, origin: str | None, specs: list[Spec], own: set[str]):
    """(API, name) of a reference in an operation: a plain one is to the first API's schema of
    that name, unless it names one of the document's own (e.g. the ``Error`` model)."""
    if _OF in ref:
        return _within(ref, None)
    if ref in own:
        return None
    return next(((spec.origin, ref) for spec in specs if ref in spec.schemas), None)


def _within(ref: str, origin: str | None) -> tuple:
    """(API, name) of a reference made by ``spec_ref``, or of a plain one inside ``origin``'s
    schema (its own API's)."""
    return tuple(ref.split(_OF, 1)) if _OF in ref else (origin, ref)


def _component_names(wanted: dict, served: set, order: list[str], own: set[str]) -> dict:
    """Each (API, name) its component's name, in claiming order: the name itself for the first
    that has it and for the other APIs of its major version (the v5 files share their common
    schemas, nearly alike: one of them stands for all, as the files' own tools do), else
    ``<API>_<name>`` (v4's ``Customer`` beside v5's). First come the schemas operations name
    (an API's own resources: TMF632's ``Individual_FVO``, not the one inside TMF629), then by
    API in ``order``."""
    rank = {origin: index for index, origin in enumerate(dict.fromkeys(order))}

    def claim(key: tuple[str, str]) -> tuple:
        return key not in served, rank.get(key[0], len(rank)), key[1]

    names: dict[tuple[str, str], str] = {}
    holder: dict[str, str] = {}  # a plain name: the major version whose schema has it
    for origin, name in sorted(wanted, key=claim):
        version = _major_version(origin)
        shared = name not in own and holder.setdefault(name, version) == version
        names[(origin, name)] = name if shared else f"{origin}_{name}"
    return names


def _major_version(origin: str) -> str:
    return origin.rsplit("V", 1)[-1]


def _named(node, names: dict, origin: str | None, field: str = ""):
    """``node`` with each reference to a TMF schema made the name of its component: its
    ``$ref``s, and the subtypes a discriminator's mapping names."""
    if isinstance(node, str) and node.startswith(SCHEMAS) and (field == "$ref" or origin):
        key = _within(node[len(SCHEMAS) :], origin)
        # A schema not put into /docs (a subtype only a mapping names) keeps its plain name.
        return f"{SCHEMAS}{names.get(key, key[1])}"
    if isinstance(node, dict):
        return {key: _named(value, names, origin, key) for key, value in node.items()}
    if isinstance(node, list):
        return [_named(value, names, origin) for value in node]
    return node


def _any_of_where_discriminated(node):
    """The schema with each ``oneOf`` that has a ``discriminator`` made an ``anyOf``.

    In the TMF files a ``oneOf`` of subtypes is chosen between by ``@type`` (the discriminator),
    and the subtypes don't exclude one another: a ``PartyRef`` is also a valid ``PartyRoleRef``.
    A JSON Schema validator ignores the discriminator, so every answer holding one of them failed
    "valid under more than one of the schemas listed in 'oneOf'". ``anyOf`` says what the files
    mean to a validator; the discriminator still names the subtype to a reader."""
    if isinstance(node, dict):
        changed = {key: _any_of_where_discriminated(value) for key, value in node.items()}
        if "discriminator" in changed and "oneOf" in changed and "anyOf" not in changed:
            changed["anyOf"] = changed.pop("oneOf")
        return changed
    if isinstance(node, list):
        return [_any_of_where_discriminated(value) for value in node]
    return node


def _refs(node) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


ERROR_RESPONSE = {
    "description": "Bad request: the message names each field in error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _tidy_operations(paths: dict) -> None:
    """Parley answers bad input with 400 in the TMF error shape (never 422), and a TMF body
    schema stands alone (FastAPI adds a generic object schema beside it)."""
    for operations in paths.values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if responses.pop("422", None) is not None:
                responses.setdefault("400", ERROR_RESPONSE)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                schema = media.get("schema", {})
                if "$ref" in schema and len(schema) > 1:
                    media["schema"] = {"$ref": schema["$ref"]}
