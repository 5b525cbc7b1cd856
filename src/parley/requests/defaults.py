"""The request types a new installation starts with (migration 0010 seeds the same; a test
compares). Administrators change them through troubleTicketSpecification; the classification
rules (reason codes, channels, keywords) are part of each type. A workflow type names the
workflow its requests follow (requests/workflow/defaults; migration 0011 adds the name to
types an older installation seeded). ``adjustment`` became automatic in migration 0013 (Parley
takes it: to billing, or to a supervisor for approval). Migration 0032 adds ``customerRequired``
(false only for ``internal``, which it adds with its workflow)."""

from sqlalchemy.orm import Session

SLA_STANDARD = {"critical": 4, "high": 8, "medium": 24, "low": 72}
SLA_QUICK = {"critical": 1, "high": 1, "medium": 4, "low": 24}
SLA_BILLING = {"critical": 24, "high": 48, "medium": 120, "low": 240}
ALL_MILESTONES = ["received", "inProgress", "delayed", "resolved"]


def _type(
    code,
    name,
    category,
    mode,
    description,
    sla,
    notify,
    reasons=(),
    keywords=(),
    channels=(),
    required=(),
    workflow=None,
    self_service=False,
    customer_required=True,
) -> dict:
    named = {"workflow": workflow} if workflow else {}
    return {
        **named,
        "@type": "TroubleTicketSpecification",
        "code": code,
        "name": name,
        "description": description,
        "lifecycleStatus": "active",
        "category": category,
        "fulfilmentMode": mode,
        "selfService": self_service,
        "customerRequired": customer_required,
        "specCharacteristic": [
            {
                "@type": "CharacteristicSpecification",
                "name": characteristic,
                "valueType": "string",
                "minCardinality": 1,
                "maxCardinality": 1,
            }
            for characteristic in required
        ],
        "slaTarget": [{"priority": p, "hours": hours} for p, hours in sla.items()],
        "notifyOn": list(notify),
        "classification": {
            "reasonCode": list(reasons),
            "channel": list(channels),
            "keyword": list(keywords),
        },
    }


DEFAULT_REQUEST_TYPES: tuple[dict, ...] = (
    _type(
        "contact.change",
        "Change of contact details",
        "account",
        "automatic",
        "A new address, email or phone number for the customer",
        SLA_QUICK,
        ["received", "resolved"],
        ["contact.change"],
        ["change my address", "change my email", "new phone number", "moved house"],
        self_service=True,
    ),
    _type(
        "request.status",
        "Request status enquiry",
        "information",
        "automatic",
        "The customer asks how one of their requests is getting on",
        SLA_QUICK,
        [],
        ["request.status", "order.status"],
        ["status of my request", "where is my"],
    ),
    _type(
        "addon.selection",
        "Add-on or bundle selection",
        "fulfilment",
        "automatic",
        "An add-on or bundle the customer chose; handed to the ordering system",
        SLA_QUICK,
        ["received", "resolved"],
        ["order.new", "plan.change"],
        ["add-on", "addon", "bundle"],
        ["ussd"],
        ["productOffering"],
        self_service=True,
    ),
    _type(
        "fault.repair",
        "Fault repair",
        "assurance",
        "workflow",
        "A service that does not work as it should",
        SLA_STANDARD,
        ALL_MILESTONES,
        ["fault.report", "service.outage"],
        ["no signal", "not working", "outage", "broken", "no internet", "fault"],
        workflow="fault.repair",
        self_service=True,
    ),
    _type(
        "bill.dispute",
        "Bill dispute",
        "billing",
        "workflow",
        "The customer disputes a charge on a bill",
        SLA_BILLING,
        ALL_MILESTONES,
        ["billing.dispute"],
        ["dispute", "overcharged", "charged twice", "wrong bill"],
        required=["billNumber"],
        workflow="bill.dispute",
        self_service=True,
    ),
    _type(
        "adjustment",
        "Monetary adjustment",
        "billing",
        "automatic",
        "A credit to a billing account; above the requester's limit it needs approval",
        SLA_BILLING,
        ["received", "resolved"],
        [],
        ["refund", "credit note", "adjustment"],
        required=["amount", "currency", "billingAccount"],
    ),
    # Asked for on the self-service channels (channels/defaults), or made from a missed call
    # in the call journal (calls/service.py): customer care calls the customer back on the
    # number within the window (migrations 0020 and 0026 add it to an older installation).
    _type(
        "callback",
        "Callback request",
        "information",
        "workflow",
        "The customer asks to be called back on a number within a time window",
        SLA_QUICK,
        [],
        ["callback"],
        ["call me back", "callback"],
        required=["callbackNumber", "callbackWindow"],
        workflow="callback",
        self_service=True,
    ),
    # A ticket that concerns no customer Parley holds: an internal one, a network fault an
    # OSS reports (migration 0032). What nothing else recognises of such tickets comes here
    # (PARLEY_REQUEST_INTERNAL_TYPE), for the technical team to triage.
    _type(
        "internal",
        "Internal or network ticket",
        "assurance",
        "workflow",
        "A ticket about the network or the enterprise itself, not raised for one customer",
        SLA_STANDARD,
        [],
        [],
        ["network", "alarm", "internal"],
        workflow="internal",
        customer_required=False,
    ),
)


def ensure_default_request_types(session: Session) -> None:
    """Add any default type that is missing (the migration seeds them; tests empty tables)."""
    # Imported here: migration 0010 imports this module for its data, not the request domain.
    from parley.requests.catalogue import new_request_type
    from parley.requests.repository import RequestRepository

    repo = RequestRepository(session)
    for document in DEFAULT_REQUEST_TYPES:
        if repo.type_by_code(document["code"]) is None:
            repo.add(new_request_type(document))
