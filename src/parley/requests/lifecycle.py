"""The life of a request as data: TMF621 statuses, the transitions allowed between them, what
each needs, and the step a customer can expect next. The service reads these tables; no rule
about statuses lives in an if-chain."""

from parley.errors import Conflict

ACKNOWLEDGED, IN_PROGRESS, PENDING, HELD = "acknowledged", "inProgress", "pending", "held"
RESOLVED, CLOSED, CANCELLED, REJECTED = "resolved", "closed", "cancelled", "rejected"
STATUSES = (ACKNOWLEDGED, IN_PROGRESS, PENDING, HELD, RESOLVED, CLOSED, CANCELLED, REJECTED)
FINAL = frozenset({CLOSED, CANCELLED, REJECTED})

# from -> the statuses it may move to. Closed -> inProgress is a reopening (within the window).
TRANSITIONS: dict[str, frozenset[str]] = {
    ACKNOWLEDGED: frozenset({IN_PROGRESS, PENDING, HELD, REJECTED, CANCELLED}),
    IN_PROGRESS: frozenset({PENDING, HELD, RESOLVED, CLOSED, CANCELLED}),
    PENDING: frozenset({IN_PROGRESS, HELD, RESOLVED, CLOSED, CANCELLED}),
    HELD: frozenset({IN_PROGRESS, PENDING, CLOSED, CANCELLED}),
    RESOLVED: frozenset({CLOSED, IN_PROGRESS}),
    CLOSED: frozenset({IN_PROGRESS}),
    CANCELLED: frozenset(),
    REJECTED: frozenset(),
}

# Guards: what a transition needs beyond being in the table (checked by the service).
NEEDS_REASON = frozenset({CANCELLED, REJECTED, HELD})  # into these statuses
NEEDS_OUTCOME = frozenset({CLOSED})  # an outcome and a resolution code
REOPENING = frozenset({(CLOSED, IN_PROGRESS)})  # only within the reopen window

OUTCOMES = ("completed", "unfulfilled")
PRIORITIES = ("critical", "high", "medium", "low")
DEFAULT_PRIORITY = "medium"

# The customer's view of what happens next, per status.
NEXT_STEP: dict[str, str] = {
    ACKNOWLEDGED: "We have received the request; an agent will start working on it.",
    IN_PROGRESS: "We are working on the request.",
    PENDING: "We are waiting for information or an action from you or a third party.",
    HELD: "The request is on hold; we will resume it as soon as we can.",
    RESOLVED: "The request is resolved; it will be closed unless you tell us otherwise.",
    CLOSED: "Nothing: the request is closed. It can be reopened for a while if needed.",
    CANCELLED: "Nothing: the request was cancelled.",
    REJECTED: "Nothing: the request was rejected.",
}


def check_transition(current: str, wanted: str) -> None:
    """Conflict unless the table allows moving from ``current`` to ``wanted``."""
    if wanted not in TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none (final)"
        raise Conflict(f"status: a {current} request cannot become {wanted} (allowed: {allowed})")
