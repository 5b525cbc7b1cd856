"""Telling the customer how their request is getting on, on the milestones its type names.

Each notice is a TMF681 communication message made from the seeded templates
(``request.received``, ``request.progress``, ``request.delayed``), queued through the outbox
in the caller's transaction: it goes out exactly when the request's change is committed. The
channel is the one the customer's preferences and addresses allow (email when they have none:
the message is then kept, failed, with the reason). A template an administrator reworded so
that it needs a variable a request cannot give is logged and skipped: a notice never blocks
the request.
"""

import structlog

from parley.changes import UnitOfWork
from parley.db.base import iso
from parley.errors import InvalidInput
from parley.notifications.messages import CommunicationService
from parley.notifications.preferences import NotDeliverable, PreferenceService
from parley.parties.service import PartyService
from parley.requests.catalogue import notifies_on
from parley.requests.models import CustomerRequest, RequestType

log = structlog.get_logger(__name__)
# Every other milestone: request.progress.
TEMPLATE_OF = {"received": "request.received", "delayed": "request.delayed"}


class RequestNotifier:
    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session

    def milestone(
        self, request: CustomerRequest, request_type: RequestType, milestone: str, message=""
    ) -> str | None:
        """Queue the notice of ``milestone`` if the type's policy names it: the message id."""
        if not notifies_on(request_type, milestone):
            return None
        return self.send(
            request,
            request_type,
            TEMPLATE_OF.get(milestone, "request.progress"),
            milestone,
            message,
        )

    def send(
        self, request: CustomerRequest, request_type: RequestType, kind: str, about: str, message=""
    ) -> str | None:
        """Queue a notice made from the template ``kind`` (a workflow may name any): its id."""
        try:
            channel = PreferenceService(self.uow).delivery(request.customer_id, "service").channel
        except NotDeliverable:
            channel = "email"
        customer = PartyService(self.uow).get_customer(request.customer_id)
        expected = request.expected_resolution_at
        variables = {
            "customerName": customer.name,
            "requestId": request.id,
            "requestType": request_type.name,
            "expectedResolution": iso(expected) if expected else "",
            "status": request.status,
            "message": message,
        }
        document = {
            "@type": "CommunicationMessage",
            "messageType": channel,
            "description": f"request {request.id}: {about}",
            "receiver": [
                {"@type": "Receiver", "party": {"id": customer.id, "@referredType": "Customer"}}
            ],
            "characteristic": [
                {"name": "templateKind", "value": kind},
                {"name": "category", "value": "service"},
                *({"name": k, "value": v} for k, v in variables.items()),
            ],
        }
        try:
            sent = CommunicationService(self.uow).create(document)
        except InvalidInput as problem:
            log.warning("request notice not sent", request=request.id, problem=problem.message)
            return None
        return sent.id
