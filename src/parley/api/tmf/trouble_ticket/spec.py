"""TMF621 Trouble Ticket v5 as Parley speaks it: the published spec plus the documented
extensions of a troubleTicketSpecification (the request type's code, category, fulfilment
mode, SLA targets, notification policy, classification rules, whether customers may raise it
themselves, how long it waits for a hand-off's acknowledgement and whether its requests need
a customer) and of a StatusChange (who made it). Built once; the app's /docs and the routers
use the same."""

from functools import cache

import yaml

from parley.api.tmf.kit.spec import SPEC_DIR, Spec
from parley.requests.catalogue import LONGEST_HANDOFF_WAIT
from parley.requests.lifecycle import PRIORITIES
from parley.requests.models import CATEGORIES, FULFILMENT_MODES, MILESTONES, TYPE_STATUSES

SPEC_FILE = "TMF621-TroubleTicket-v5.0.1.oas.yaml"
TEXTS = {"type": "array", "items": {"type": "string"}}
TYPE_EXTENSION = {
    "code": {"type": "string", "description": "Parley: the type's stable code, e.g. fault.repair"},
    "category": {"type": "string", "enum": list(CATEGORIES)},
    "fulfilmentMode": {"type": "string", "enum": list(FULFILMENT_MODES)},
    "slaTarget": {
        "type": "array",
        "description": "Parley: hours to resolve, one target per priority",
        "items": {"$ref": "#/components/schemas/SlaTarget"},
    },
    "slaWarningPercent": {
        "type": "integer",
        "minimum": 1,
        "maximum": 99,
        "description": "Parley: the share of the SLA target after which the warning is "
        "raised (default PARLEY_SLA_WARNING_PERCENT)",
    },
    "notifyOn": {
        "type": "array",
        "description": "Parley: the milestones on which the customer is notified",
        "items": {"type": "string", "enum": list(MILESTONES)},
    },
    "classification": {"$ref": "#/components/schemas/ClassificationRule"},
    "workflow": {
        "type": "string",
        "description": "Parley: code of the workflow a request of a workflow type follows",
    },
    "selfService": {
        "type": "boolean",
        "description": "Parley: customers may raise requests of this type themselves (the "
        "portal, this API with a customer log-in); default false",
    },
    "handoffTimeLimitMinutes": {
        "type": "integer",
        "minimum": 1,
        "maximum": LONGEST_HANDOFF_WAIT,
        "description": "Parley: how long a request of the type waits for the ordering or "
        "billing system to acknowledge what it was handed before an agent gets a task to "
        "chase it (default PARLEY_HANDOFF_TIME_LIMIT_MINUTES)",
    },
    "customerRequired": {
        "type": "boolean",
        "description": "Parley: a request of this type names a customer Parley holds; false: "
        "it may have none (an internal or network ticket; workflow types only); default true",
    },
}
EXTRA_SCHEMAS = {
    "SlaTarget": {
        "type": "object",
        "properties": {
            "priority": {"type": "string", "enum": list(PRIORITIES)},
            "hours": {"type": "number"},
        },
        "required": ["priority", "hours"],
    },
    "ClassificationRule": {
        "type": "object",
        "description": "Parley: what recognises a request of this type",
        "properties": {"reasonCode": TEXTS, "channel": TEXTS, "keyword": TEXTS},
    },
}


@cache
def trouble_ticket_spec() -> Spec:
    with open(SPEC_DIR / SPEC_FILE, encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    schemas = document["components"]["schemas"]
    schemas.update(EXTRA_SCHEMAS)
    for name in ("TroubleTicketSpecification", "TroubleTicketSpecification_MVO"):
        schemas[name]["allOf"].append({"type": "object", "properties": TYPE_EXTENSION})
    schemas["TroubleTicketSpecification_FVO"]["allOf"].append(
        {
            "type": "object",
            "properties": TYPE_EXTENSION,
            "required": ["code", "category", "fulfilmentMode", "slaTarget"],
        }
    )
    lifecycle = {"type": "string", "enum": list(TYPE_STATUSES)}
    for name in ("TroubleTicketSpecification_FVO", "TroubleTicketSpecification_MVO"):
        schemas[name]["allOf"][1]["properties"]["lifecycleStatus"] = lifecycle
    changed_by = {"changedBy": {"type": "string", "description": "Parley: who changed it"}}
    schemas["StatusChange"]["allOf"].append({"type": "object", "properties": changed_by})
    return Spec(document)
