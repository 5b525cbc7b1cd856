"""The webhook channel: an HTTP POST of the payload as JSON, signed, with the message's
idempotency key.

Headers: ``X-Parley-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` under the
destination's ``secret``, else PARLEY_WEBHOOK_SECRET, else a key generated once per host and
kept in ``parley-webhook.key`` in the working directory (parley.keyfile), so every body is
signed; and ``Idempotency-Key``. A 2xx answer is delivered; 408, 429 and 5xx, timeouts and
connection errors are retried; any other answer is permanent (retrying the same request
cannot help).

Every connection passes the outbound destination policy (parley.outbound): a host that is not
allowed is a permanent failure, redirects are not followed, and what is kept of a failure is
the answer's status or one generic "could not connect", never the receiver's words.
"""

import contextlib
import hashlib
import hmac
import json

import httpx2 as httpx
import structlog

from parley.errors import InvalidInput
from parley.keyfile import host_key
from parley.outbound.http import COULD_NOT_CONNECT, REFUSED, client, status_reason
from parley.outbound.policy import OutboundPolicy, Refused, check_syntax
from parley.outbox.channels import Channel, Message, Outcome
from parley.settings import Settings

KIND = "webhook"
SIGNATURE_HEADER = "X-Parley-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SECRET_FILE = "parley-webhook.key"  # the host's generated key, unless PARLEY_WEBHOOK_SECRET
RETRYABLE_STATUSES = {408, 429}
MAX_URL_LENGTH = 2000
# An answer's body is read (so that the connection can be kept) only when it is this short;
# it is never kept.
MAX_BODY_READ = 64 * 1024

log = structlog.get_logger("parley.outbox")


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_destination(destination: dict) -> None:
    """The URL's form (parley.outbound.policy.check_syntax). Whether its host may be called
    is the policy's, with the deployment's allow-list: where the URL is registered (hub
    subscriptions, workflows) and again when the worker connects."""
    url = destination.get("url")
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        raise InvalidInput("destination.url: an http(s) URL is needed", "destination.url")
    try:
        check_syntax(url)
    except Refused as refused:
        raise InvalidInput(f"destination.url: {refused.reason}", "destination.url") from None
    secret = destination.get("secret")
    if secret is not None and (not isinstance(secret, str) or not secret):
        raise InvalidInput("destination.secret: a non-empty string", "destination.secret")


def default_secret(settings: Settings) -> str:
    """PARLEY_WEBHOOK_SECRET, else the host's generated key (``parley-webhook.key`` beside
    the token signing key): every body is signed."""
    configured = settings.webhook_secret
    return configured.get_secret_value() if configured else host_key(SECRET_FILE)


def encode_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class WebhookAdapter:
    def __init__(self, settings: Settings, trusted_url: str | None = None):
        """``trusted_url``: an address the operator set (the billing or ordering system),
        whose host and port are allowed by construction, for this adapter only."""
        self.default_secret = default_secret(settings)
        policy = OutboundPolicy.of(settings.outbound_allow)
        self.trusted_url = trusted_url
        if trusted_url:
            with contextlib.suppress(Refused):  # a bad one is said when a message is sent
                policy = policy.trusting(trusted_url)
        # One client per worker: connections to a receiver are kept alive between messages.
        self.client = client(policy, settings.webhook_timeout_seconds)

    def deliver(self, message: Message) -> Outcome:
        url = message.destination["url"]
        try:
            check_syntax(url)
        except Refused as refused:
            if url == self.trusted_url:  # the operator's setting: fixed, the messages go
                return Outcome.retry(f"the configured URL is not usable: {refused.reason}")
            return Outcome.permanent(f"destination.url: {refused.reason}")
        body = encode_body(message.payload)
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: message.idempotency_key}
        secret = message.destination.get("secret") or self.default_secret
        if secret:
            headers[SIGNATURE_HEADER] = signature(secret, body)
        try:
            with self.client.stream("POST", url, content=body, headers=headers) as response:
                status = response.status_code
                _read_if_short(response)
        except Refused:
            log.warning("webhook refused by the outbound policy", message_id=message.id)
            return Outcome.permanent(REFUSED)
        except httpx.InvalidURL:
            return Outcome.permanent("destination.url: not a URL the HTTP client accepts")
        except httpx.HTTPError as error:
            # The reason recorded is one for every failure (it must not tell open from closed
            # ports); the log has what happened.
            log.info(
                "webhook not delivered",
                message_id=message.id,
                error=f"{type(error).__name__}: {error}",
            )
            return Outcome.retry(COULD_NOT_CONNECT)
        if 200 <= status < 300:
            return Outcome.delivered()
        # The status only: what the receiver wrote is not kept (it may be anything, such as
        # an internal service's answer).
        answer = status_reason(status)
        if status >= 500 or status in RETRYABLE_STATUSES:
            return Outcome.retry(answer)
        return Outcome.permanent(answer)

    def close(self) -> None:
        self.client.close()


def _read_if_short(response: httpx.Response) -> None:
    """Read a short answer, so that the connection can serve the next message; a long or
    unannounced one is left unread (the connection is closed instead)."""
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) <= MAX_BODY_READ:
        with contextlib.suppress(httpx.HTTPError):
            response.read()


CHANNEL = Channel(KIND, check_destination, WebhookAdapter)
