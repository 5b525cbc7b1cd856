"""Telling the customer how their request is getting on, on the milestones its type names.

Each notice is a TMF681 communication message made from the seeded templates
(``request.received``, ``request.progress``, ``request.delayed``), queued through the outbox
in the caller's transaction: it goes out exactly when the request's change is committed. The
channel is the one the customer's preferences and addresses allow (email when they have none:
the message is then kept, failed, with the reason). A template an administrator reworded so
that it needs a variable a request cannot give is logged and skipped: a notice never blocks
the request.

The notice is worded for the customer, in the language of the template chosen for them (their
preferred language if there is a template in it) and in their time zone: the request's
reference, not its id; the type's name; the status in words; the expected resolution as a local
date and time. The variables a template may use:

``customerName``, ``reference`` (R-4821-77349), ``requestType`` (the type's name), ``status``
(in words: "in progress"), ``expectedResolution`` ("December 8, 2026, 2:30 PM UTC", or empty),
``message``; and for templates worded before these, ``requestId`` (the id) and ``statusCode``
(``inProgress``).
"""

import structlog

from parley.changes import UnitOfWork
from parley.errors import InvalidInput
from parley.notifications.messages import CommunicationService
from parley.notifications.preferences import NotDeliverable, PreferenceService
from parley.notifications.templates import TemplateCatalogue
from parley.notifications.wording import local_moment
from parley.parties.service import PartyService
from parley.requests.catalogue import notifies_on
from parley.requests.models import CustomerRequest, RequestType

log = structlog.get_logger(__name__)
# Every other milestone: request.progress.
TEMPLATE_OF = {"received": "request.received", "delayed": "request.delayed"}
# A request's status as the customer is told it, after "is now" / "ist jetzt".
STATUS_WORDS = {
    "en": {
        "acknowledged": "received",
        "inProgress": "in progress",
        "pending": "waiting for a reply from you",
        "held": "on hold",
        "resolved": "resolved",
        "closed": "closed",
        "cancelled": "cancelled",
        "rejected": "rejected",
    },
    "de": {
        "acknowledged": "eingegangen",
        "inProgress": "in Bearbeitung",
        "pending": "in Erwartung Ihrer Rückmeldung",
        "held": "zurückgestellt",
        "resolved": "erledigt",
        "closed": "abgeschlossen",
        "cancelled": "storniert",
        "rejected": "abgelehnt",
    },
}


def status_in_words(status: str, language: str) -> str:
    words = STATUS_WORDS.get(language.split("-")[0], STATUS_WORDS["en"])
    return words.get(status, STATUS_WORDS["en"].get(status, status))


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
        """Queue a notice made from the template ``kind`` (a workflow may name any): its id.
        A ticket for no customer of Parley's has nobody to tell: none."""
        if request.customer_id is None:
            log.info("request notice not sent: no customer", request=request.id, kind=kind)
            return None
        preferences = PreferenceService(self.uow)
        try:
            channel = preferences.delivery(request.customer_id, "service").channel
        except NotDeliverable:
            channel = "email"
        customer = PartyService(self.uow).get_customer(request.customer_id)
        wanted = preferences.get(request.customer_id)
        language = self._language(kind, channel, wanted.language)
        expected = request.expected_resolution_at
        variables = {
            "customerName": customer.name,
            "reference": request.reference,
            "requestType": request_type.name,
            "status": status_in_words(request.status, language),
            "expectedResolution": local_moment(expected, language, wanted.time_zone)
            if expected
            else "",
            "message": message,
            "requestId": request.id,
            "statusCode": request.status,
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
                {"name": "language", "value": language},
                # An email is threaded with the request: its token, In-Reply-To, References.
                {"name": "aboutRequest", "value": request.id},
                *({"name": k, "value": v} for k, v in variables.items()),
            ],
        }
        try:
            sent = CommunicationService(self.uow).create(document)
        except InvalidInput as problem:
            log.warning("request notice not sent", request=request.id, problem=problem.message)
            return None
        return sent.id

    def _language(self, kind: str, channel: str, preferred: str | None) -> str:
        """The language the notice will be worded in: its template's (the customer's own if
        there is one in it, else the installation's default)."""
        try:
            return TemplateCatalogue(self.uow).choose(kind, channel, preferred).language
        except InvalidInput:  # no template: the message says so when it is made
            return preferred or "en"
