"""TMF622's client listener (``/tmf-api/productOrderingManagement/v5/listener/...``): the
ordering system posts the events of the orders Parley handed it, and the request waiting for
an order moves on (requests.handoffs). Two of the spec's listener operations are served:

- ``POST .../listener/productOrderStateChangeEvent``: the order's ``state`` changed
  (completed, rejected, failed, cancelled end the request's wait);
- ``POST .../listener/productOrderAttributeValueChangeEvent``: read the same way (the order's
  id learned, a state it carries applied).

The body is checked against the official file's event schema (400 naming what is wrong), the
caller authenticated (a client token with ``handoff:acknowledge``, or the ordering system's
signature: api/callbacks.py), the order found by the correlation id Parley gave it (else its
id; 404 when neither names one), the event stored as received and then applied. The answer is
the spec's: 204, also for a repeat of an event taken before (it changes nothing).
"""

from functools import cache

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from parley.api.callbacks import caller_of
from parley.api.deps import RequestWork
from parley.api.error_answers import also_answers
from parley.api.tmf.kit.errors import TMFError
from parley.api.tmf.kit.responses import JSONObject, check_storable
from parley.api.tmf.kit.spec import Spec, SpecViolation, load_spec
from parley.auth.permissions import HANDOFF_ACKNOWLEDGE
from parley.requests.handoffs.orders import read_order_event
from parley.requests.handoffs.receiving import Acknowledgements

SPEC_FILE = "TMF622-ProductOrdering-v5.0.0.oas.yaml"
EVENTS = {
    "productOrderStateChangeEvent": "ProductOrderStateChangeEvent",
    "productOrderAttributeValueChangeEvent": "ProductOrderAttributeValueChangeEvent",
}
OrderingSystem = caller_of(HANDOFF_ACKNOWLEDGE, "ordering_secret", "ordering")


@cache
def product_ordering_spec() -> Spec:
    return load_spec(SPEC_FILE)


async def raw_body(request: Request) -> bytes:
    """The bytes as received (cached by the request: the JSON was read from the same)."""
    return await request.body()


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/listener", tags=["TMF622 Product Ordering: listener"])
    for operation, schema in EVENTS.items():
        api.add_api_route(
            f"/{operation}",
            _listener(operation, schema),
            methods=["POST"],
            status_code=204,
            name=operation,
            summary=f"The ordering system tells Parley of a {schema} of an order it was handed",
            # A valid event about an order Parley never handed over: 404.
            dependencies=[also_answers(404)],
            response_class=Response,
            openapi_extra=_body_docs(schema),
        )
    return api


def _listener(operation: str, schema: str):
    def listen(
        request: Request,
        uow: RequestWork,
        caller: OrderingSystem,
        body: JSONObject,
        raw: bytes = Depends(raw_body),
    ) -> Response:
        check_storable(body)
        if body.get("@type", schema) != schema:
            raise TMFError(400, f"@type: {schema} is expected here", "INVALID_INPUT")
        try:
            event = product_ordering_spec().validate(body, schema)
        except SpecViolation as violation:
            raise TMFError(400, "; ".join(violation.problems[:10]), "INVALID_INPUT") from None
        content_type = request.headers.get("content-type") or "application/json"
        report = read_order_event(event, operation, raw, content_type)
        Acknowledgements(caller.work(uow)).receive(report, caller.name)
        return Response(status_code=204)

    listen.__name__ = operation
    return listen


def _body_docs(schema: str) -> dict:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {
                        "@type": schema,
                        "eventId": "7c1a",
                        "eventType": schema,
                        "eventTime": "2027-03-01T10:00:00Z",
                        "correlationId": "<the correlationId Parley gave the order>",
                        "event": {
                            "productOrder": {
                                "@type": "ProductOrder",
                                "id": "PO-1001",
                                "state": "completed",
                            }
                        },
                    },
                }
            },
            "description": f"A TMF622 v5 {schema} ({SPEC_FILE}); sign it with "
            "X-Parley-Signature or send a client's Bearer token",
        },
        "responses": {"204": {"description": "Taken (a repeat of an event: taken before)"}},
    }
