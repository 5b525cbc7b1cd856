"""Services read the settings through their domain's options record: the unit of work makes
each once, from the settings its edge opened it with, and does not hand out the settings."""

from parley.actor import Actor
from parley.auth.options import AuthOptions
from parley.changes import UnitOfWork
from parley.events.options import EventBusOptions, HubOptions
from parley.leads.options import LeadOptions
from parley.notifications.options import NotificationOptions
from parley.parties.options import PartyOptions
from parley.requests.options import RequestOptions


def test_a_unit_of_work_offers_options_records_not_the_settings(session, settings):
    uow = UnitOfWork(session, settings.model_copy(update={"default_phone_region": "AT"}))

    parties = uow.options(PartyOptions)

    assert not hasattr(uow, "settings")
    assert parties == PartyOptions(
        "AT", settings.verification_max_failures, settings.verification_lock_minutes
    )
    assert uow.options(PartyOptions) is parties  # made once
    assert uow.acting_as(Actor("someone", "test")).options(PartyOptions) is parties


def test_each_record_names_what_its_domain_reads(settings):
    changed = settings.model_copy(
        update={
            "access_token_minutes": 7,
            "default_language": "de",
            "sms_max_parts": 3,
            "request_reopen_days": 2,
            "request_default_type": "general",
            "event_bus_url": "nats://127.0.0.1:1",
            "outbound_allow": "127.0.0.1",
        }
    )

    assert AuthOptions.from_settings(changed).access_token_minutes == 7
    assert NotificationOptions.from_settings(changed) == NotificationOptions("de", "UTC", 3, "DE")
    assert LeadOptions.from_settings(changed) == LeadOptions("DE")
    requests = RequestOptions.from_settings(changed)
    assert (requests.reopen_days, requests.default_type) == (2, "general")
    assert (
        requests.outbound_allow == HubOptions.from_settings(changed).outbound_allow == "127.0.0.1"
    )
    bus = EventBusOptions.from_settings(changed)
    assert bus.url == "nats://127.0.0.1:1"
    assert bus.subject({"resourceType": "customer", "kind": "create"}) == (
        f"{changed.event_bus_subject_prefix}.customer.create"
    )
