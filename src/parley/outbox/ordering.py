"""The ordering-system channel: orders Parley hands over (a converted lead's
new-customer-acquisition ProductOrder, an add-on selection's ProductOrder) are POSTed like a
webhook to PARLEY_ORDERING_URL, signed with PARLEY_ORDERING_SECRET when it is set (the secret
the ordering system signs its acknowledgements with), else with the webhook secret.

The address is read when the order is sent, not when it is made: until an ordering system is
configured, orders wait and are retried (then dead letters, which an administrator sends again
once it is), so none is lost for want of a setting.
"""

from dataclasses import replace

from parley.outbox.channels import Channel, Message, Outcome
from parley.outbox.webhook import WebhookAdapter
from parley.settings import Settings

KIND = "order"


def check_destination(_destination: dict) -> None:
    """Orders carry no address of their own: the setting names the ordering system."""


class OrderingAdapter:
    def __init__(self, settings: Settings):
        self.url = settings.ordering_url
        # Signed with the secret Parley shares with it, when set (else the webhook secret).
        secret = settings.ordering_secret
        self.destination = {
            "url": self.url,
            **({"secret": secret.get_secret_value()} if secret else {}),
        }
        # The operator's setting, no caller's: its host and port are allowed by construction.
        self.webhook = WebhookAdapter(settings, trusted_url=self.url)

    def deliver(self, message: Message) -> Outcome:
        if not self.url:
            return Outcome.retry("no ordering system configured: set PARLEY_ORDERING_URL")
        return self.webhook.deliver(replace(message, destination=self.destination))

    def close(self) -> None:
        self.webhook.close()


CHANNEL = Channel(KIND, check_destination, OrderingAdapter)
