"""TMF681 hub: a subscriber hears a message created and, when the worker has sent it, its state
change to completed (the worker's own write is an event like any other)."""

from parley.outbox import channels
from parley.outbox.channels import Channel, Outcome
from tests.events.conftest import deliver_all, signed_by, subscribe
from tests.factories import create_customer

HUB = "/tmf-api/communicationManagement/v4/hub"
API = "/tmf-api/communicationManagement/v4/communicationMessage"


class AcceptingGateway:
    """Stands in for the SMS transport (the real one is tested against Kannel)."""

    def deliver(self, _message):
        return Outcome.delivered()

    def close(self):
        pass


def test_a_message_subscriber_hears_it_created_and_sent(client, listener, make_worker):
    real = channels.channel_for("sms")
    channels.register_channel(Channel("sms", real.check_destination, lambda _s: AcceptingGateway()))
    try:
        subscribe(client, HUB, listener.url)
        customer = create_customer(client)
        message = client.post(
            API,
            json={
                "messageType": "SMS",
                "content": "Your order has shipped.",
                "receiver": [{"party": {"id": customer["id"], "@referredType": "Customer"}}],
                "sender": {},
            },
        ).json()
        deliver_all(make_worker())
    finally:
        channels.register_channel(real)

    heard = {r.path.rsplit("/", 1)[-1]: r for r in listener.received}
    assert {
        "communicationMessageCreateEvent",
        "communicationMessageAttributeValueChangeEvent",
        "communicationMessageStateChangeEvent",
    } <= set(heard)
    changed = heard["communicationMessageStateChangeEvent"].json()
    assert changed["event"]["communicationMessage"]["id"] == message["id"]
    assert changed["event"]["communicationMessage"]["state"] == "completed"
    assert all(signed_by(received) for received in listener.received)
