"""The error answers every operation of ``/openapi.json`` declares, worked out in one place from
what its route has, so that the description lists each status a route can answer (a client, and
the fuzzing in CI, ``scripts/fuzz``, hold Parley to it) and no route lists them by hand:

==========================================================  ===================================
what the route has                                          it may answer
==========================================================  ===================================
anything (a NUL in the query is refused before any route)   400
a token to present (``require``, ``authenticated``)         401 (with ``WWW-Authenticate``)
a permission to hold (``require``)                          403
a path parameter (an id nothing has, or the caller can't    404
see)
a request body                                              413 (``PARLEY_MAX_BODY_BYTES``)
a write (POST, PUT, PATCH, DELETE) behind a token           409 (a conflict with stored data)
a dependency marked with what it answers (``answers``):     410, 412, 415, 429 (with
If-Match, the media type check, a rate limit, an event      ``Retry-After``) and 503, as marked
store's pruned cursor
==========================================================  ===================================

Each in the TMF error shape, ``#/components/schemas/Error`` (``parley/errors.py`` and
``api/tmf/kit/errors.py`` make it), unless the route declares its own answer for that status
(``/oauth/*`` answer in RFC 6749's shape).
"""

from collections.abc import Callable

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute

from parley.api.security import access_markers, flat_routes

ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}
WRITES = ("POST", "PUT", "PATCH", "DELETE")
DESCRIPTIONS = {
    400: "Bad request: the message names what is wrong (a field, a query parameter, the body)",
    401: "No valid access token: log in at /oauth/token",
    403: "The caller's roles don't grant the permission this needs",
    404: "Nothing with this id, or nothing the caller may see",
    409: "Conflicts with what is stored (a duplicate, a state that does not allow it); "
    "nothing was changed",
    410: "What it names is no longer kept (e.g. an event the store's retention deleted)",
    412: "If-Match names a version that is no longer current; read again and repeat",
    413: "The request body is larger than PARLEY_MAX_BODY_BYTES",
    415: "The body's content type is not one this operation accepts",
    429: "Too many requests: try again after Retry-After seconds; nothing was done",
    503: "Something this needs cannot answer now; nothing was changed, a retry may succeed",
}
HEADERS = {
    401: {
        "WWW-Authenticate": {"description": "The Bearer challenge", "schema": {"type": "string"}}
    },
    429: {
        "Retry-After": {
            "description": "Seconds until the same request may succeed",
            "schema": {"type": "string"},
        }
    },
}


def answers(*statuses: int) -> Callable:
    """Mark a dependency with the error statuses it answers, e.g. ``@answers(429)`` on a rate
    limit: every route that depends on it declares them."""

    def mark(dependency: Callable) -> Callable:
        dependency.error_answers = tuple(statuses)
        return dependency

    return mark


def also_answers(*statuses: int):
    """A route dependency that does nothing but declare statuses its service gives and nothing
    in its dependencies shows (e.g. verification's rate limit, counted inside the domain)."""

    @answers(*statuses)
    async def declared() -> None:
        return None

    return Depends(declared)


def statuses_of(route, method: str, operation: dict) -> set[int]:
    """The error statuses one operation can answer (the table above)."""
    dependant = route.dependant
    markers = access_markers(dependant)
    needs_token = any(marker.needs_token for marker in markers)
    found = {400}
    if needs_token:
        found.add(401)
    if any(marker.permission for marker in markers):
        found.add(403)
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        found.add(404)
    if "requestBody" in operation:
        found.add(413)
    if method in WRITES and needs_token:
        found.add(409)
    found.update(_marked(dependant))
    return found


def _marked(dependant) -> set[int]:
    found = set(getattr(dependant.call, "error_answers", ()))
    for sub in dependant.dependencies:
        found |= _marked(sub)
    return found


def declare_error_answers(app: FastAPI, document: dict) -> dict:
    """Add to every operation of ``document`` (the app's OpenAPI description) the error answers
    its route can give; statuses the route declares itself are kept as they are."""
    paths = document.get("paths", {})
    for route, original in flat_routes(app):
        if not isinstance(original, APIRoute) or not original.include_in_schema:
            continue
        for method in route.methods or ():
            operation = paths.get(route.path, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses_of(route, method, operation)):
                responses.setdefault(str(status), _answer(status))
            operation["responses"] = dict(sorted(responses.items()))
    return document


def _answer(status: int) -> dict:
    answer: dict = {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    }
    if status in HEADERS:
        answer["headers"] = HEADERS[status]
    return answer


def install_error_answers(app: FastAPI) -> None:
    """Declare the error answers in the app's /openapi.json (once, when it is first made)."""
    generate = app.openapi

    def openapi() -> dict:
        if getattr(app.state, "error_answers_declared", False):
            return app.openapi_schema
        document = declare_error_answers(app, generate())
        app.state.error_answers_declared = True
        return document

    app.openapi = openapi
