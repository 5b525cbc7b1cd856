"""A request as TMF621 serves it: the stored document plus what the server keeps in columns
(dates, the status history with who changed it and why)."""

from parley.db.base import iso
from parley.requests.lifecycle import NEXT_STEP
from parley.requests.models import CustomerRequest, RequestStatusChange

REFERENCE = "requestReference"  # the characteristic showing CustomerRequest.reference

# Kept in columns and added when served; what a client sends of them is ignored.
SERVER_FIELDS = (
    "id",
    "href",
    "creationDate",
    "lastUpdate",
    "statusChangeDate",
    "statusChangeReason",
    "statusChangeHistory",
    "expectedResolutionDate",
    "resolutionDate",
)


def present(row: CustomerRequest, history: list[RequestStatusChange]) -> dict:
    body = {**row.document, "status": row.status, "priority": row.priority}
    # The reference the customer is told, as a characteristic (as a customer's number is):
    # added when served, never stored in the document; what a client sends of it is dropped.
    body["troubleTicketCharacteristic"] = [
        {"@type": "StringCharacteristic", "name": REFERENCE, "value": row.reference},
        *(row.document.get("troubleTicketCharacteristic") or []),
    ]
    body["creationDate"] = iso(row.created_at)
    body["lastUpdate"] = iso(row.updated_at)
    body["statusChangeDate"] = iso(row.status_changed_at)
    if history and history[-1].reason:
        body["statusChangeReason"] = history[-1].reason
    body["statusChangeHistory"] = [status_change(change) for change in history]
    if row.expected_resolution_at:
        body["expectedResolutionDate"] = iso(row.expected_resolution_at)
    if row.resolved_at:
        body["resolutionDate"] = iso(row.resolved_at)
    return body


def status_change(change: RequestStatusChange) -> dict:
    entry = {
        "@type": "StatusChange",
        "status": change.status,
        "statusChangeDate": iso(change.changed_at),
        "changedBy": change.actor,
    }
    if change.reason:
        entry["statusChangeReason"] = change.reason
    return entry


def status_view(row: CustomerRequest, history: list[RequestStatusChange]) -> dict:
    """Provide Request Status: where it stands, how it got there, what comes next."""
    return {
        "id": row.id,
        "reference": row.reference,
        "status": row.status,
        "ticketType": row.document.get("ticketType"),
        "priority": row.priority,
        "expectedResolutionDate": iso(row.expected_resolution_at)
        if row.expected_resolution_at
        else None,
        "nextExpectedStep": NEXT_STEP[row.status],
        "outcome": row.outcome,
        "resolutionCode": row.resolution_code,
        "statusChangeHistory": [status_change(change) for change in history],
    }
