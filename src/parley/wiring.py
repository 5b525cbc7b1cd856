"""The composition root: plugs the domains together at start-up.

A lower layer that needs something of a higher one offers a registry instead of importing it;
``wire`` fills those registries, once per process. The app factory, the CLI (the worker
included) and the tests call it before any service runs.

What is heavy to import (the notifications and leads services, the TMF API layer) is plugged
in through a small function here that imports it on first use: a worker starts and claims its
first batch without waiting for domains its messages may never need.
"""

from parley.changes import committed
from parley.events import bus, fanout
from parley.events.reactions import react_to
from parley.events.views import EventView, add_view_source
from parley.live import publish
from parley.live.messages import feed
from parley.mediation.handlers import LazyHandler, register_handler
from parley.notifications.shaping import shape_emails_with
from parley.outbox import billing, email, ordering, sms, webhook
from parley.outbox.channels import register_channel
from parley.outbox.subjects import register_subject
from parley.parties.duplicates import find_open_leads_with
from parley.settings import Settings

CHANNELS = (
    webhook.CHANNEL,
    email.CHANNEL,
    sms.CHANNEL,
    ordering.CHANNEL,
    billing.CHANNEL,
    fanout.CHANNEL,  # an event to the hub subscribers' webhooks (and the bus)
    bus.CHANNEL,
)
COMMUNICATION_MESSAGE = "communicationMessage"  # notifications.messages.SUBJECT
PARTY_INTERACTION = "partyInteraction"  # interactions.service.RESOURCE
TROUBLE_TICKET = "troubleTicket"  # requests.service.RESOURCE
REQUEST_TASK = "requestTask"  # requests.workflow.task_records.RESOURCE
CALL = "call"  # calls.service.RESOURCE
REQUEST_HANDOFF = "requestHandoff"  # requests.handoffs.service.RESOURCE
PARTNER = "partner"  # mediation.models.PARTNER
CUSTOMER = "customer"  # parties.service: a customer's events
PARTIES = ("individual", "organization")  # parties.service: a party's events
REPORT_DELIVERY = "reportDelivery"  # analytics.delivery.SUBJECT
EMAIL = "email"  # mediation.models.EMAIL
EMAIL_ACKNOWLEDGEMENT = "emailAcknowledgement"  # mediation.email.threads.ACKNOWLEDGEMENT
IMPORT = "import"  # mediation.models.IMPORT
_wired = False


def wire() -> None:
    global _wired
    if _wired:
        return
    for channel in CHANNELS:
        register_channel(channel)
    # TMF681 messages follow the fate of their deliveries.
    register_subject(COMMUNICATION_MESSAGE, settle_communication_message)
    # Orders and adjustments handed over: delivered is noted, a dead letter chased at once.
    register_subject(REQUEST_HANDOFF, hear_handoff_delivery)
    add_view_source(tmf_event_views)
    # A completed interaction may mean a summary for the customer (its reason's policy).
    react_to(PARTY_INTERACTION, summarise_completed_interaction)
    # Analyze & Report keeps a fact per request and per completed interaction.
    react_to(TROUBLE_TICKET, analyse_request)
    react_to(PARTY_INTERACTION, analyse_interaction)
    react_to(CUSTOMER, analyse_customer)
    for party in PARTIES:
        react_to(party, analyse_party)
    # A scheduled report's delivery follows its email's fate.
    register_subject(REPORT_DELIVERY, settle_report_delivery)
    # Customers' duplicate check (parties) reports open leads too.
    find_open_leads_with(open_leads_of_parties)
    # Live updates: committed events of tasks and calls reach the consoles at once.
    committed.before_commit(publish.notify_in_transaction)
    committed.after_commit(publish.deliver_after_commit)
    feed(REQUEST_TASK, task_live_message)
    feed(CALL, call_live_message)
    # Inbound messages: a partner's are read through its message profiles.
    register_handler(PARTNER, LazyHandler("parley.mediation.partner", "ProfileHandler"))
    # Mail: read, identified and threaded by the email channel; what Parley sends about a
    # request carries the threading headers, and its Message-ID is recorded once sent.
    register_handler(EMAIL, LazyHandler("parley.mediation.email.handler", "EmailHandler"))
    shape_emails_with(shape_request_email)
    register_subject(EMAIL_ACKNOWLEDGEMENT, record_sent_email)
    # An import file's record is handed over to its import (mediation.imports).
    register_handler(IMPORT, LazyHandler("parley.mediation.imports.handler", "ImportFileHandler"))
    _wired = True


def settle_communication_message(session, row, status: str, settings: Settings) -> None:
    from parley.notifications.messages import settle_from_worker  # on first use (see above)

    record_sent_email(session, row, status, settings)
    settle_from_worker(session, row, status, settings)


def hear_handoff_delivery(session, row, status: str, settings: Settings) -> None:
    from parley.requests.handoffs.watch import hear_outcome  # on first use (see above)

    hear_outcome(session, row, status, settings)


def record_sent_email(session, row, status: str, settings: Settings) -> None:
    from parley.mediation.email.threads import record_sent  # on first use (see above)

    record_sent(session, row, status, settings)


def shape_request_email(uow, document: dict, payload: dict) -> dict:
    from parley.mediation.email.threads import shaped_request_email  # on first use (see above)

    return shaped_request_email(uow, document, payload)


def summarise_completed_interaction(uow, event: dict) -> None:
    from parley.notifications.summaries import on_interaction_event  # on first use (see above)

    on_interaction_event(uow, event)


def analyse_request(uow, event: dict) -> None:
    from parley.analytics.service import AnalyticsService  # on first use (see above)

    AnalyticsService(uow).on_request_event(event)


def analyse_interaction(uow, event: dict) -> None:
    from parley.analytics.service import AnalyticsService  # on first use (see above)

    AnalyticsService(uow).on_interaction_event(event)


def analyse_customer(uow, event: dict) -> None:
    from parley.analytics.service import AnalyticsService  # on first use (see above)

    AnalyticsService(uow).on_customer_event(event)


def analyse_party(uow, event: dict) -> None:
    from parley.analytics.service import AnalyticsService  # on first use (see above)

    AnalyticsService(uow).on_party_event(event)


def settle_report_delivery(session, row, status: str, settings: Settings) -> None:
    from parley.analytics.delivery import settle_from_worker  # on first use (see above)

    settle_from_worker(session, row, status, settings)


def tmf_event_views(settings: Settings) -> list[EventView]:
    from parley.api.tmf.apis import event_views  # on first use (see above)

    return event_views(settings)


def open_leads_of_parties(session, party_ids: list[str]) -> list[tuple[str, str]]:
    from parley.leads.service import open_leads_of_parties  # on first use (see above)

    return open_leads_of_parties(session, party_ids)


def task_live_message(event: dict):
    from parley.requests.workflow.task_records import live_message_of  # on first use

    return live_message_of(event)


def call_live_message(event: dict):
    from parley.calls.service import live_message_of  # on first use

    return live_message_of(event)
