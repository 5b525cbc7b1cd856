"""Put the official TMF schemas into Parley's /docs, so request and response bodies are shown
exactly as the TM Forum defines them."""

from fastapi import FastAPI

from parley.api.tmf.kit.spec import Spec


def body_docs(spec: Spec, request_schema: str | None, response_schema: str, status: int) -> dict:
    """``openapi_extra`` for one operation: its request body and its success response."""
    media = {"application/json": {"schema": {"$ref": f"#/components/schemas/{response_schema}"}}}
    extra: dict = {"responses": {str(status): {"description": "Success", "content": media}}}
    if request_schema:
        content = {"$ref": f"#/components/schemas/{request_schema}"}
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
        pending = list(_refs(document["paths"]))
        while pending:
            name = pending.pop()
            if name in components:
                continue
            source = next((s.schemas[name] for s in specs if name in s.schemas), None)
            if source is None:
                continue
            components[name] = _any_of_where_discriminated(source)
            pending.extend(_refs(source))
        app.openapi_schema = document
        return document

    app.openapi = openapi


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
