"""Domain errors raised by services; each edge maps them to its own error shape."""


class DomainError(Exception):
    status = 400
    code = "BAD_REQUEST"
    reason = "Bad request"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def describe(self, links) -> str:
        """The message as an edge answers it, with the links (``parley.links.Links``) of what
        it names; most messages name nothing linked."""
        return self.message


class InvalidInput(DomainError):
    status = 400
    code = "INVALID_INPUT"
    reason = "Invalid input"


class NotFound(DomainError):
    status = 404
    code = "NOT_FOUND"
    reason = "Resource not found"


class Conflict(DomainError):
    status = 409
    code = "CONFLICT"
    reason = "Conflict with the current state of the resource"


class Locked(DomainError):
    status = 423
    code = "LOCKED"
    reason = "Temporarily locked"


class Unauthorized(DomainError):
    """No valid credentials: a missing, expired, revoked or badly signed token, or a bad log-in."""

    status = 401
    code = "UNAUTHORIZED"
    reason = "Unauthorized"


class Forbidden(DomainError):
    """Valid credentials whose roles don't grant what was asked."""

    status = 403
    code = "FORBIDDEN"
    reason = "Forbidden"


class PreconditionFailed(DomainError):
    """An If-Match that no longer matches: someone changed the resource since it was read."""

    status = 412
    code = "PRECONDITION_FAILED"
    reason = "Precondition failed"


class Unavailable(DomainError):
    """Something Parley needs for the answer cannot serve it now (e.g. every template renderer
    is busy): nothing was changed, and the same request may succeed when retried."""

    status = 503
    code = "SERVICE_UNAVAILABLE"
    reason = "Service unavailable"
