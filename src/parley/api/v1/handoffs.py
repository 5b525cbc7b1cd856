"""``POST /api/v1/billing/acknowledgements``: the billing system tells Parley how an adjustment
it was handed went (Parley's own JSON; orders are acknowledged on TMF622's listener,
api/tmf/product_ordering). The request waiting for it moves on (requests.handoffs).

Body: ``{"correlationId", "state", "reason"?, "eventId"?, "billingReference"?}``; ``state``
``completed`` closes the request completed, ``rejected`` or ``failed`` closes it unfulfilled
with the reason, ``acknowledged`` and ``inProgress`` are noted. Authenticated with a client's
token (``handoff:acknowledge``) or the billing system's signature (api/callbacks.py); each
event taken once (its ``eventId``, else its bytes): a repeat is answered ``duplicate: true``.
"""

from fastapi import APIRouter, Depends, Request

from parley.api.callbacks import caller_of
from parley.api.deps import RequestWork
from parley.api.error_answers import also_answers
from parley.api.tmf.kit.responses import JSONObject, check_storable
from parley.api.tmf.product_ordering.routes import raw_body
from parley.auth.permissions import HANDOFF_ACKNOWLEDGE
from parley.requests.handoffs.orders import BILLING_STATES, read_billing_callback
from parley.requests.handoffs.receiving import Acknowledgements

BillingSystem = caller_of(HANDOFF_ACKNOWLEDGE, "billing_secret", "billing")
EXAMPLE = {
    "correlationId": "<the correlationId of the adjustment Parley sent>",
    "state": "completed",
    "eventId": "bill-77-1",
    "billingReference": "ADJ-2027-0042",
}


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/billing", tags=["hand-offs"])

    @api.post(
        "/acknowledgements",
        summary="The billing system tells Parley how an adjustment it was handed went",
        dependencies=[also_answers(404)],  # no adjustment was handed over with that id
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _SCHEMA, "example": EXAMPLE}},
            }
        },
    )
    def acknowledge(
        request: Request,
        uow: RequestWork,
        caller: BillingSystem,
        body: JSONObject,
        raw: bytes = Depends(raw_body),
    ):
        check_storable(body)
        content_type = request.headers.get("content-type") or "application/json"
        report = read_billing_callback(body, raw, content_type)
        taken = Acknowledgements(caller.work(uow)).receive(report, caller.name)
        return {
            "correlationId": taken.handoff_id,
            "acknowledgement": taken.acknowledgement_id,
            "duplicate": taken.duplicate,
            "note": taken.note,
        }

    return api


_SCHEMA = {
    "type": "object",
    "required": ["correlationId", "state"],
    "properties": {
        "correlationId": {"type": "string"},
        "state": {"type": "string", "enum": list(BILLING_STATES)},
        "reason": {"type": "string"},
        "eventId": {"type": "string"},
        "billingReference": {"type": "string"},
    },
}
