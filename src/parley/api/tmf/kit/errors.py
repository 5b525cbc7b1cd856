"""TMF error shape for every 4xx/5xx Parley answers, including FastAPI's own."""

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    OperationalError,
    StatementError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from parley.api.hrefs import links_of
from parley.api.json_response import JSONResponse
from parley.errors import DomainError

log = structlog.get_logger(__name__)

_REASONS = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Resource not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable entity",
    423: "Locked",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


# A code answers with one reason wherever it is raised (the domain's InvalidInput says so).
_CODE_REASONS = {"INVALID_INPUT": "Invalid input"}


class TMFError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, reason: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or str(status)
        self.reason = reason or _CODE_REASONS.get(self.code) or _REASONS.get(status, "Error")


def error_body(status: int, code: str, reason: str, message: str) -> dict:
    return {
        "@type": "Error",
        "code": code,
        "reason": reason,
        "message": message,
        "status": str(status),
    }


def error_response(status: int, code: str, reason: str, message: str, headers=None):
    return JSONResponse(error_body(status, code, reason, message), status, headers=headers)


def _format_location(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def _problem(error: dict) -> str:
    if error.get("type") == "json_invalid":
        return f"request body is not valid JSON ({error.get('ctx', {}).get('error', 'unreadable')})"
    if tuple(error["loc"]) == ("body",):  # the body as a whole, e.g. a JSON array or nothing
        return (
            "request body is required (a JSON object)"
            if error.get("type") == "missing"
            else "request body must be a JSON object"
        )
    return f"{_format_location(error['loc'])}: {error['msg']}"


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path: Starlette's own ``Allow`` names
    only the first route matching the path (GET /{id}, not DELETE /{id} beside it)."""
    routes = request.app.router.routes
    return [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]


METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TMFError)
    def _tmf(_: Request, exc: TMFError):
        return error_response(exc.status, exc.code, exc.reason, exc.message)

    @app.exception_handler(DomainError)
    def _domain(request: Request, exc: DomainError):
        message = exc.describe(links_of(request))  # with the hrefs of what it names
        wait = getattr(exc, "retry_after", None)  # TooManyRequests
        headers = {"Retry-After": str(wait)} if wait is not None else None
        return error_response(exc.status, exc.code, exc.reason, message, headers)

    @app.exception_handler(RequestValidationError)
    def _validation(_: Request, exc: RequestValidationError):
        problems = [_problem(e) for e in exc.errors()]
        return error_response(400, "INVALID_INPUT", "Invalid input", "; ".join(problems))

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException):
        reason = _REASONS.get(exc.status_code, "Error")
        message = exc.detail if isinstance(exc.detail, str) else reason
        if isinstance(exc.__cause__, RecursionError):  # FastAPI's parsing of a body
            message = "request body: nested too deeply to be read"
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
        return error_response(exc.status_code, str(exc.status_code), reason, message, headers)

    @app.exception_handler(IntegrityError)
    def _integrity(request: Request, exc: IntegrityError):
        # A constraint caught what validation let through, e.g. two concurrent writers.
        log.warning("integrity error", path=request.url.path, error=str(exc.orig))
        return error_response(
            409,
            "CONFLICT",
            "Conflict",
            "The change conflicts with data already stored; nothing was changed",
        )

    @app.exception_handler(DBAPIError)
    def _database(request: Request, exc: DBAPIError):
        if exc.connection_invalidated:
            # The connection was lost (a database restart, a dropped link): the pool has been
            # refreshed, so a retry gets a new one. Nothing of this request was stored.
            log.warning("database connection lost", path=request.url.path)
            return _database_unavailable("The database connection was lost")
        if isinstance(exc, OperationalError):
            # The database refused or could not do the work now (no connection left on the
            # server, a statement or lock timed out, a deadlock): nothing was stored, and a
            # retry may well succeed.
            log.warning("database unavailable", path=request.url.path, error=_said(exc, ""))
            return _database_unavailable("The database cannot answer now")
        if isinstance(exc, DataError):
            # A value the database cannot hold (a NUL in text, a number out of range) that no
            # check caught before: the client's input, refused; nothing was stored.
            problem = _said(exc, "invalid")
            log.warning("value refused by the database", path=request.url.path, error=problem)
            return error_response(
                400, "INVALID_INPUT", "Invalid input", f"a value cannot be stored: {problem}"
            )
        return _unexpected(request, exc)

    @app.exception_handler(PoolTimeout)
    def _no_connection(request: Request, exc: PoolTimeout):
        # Every pooled connection stayed busy for the pool's whole wait.
        log.warning("no database connection free", path=request.url.path)
        return _database_unavailable("No database connection was free in time")

    @app.exception_handler(StatementError)
    def _unbindable(request: Request, exc: StatementError):
        # A value that cannot even be sent to the database (a date that leaves the calendar
        # in UTC, an integer past 64 bits for SQLite): the client's input, refused.
        if isinstance(exc.orig, OverflowError | ValueError):
            log.warning("value refused before the database", path=request.url.path)
            message = f"a value cannot be stored: {str(exc.orig)[:200]}"
            return error_response(400, "INVALID_INPUT", "Invalid input", message)
        return _unexpected(request, exc)

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception):
        # Passed explicitly: the handler runs outside the except block that caught it.
        log.error("unhandled error", path=request.url.path, exc_info=exc)
        return error_response(
            500, "INTERNAL", "Internal server error", "An unexpected error occurred"
        )


def _said(exc: DBAPIError, otherwise: str) -> str:
    """The first line of what the database driver said (``otherwise`` if nothing)."""
    return str(exc.orig).strip().splitlines()[0][:200] if exc.orig else otherwise


def _database_unavailable(what: str) -> JSONResponse:
    return error_response(
        503,
        "DATABASE_UNAVAILABLE",
        "Service unavailable",
        f"{what}; nothing was changed. Retry the request.",
        {"Retry-After": "1"},
    )
