"""Domain errors raised by services; each edge maps them to its own error shape."""


class DomainError(Exception):
    status = 400
    code = "BAD_REQUEST"
    reason = "Bad request"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


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
