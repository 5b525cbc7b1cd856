"""The composition root: plugs the domains together at start-up.

A lower layer that needs something of a higher one offers a registry instead of importing it;
``wire`` fills those registries, once per process. The app factory, the CLI (the worker
included) and the tests call it before any service runs.
"""

from parley.events import bus, fanout
from parley.events.views import EventView, add_view_source
from parley.leads.service import open_leads_of_parties
from parley.notifications import messages
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
_wired = False


def wire() -> None:
    global _wired
    if _wired:
        return
    for channel in CHANNELS:
        register_channel(channel)
    # TMF681 messages follow the fate of their deliveries.
    register_subject(messages.SUBJECT, messages.settle_from_worker)
    add_view_source(tmf_event_views)
    # Customers' duplicate check (parties) reports open leads too.
    find_open_leads_with(open_leads_of_parties)
    _wired = True


def tmf_event_views(settings: Settings) -> list[EventView]:
    # Imported when first loaded, not with this module: a worker (or any CLI command) starts
    # without the whole API layer, and loads it with its first event fan-out.
    from parley.api.tmf.events import event_views

    return event_views(settings)
