"""The composition root registers every built-in channel, outcome listener and event view."""

from parley import wiring
from parley.events.reactions import reactions_to
from parley.events.views import load_event_views, views_of
from parley.notifications import messages
from parley.outbox.channels import channel_for
from parley.outbox.subjects import listener_for
from parley.requests import service as request_service


def test_every_builtin_channel_and_listener_is_registered(settings):
    wiring.wire()
    for kind in ("webhook", "email", "sms", "order", "billing", "event", "bus"):
        assert channel_for(kind) is not None, kind
    # wiring names the subject without importing the notifications service at start-up
    assert wiring.COMMUNICATION_MESSAGE == messages.SUBJECT
    assert listener_for(messages.SUBJECT) is wiring.settle_communication_message
    # a completed interaction's event may mean a summary for the customer; analytics keeps a
    # fact of every request and interaction
    assert reactions_to("partyInteraction") == [
        wiring.summarise_completed_interaction,
        wiring.analyse_interaction,
    ]
    assert reactions_to("troubleTicket") == [wiring.analyse_request]
    # the names wiring uses are the domains' own
    assert wiring.TROUBLE_TICKET == request_service.RESOURCE
    load_event_views(settings)
    assert {view.api for view in views_of("customer")} == {"TMF629", "TMF629v4", "TMF688"}
