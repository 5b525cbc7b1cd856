"""The billing channel: monetary adjustments Parley hands over (an adjustment request within
its requester's limit, or approved by a supervisor) are POSTed like a webhook to
PARLEY_BILLING_URL: JSON, signed (with PARLEY_BILLING_SECRET when it is set, the secret billing
signs its acknowledgements with; else the webhook secret), with the message's
``Idempotency-Key`` (``adjustment:<request id>``), so a billing system that remembers keys
books an adjustment once.

The address is read when the adjustment is sent, not when it is made: until a billing system is
configured, adjustments wait and are retried (then dead letters, which an administrator sends
again once it is), so none is lost for want of a setting.
"""

from dataclasses import replace

from parley.outbox.channels import Channel, Message, Outcome
from parley.outbox.webhook import WebhookAdapter
from parley.settings import Settings

KIND = "billing"


def check_destination(_destination: dict) -> None:
    """Adjustments carry no address of their own: the setting names the billing system."""


class BillingAdapter:
    def __init__(self, settings: Settings):
        self.url = settings.billing_url
        # Signed with the secret Parley shares with it, when set (else the webhook secret).
        secret = settings.billing_secret
        self.destination = {
            "url": self.url,
            **({"secret": secret.get_secret_value()} if secret else {}),
        }
        # The operator's setting, no caller's: its host and port are allowed by construction.
        self.webhook = WebhookAdapter(settings, trusted_url=self.url)

    def deliver(self, message: Message) -> Outcome:
        if not self.url:
            return Outcome.retry("no billing system configured: set PARLEY_BILLING_URL")
        return self.webhook.deliver(replace(message, destination=self.destination))

    def close(self) -> None:
        self.webhook.close()


CHANNEL = Channel(KIND, check_destination, BillingAdapter)
