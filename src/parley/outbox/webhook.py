"""The webhook channel: an HTTP POST of the payload as JSON, signed, with the message's
idempotency key.

Headers: ``X-Parley-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` under the
destination's ``secret`` or else PARLEY_WEBHOOK_SECRET (no header when neither is set), and
``Idempotency-Key``. A 2xx answer is delivered; 408, 429 and 5xx, timeouts and connection
errors are retried; any other answer is permanent (retrying the same request cannot help).
"""

import hashlib
import hmac
import json
from urllib.parse import urlsplit

import httpx2 as httpx

from parley.errors import InvalidInput
from parley.outbox.channels import Channel, Message, Outcome
from parley.settings import Settings

KIND = "webhook"
SIGNATURE_HEADER = "X-Parley-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRYABLE_STATUSES = {408, 429}
MAX_URL_LENGTH = 2000


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_destination(destination: dict) -> None:
    url = destination.get("url")
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        raise InvalidInput("destination.url: an http(s) URL is needed", "destination.url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("destination.url: an http(s) URL is needed", "destination.url")
    secret = destination.get("secret")
    if secret is not None and (not isinstance(secret, str) or not secret):
        raise InvalidInput("destination.secret: a non-empty string", "destination.secret")


def encode_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class WebhookAdapter:
    def __init__(self, settings: Settings):
        default = settings.webhook_secret
        self.default_secret = default.get_secret_value() if default else None
        # One client per worker: connections to a receiver are kept alive between messages.
        self.client = httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False)

    def deliver(self, message: Message) -> Outcome:
        body = encode_body(message.payload)
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: message.idempotency_key}
        secret = message.destination.get("secret") or self.default_secret
        if secret:
            headers[SIGNATURE_HEADER] = signature(secret, body)
        try:
            response = self.client.post(message.destination["url"], content=body, headers=headers)
        except httpx.TimeoutException as error:
            return Outcome.retry(f"timed out: {type(error).__name__}")
        except httpx.HTTPError as error:
            return Outcome.retry(f"{type(error).__name__}: {error}")
        status = response.status_code
        if 200 <= status < 300:
            return Outcome.delivered()
        answer = f"HTTP {status}: {response.text[:200]}"
        if status >= 500 or status in RETRYABLE_STATUSES:
            return Outcome.retry(answer)
        return Outcome.permanent(answer)

    def close(self) -> None:
        self.client.close()


CHANNEL = Channel(KIND, check_destination, WebhookAdapter)
