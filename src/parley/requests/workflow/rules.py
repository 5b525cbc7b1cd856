"""The catalogue of guards and actions a workflow document may use.

Each entry pairs the check run when a workflow is saved (bad parameters are a 400 naming
where) with what it does at run time. Adding a guard or an action is one entry in ``GUARDS``
or ``ACTIONS``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from parley.errors import InvalidInput
from parley.outbound.policy import OutboundPolicy, Refused
from parley.outbox.webhook import check_destination
from parley.requests import lifecycle as lc
from parley.requests.models import MILESTONES


@dataclass(frozen=True)
class Known:
    """What a workflow document may name, as it stands when the document is saved."""

    queues: frozenset[str]
    templates: frozenset[str]
    # Where a call-out may go (PARLEY_OUTBOUND_ALLOW): checked when the workflow is saved.
    outbound: OutboundPolicy = field(default_factory=OutboundPolicy)


@dataclass
class Step:
    """What a guard or an action sees: the request, its type, the event, who acts."""

    engine: object  # the WorkflowEngine running the step
    row: object  # the CustomerRequest
    request_type: object
    event: str
    roles: tuple[str, ...] | None = None  # the acting user's roles, looked up when needed
    extra: dict = field(default_factory=dict)

    def actor_roles(self) -> tuple[str, ...]:
        if self.roles is None:
            self.roles = self.engine.roles_of_actor()
        return self.roles


Check = Callable[[dict, str, Known], None]


@dataclass(frozen=True)
class Guard:
    check: Check
    holds: Callable[[dict, Step], bool]


@dataclass(frozen=True)
class Action:
    check: Check
    run: Callable[[dict, Step], None]


# -- checks shared by the entries -------------------------------------------------------------


def _only(params: dict, where: str, *keys: str) -> None:
    unknown = sorted(set(params) - set(keys))
    if unknown:
        raise InvalidInput(f"{where}: unknown parameter {unknown[0]} (known: {', '.join(keys)})")


def _text(params: dict, key: str, where: str, longest: int, required: bool = True) -> None:
    value = params.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip() or len(value) > longest:
        raise InvalidInput(f"{where}.{key}: a text of 1 to {longest} characters")


def _choices(params: dict, key: str, where: str, allowed) -> None:
    values = params.get(key)
    if not isinstance(values, list) or not values:
        raise InvalidInput(f"{where}.{key}: a non-empty list")
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise InvalidInput(f"{where}.{key}: {wrong[0]!r} is not one of {', '.join(allowed)}")


def _queue(params: dict, key: str, where: str, known: Known, required: bool = True) -> None:
    if params.get(key) is None and not required:
        return
    if params.get(key) not in known.queues:
        raise InvalidInput(
            f"{where}.{key}: no task queue {params.get(key)!r} "
            f"(known: {', '.join(sorted(known.queues)) or 'none'})"
        )


# -- guards -----------------------------------------------------------------------------------


def _no_parameters(params: dict, where: str, known: Known) -> None:
    _only(params, where)


def _check_roles(params, where, known) -> None:
    _only(params, where, "roles")
    values = params.get("roles")
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise InvalidInput(f"{where}.roles: a non-empty list of role names")


def _check_in(allowed) -> Check:
    def check(params, where, known) -> None:
        _only(params, where, "in")
        _choices(params, "in", where, allowed)

    return check


def _check_characteristic(params, where, known) -> None:
    _only(params, where, "name", "in")
    _text(params, "name", where, 100)
    values = params.get("in")
    if not isinstance(values, list) or not values:
        raise InvalidInput(f"{where}.in: a non-empty list of values")


def _characteristic(step: Step, name: str):
    for item in step.row.document.get("troubleTicketCharacteristic") or []:
        if item.get("name") == name:
            return item.get("value")
    return None


GUARDS: dict[str, Guard] = {
    # No task of the current stage is still open or claimed.
    "stageTasksDone": Guard(
        _no_parameters, lambda p, s: not s.engine.unfinished(s.row, s.row.workflow_stage)
    ),
    # No task of the request is still open or claimed.
    "noOpenTasks": Guard(_no_parameters, lambda p, s: not s.engine.unfinished(s.row)),
    "actorRole": Guard(_check_roles, lambda p, s: bool(set(p["roles"]) & set(s.actor_roles()))),
    "priority": Guard(_check_in(lc.PRIORITIES), lambda p, s: s.row.priority in p["in"]),
    "status": Guard(_check_in(lc.STATUSES), lambda p, s: s.row.status in p["in"]),
    "characteristic": Guard(
        _check_characteristic, lambda p, s: _characteristic(s, p["name"]) in p["in"]
    ),
}


# -- actions ----------------------------------------------------------------------------------


def _check_create_task(params, where, known) -> None:
    _only(params, where, "action", "queue", "name", "assignTo")
    _queue(params, "queue", where, known)
    _text(params, "name", where, 200)
    _text(params, "assignTo", where, 150, required=False)


def _check_assign(params, where, known) -> None:
    _only(params, where, "action", "task", "to")
    _text(params, "task", where, 200, required=False)
    _text(params, "to", where, 150)


def _check_notify(params, where, known) -> None:
    _only(params, where, "action", "milestone", "template", "message")
    if ("milestone" in params) == ("template" in params):
        raise InvalidInput(f"{where}: give either a milestone or a template")
    if "milestone" in params and params["milestone"] not in MILESTONES:
        raise InvalidInput(f"{where}.milestone: one of {', '.join(MILESTONES)}")
    if "template" in params and params["template"] not in known.templates:
        raise InvalidInput(f"{where}.template: no message template of kind {params['template']!r}")
    _text(params, "message", where, 1000, required=False)


def _check_set_status(params, where, known) -> None:
    _only(params, where, "action", "status", "reason", "outcome", "resolutionCode")
    status = params.get("status")
    if status not in lc.STATUSES:
        raise InvalidInput(f"{where}.status: one of {', '.join(lc.STATUSES)}")
    _text(params, "reason", where, 400, required=status in lc.NEEDS_REASON)
    if status in lc.NEEDS_OUTCOME:
        if params.get("outcome") not in lc.OUTCOMES:
            raise InvalidInput(f"{where}.outcome: closing needs one of {', '.join(lc.OUTCOMES)}")
        _text(params, "resolutionCode", where, 64)
    elif "outcome" in params or "resolutionCode" in params:
        raise InvalidInput(f"{where}: outcome and resolutionCode are for closing only")


def _check_escalate(params, where, known) -> None:
    _only(params, where, "action", "raisePriority", "queue", "reason")
    if not isinstance(params.get("raisePriority", False), bool):
        raise InvalidInput(f"{where}.raisePriority: true or false")
    if not params.get("raisePriority") and "queue" not in params:
        raise InvalidInput(
            f"{where}: escalate raises the priority, moves tasks to a queue, or both"
        )
    _queue(params, "queue", where, known, required=False)
    _text(params, "reason", where, 400, required=False)


def _check_callout(params, where, known) -> None:
    _only(params, where, "action", "url", "secret", "eventType")
    try:
        check_destination({k: params[k] for k in ("url", "secret") if k in params})
    except InvalidInput as problem:
        raise InvalidInput(f"{where}: {problem.message}") from None
    try:
        known.outbound.check_url(params["url"])
    except Refused as refused:
        raise InvalidInput(f"{where}: url: {refused.reason}") from None
    _text(params, "eventType", where, 100, required=False)


def _check_sla(params, where, known) -> None:
    _only(params, where, "action", "reason")
    _text(params, "reason", where, 200, required=False)


def _sla(pause: bool) -> Callable:
    """Pause or resume the request's SLA clock (requests/sla): waiting on a third party, say."""

    def act(params: dict, step: Step) -> None:
        clocks = step.engine.requests.sla
        reason = params.get("reason") or f"workflow: {step.event}"
        (clocks.pause if pause else clocks.resume)(step.row, reason)

    return act


def _set_status(params: dict, step: Step) -> None:
    step.engine.set_status(
        step.row,
        params["status"],
        params.get("reason") or f"workflow: {step.event}",
        params.get("outcome"),
        params.get("resolutionCode"),
    )


ACTIONS: dict[str, Action] = {
    "createTask": Action(
        _check_create_task,
        lambda p, s: s.engine.create_task(s.row, p["queue"], p["name"], p.get("assignTo")),
    ),
    "assign": Action(_check_assign, lambda p, s: s.engine.assign(s.row, p.get("task"), p["to"])),
    "notify": Action(
        _check_notify,
        lambda p, s: s.engine.notify(
            s.row, s.request_type, p.get("milestone"), p.get("template"), p.get("message")
        ),
    ),
    "setStatus": Action(_check_set_status, _set_status),
    "escalate": Action(
        _check_escalate,
        lambda p, s: s.engine.escalate(
            s.row, s.request_type, p.get("raisePriority", False), p.get("queue"), p.get("reason")
        ),
    ),
    "callout": Action(_check_callout, lambda p, s: s.engine.callout(s.row, p, s.event)),
    "slaPause": Action(_check_sla, _sla(pause=True)),
    "slaResume": Action(_check_sla, _sla(pause=False)),
}
