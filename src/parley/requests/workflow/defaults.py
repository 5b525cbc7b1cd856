"""The task queues and workflows a new installation starts with (migration 0011 seeds the same;
a test compares). Request types name their workflow by code (``workflow`` in requests/defaults).

``fault.repair`` takes three tasks, one stage each: diagnose, repair, confirm with the
customer; when the last is done the request resolves and closes completed by itself.
"""

from sqlalchemy.orm import Session

STAFF = ["agent", "supervisor"]
DEFAULT_QUEUES: tuple[dict, ...] = (
    {"code": "technical", "name": "Technical support", "roles": STAFF},
    {"code": "field", "name": "Field engineering", "roles": STAFF},
    {"code": "billing", "name": "Billing", "roles": STAFF},
    {"code": "customer-care", "name": "Customer care", "roles": STAFF},
    {"code": "escalations", "name": "Escalations", "roles": ["supervisor"]},
)


def _task(queue: str, name: str) -> dict:
    return {"action": "createTask", "queue": queue, "name": name}


def _next_when_done(source: str, target: str) -> dict:
    return {
        "from": source,
        "on": "task.completed",
        "when": [{"guard": "stageTasksDone"}],
        "to": target,
    }


# What every default workflow does beside its own stages. A warning changes nothing by default
# (the watch notes it on the request for the agents); the customer hears of a delay when the
# target is missed (the type's notifyOn, sent by the watch), when the request is escalated.
_COMMON_TRANSITIONS = [
    {
        "from": "*",
        "on": "customer.replied",
        "when": [{"guard": "status", "in": ["pending"]}],
        "do": [{"action": "setStatus", "status": "inProgress", "reason": "the customer replied"}],
    },
    {
        "from": "*",
        "on": "sla.breach",
        "do": [
            {
                "action": "escalate",
                "raisePriority": True,
                "queue": "escalations",
                "reason": "resolution target missed",
            }
        ],
    },
]


def _closing(reason: str, resolution_code: str) -> list[dict]:
    return [
        {"action": "setStatus", "status": "resolved", "reason": reason},
        {
            "action": "setStatus",
            "status": "closed",
            "reason": reason,
            "outcome": "completed",
            "resolutionCode": resolution_code,
        },
    ]


DEFAULT_WORKFLOWS: tuple[dict, ...] = (
    {
        "code": "fault.repair",
        "name": "Fault repair",
        "description": "Diagnose, repair, confirm with the customer; then resolve and close",
        "status": "active",
        "initialStage": "diagnose",
        "stages": [
            {
                "code": "diagnose",
                "name": "Diagnosis",
                "nextStep": "A technician diagnoses the fault.",
                "onEnter": [
                    {"action": "setStatus", "status": "inProgress", "reason": "diagnosis started"},
                    _task("technical", "Diagnose the fault"),
                ],
            },
            {
                "code": "repair",
                "name": "Repair",
                "nextStep": "An engineer repairs the fault.",
                "onEnter": [_task("field", "Repair the fault")],
            },
            {
                "code": "confirm",
                "name": "Confirmation",
                "nextStep": "We check with you that the service works again.",
                "onEnter": [_task("customer-care", "Confirm the repair with the customer")],
            },
            {
                "code": "done",
                "name": "Done",
                "final": True,
                "onEnter": _closing("repaired and confirmed", "repaired"),
            },
        ],
        "transitions": [
            _next_when_done("diagnose", "repair"),
            _next_when_done("repair", "confirm"),
            _next_when_done("confirm", "done"),
            {"from": "done", "on": "request.reopened", "to": "diagnose"},
            *_COMMON_TRANSITIONS,
        ],
    },
    {
        "code": "bill.dispute",
        "name": "Bill dispute",
        "description": "Billing reviews the disputed charge, customer care tells the customer",
        "status": "active",
        "initialStage": "review",
        "stages": [
            {
                "code": "review",
                "name": "Review",
                "nextStep": "Our billing team reviews the disputed charge.",
                "onEnter": [
                    {"action": "setStatus", "status": "inProgress", "reason": "review started"},
                    _task("billing", "Review the disputed charge"),
                ],
            },
            {
                "code": "inform",
                "name": "Answer",
                "nextStep": "We tell you the outcome of the review.",
                "onEnter": [_task("customer-care", "Tell the customer the outcome")],
            },
            {
                "code": "done",
                "name": "Done",
                "final": True,
                "onEnter": _closing("dispute reviewed and answered", "dispute.answered"),
            },
        ],
        "transitions": [
            _next_when_done("review", "inform"),
            _next_when_done("inform", "done"),
            {"from": "done", "on": "request.reopened", "to": "review"},
            *_COMMON_TRANSITIONS,
        ],
    },
    {
        "code": "callback",
        "name": "Callback",
        "description": "Customer care calls the customer back within the chosen window",
        "status": "active",
        "initialStage": "call",
        "stages": [
            {
                "code": "call",
                "name": "Call back",
                "nextStep": "We call you back within the time you chose.",
                "onEnter": [
                    {"action": "setStatus", "status": "inProgress", "reason": "callback queued"},
                    _task("customer-care", "Call the customer back"),
                ],
            },
            {
                "code": "done",
                "name": "Done",
                "final": True,
                "onEnter": _closing("called back", "called.back"),
            },
        ],
        "transitions": [
            _next_when_done("call", "done"),
            {"from": "done", "on": "request.reopened", "to": "call"},
            *_COMMON_TRANSITIONS,
        ],
    },
    {
        "code": "internal",
        "name": "Internal or network ticket",
        "description": "The technical team triages and handles a ticket raised for no customer",
        "status": "active",
        "initialStage": "triage",
        "stages": [
            {
                "code": "triage",
                "name": "Triage",
                "nextStep": "The technical team looks into it.",
                "onEnter": [
                    {"action": "setStatus", "status": "inProgress", "reason": "triage started"},
                    _task("technical", "Triage and handle the ticket"),
                ],
            },
            {
                "code": "done",
                "name": "Done",
                "final": True,
                "onEnter": _closing("handled by the technical team", "handled"),
            },
        ],
        "transitions": [
            _next_when_done("triage", "done"),
            {"from": "done", "on": "request.reopened", "to": "triage"},
            *_COMMON_TRANSITIONS,
        ],
    },
)


def ensure_default_workflows(session: Session) -> None:
    """Add any default queue or workflow that is missing (the migration seeds them; tests
    empty the tables)."""
    # Imported here: migration 0011 imports this module for its data, not the request domain.
    from parley.requests.workflow.admin import new_queue, new_workflow
    from parley.requests.workflow.repository import WorkflowRepository

    repo = WorkflowRepository(session)
    for document in DEFAULT_QUEUES:
        if repo.queue_by_code(document["code"]) is None:
            repo.add(new_queue(document))
    for document in DEFAULT_WORKFLOWS:
        if repo.workflow_by_code(document["code"]) is None:
            repo.add(new_workflow(document))
