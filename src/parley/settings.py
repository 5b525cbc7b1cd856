"""Runtime configuration, read from the environment (prefix ``PARLEY_``) or a ``.env`` file."""

import ipaddress
import re
import socket
from dataclasses import field, fields
from email.utils import parseaddr
from functools import lru_cache
from typing import Any, Literal, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from parley.outbound.policy import parse_allow
from parley.rates import parse_rates

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


class Mailbox(BaseModel):
    """One of Parley's email addresses (docs/mediation.md, "Email"): what mail to it does
    (acknowledged, raising requests) and, with a ``host``, the IMAP mailbox Parley fetches
    it from. Without a host the address takes mail over LMTP only (``parley mail lmtp``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    address: str = Field(min_length=3, max_length=254)  # acknowledgements come from it
    host: str | None = None  # the IMAP server
    port: int | None = Field(default=None, ge=1, le=65535)  # 993 with tls, else 143
    # tls: TLS from the first byte; starttls: upgraded; none: only to a loopback host.
    security: Literal["tls", "starttls", "none"] = "tls"
    user: str | None = None  # default: the address
    password_file: str | None = None  # a key file holding the password (first line)
    password_env: str | None = None  # or the environment variable holding it
    ca_file: str | None = None  # a private CA for the server's certificate
    folder: str = Field(default="INBOX", min_length=1, max_length=200)
    # Where fetched mail is moved once stored; unset: it stays, flagged \Seen (and mail
    # already \Seen is not fetched).
    done_folder: str | None = Field(default=None, min_length=1, max_length=200)
    acknowledge: bool = True  # an automatic acknowledgement to a new mail (docs: loops)
    raise_requests: bool = False  # a new mail of an identified customer raises a request

    @field_validator("address")
    @classmethod
    def _an_address(cls, value: str) -> str:
        address = parseaddr(value)[1].strip().lower()
        if "@" not in address or address != value.strip().lower():
            raise ValueError("must be an email address (without a name)")
        return address

    @model_validator(mode="after")
    def _connection(self):
        if self.host is None:
            return self
        if (self.password_file is None) == (self.password_env is None):
            raise ValueError(f"mailbox {self.name}: give password_file or password_env")
        if self.security == "none" and self.host not in LOOPBACK_HOSTS:
            raise ValueError(f"mailbox {self.name}: security none only to a loopback host")
        return self

    def imap_port(self) -> int:
        return self.port or (993 if self.security == "tls" else 143)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///parley.db",
        description="SQLAlchemy URL; a SQLite file in the working directory by default.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public base URL used to build absolute `href` values. Unset, `parley "
        "serve` sets it to the host and port it serves (base_url_for_serving).",
    )
    # Answers' hrefs follow each request's scheme and Host; base_url is then only for what
    # leaves without a request (events, messages to other systems). `parley serve --host
    # 0.0.0.0` turns it on when PARLEY_BASE_URL is unset; behind a proxy that passes any Host
    # through, hrefs would carry what the client sent: set PARLEY_BASE_URL instead.
    base_url_from_request: bool = False
    party_api_prefix: str = "/tmf-api/partyManagement/v5"
    party_v4_api_prefix: str = "/tmf-api/partyManagement/v4"
    customer_api_prefix: str = "/tmf-api/customerManagement/v5"
    customer_v4_api_prefix: str = "/tmf-api/customerManagement/v4"
    interaction_api_prefix: str = "/tmf-api/partyInteractionManagement/v5"
    interaction_v4_api_prefix: str = "/tmf-api/partyInteraction/v4"
    account_api_prefix: str = "/tmf-api/accountManagement/v5"
    sales_api_prefix: str = "/tmf-api/salesManagement/v4"
    communication_api_prefix: str = "/tmf-api/communicationManagement/v4"
    trouble_ticket_api_prefix: str = "/tmf-api/troubleTicket/v5"
    product_catalog_api_prefix: str = "/tmf-api/productCatalogManagement/v5"
    # TMF622: Parley serves only the listener the ordering system tells its orders' states to.
    product_ordering_api_prefix: str = "/tmf-api/productOrderingManagement/v5"
    parley_api_prefix: str = "/api/v1"
    roles_api_prefix: str = "/tmf-api/userRolesAndPermissions/v4"
    event_api_prefix: str = "/tmf-api/event/v4"
    default_phone_region: str = Field(
        default="DE", description="ISO 3166 region used to read national phone numbers."
    )
    # Messages to customers: the language when neither the customer nor a template has theirs,
    # and the time zone of quiet hours for customers who did not name one.
    default_language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")
    default_time_zone: str = "UTC"
    # Database connections per API process, which is also how many requests a process works
    # on at once (the rest wait their turn without holding a thread): a pool smaller than the
    # requests in flight would open and close connections all the time.
    db_pool_size: int = 20
    # PostgreSQL only: connections per API process for writes made as one statement on the
    # event loop (logging an interaction), without a thread or a unit of work; 0 turns it off.
    db_async_pool_size: int = Field(default=16, ge=0)
    # Test each pooled connection with a round trip before use. Off, a connection the server
    # ended (a restart, a killed backend) is still found and replaced when it is taken, with
    # no round trip (db/engine.py, closed_by_server); only one lost without a word (a network
    # cut, a firewall dropping it) fails one request with 503 and the pool is refilled.
    db_pre_ping: bool = False
    # How long an API process reuses what it looked up for an access token (user, roles,
    # revocation); changes made through another process take effect within this (auth.md).
    principal_cache_seconds: float = 2.0
    sqlite_busy_timeout_ms: int = 5000
    verification_max_failures: int = 3
    verification_lock_minutes: int = 15
    max_page_size: int = 1000
    default_page_size: int = 100
    # -- limits (docs/security.md, "Limits") --
    # The largest request body: a larger one is answered 413 before it is read whole.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # A list answer stops early (X-Result-Count saying how many it holds) where the JSON of its
    # items would pass this; it always holds at least one item.
    max_page_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    log_level: str = "INFO"
    jwt_secret: SecretStr | None = Field(
        default=None,
        description="Key signing access tokens (HS256). Unset: generated once and kept in "
        "`parley-secret.key` in the working directory, shared by the processes of one host; "
        "several hosts must all set the same PARLEY_JWT_SECRET.",
    )
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    # -- log-in throttling and rate limits (docs/security.md, "Rate limits") --
    # After this many failed log-ins in a row from one address on one account, that address
    # waits before trying the account again (30 s, doubling, at most login_lock_minutes).
    login_max_failures: int = Field(default=5, ge=1)
    login_lock_minutes: int = Field(default=15, ge=1)
    # Rates: `N/unit` or `N/k units` (second, minute, hour, day), comma-separated, each held;
    # empty: no limit. Failed log-ins from one address, whatever the usernames:
    login_address_limit: str = "30/minute, 300/hour"
    # Failed log-ins on one username from addresses it has not signed in from (one address
    # counts at most login_max_failures of them); past it, only those addresses may try.
    login_username_limit: str = "10/15 minutes"
    # Identifications (/api/v1/identify) per user: staff, and integration clients (an IVR
    # identifies every call it takes).
    identify_limit: str = "120/minute"
    identify_client_limit: str = "3000/minute"
    # Verification checks (PIN, security answers) per user and per customer.
    verification_user_limit: str = "60/15 minutes"
    verification_customer_limit: str = "10/15 minutes"
    # -- the customer portal's one-time codes (docs/portal.md) --
    # A code sent to register or reset a password lasts this long and is used up after this
    # many wrong tries; codes are sent at most this often per browser address and per
    # customer number (or account) given.
    one_time_code_minutes: int = Field(default=10, ge=1, le=24 * 60)
    one_time_code_max_failures: int = Field(default=5, ge=1, le=20)
    one_time_code_send_limit: str = "5/hour"
    one_time_code_check_limit: str = "30/hour"
    # A customer is asked to rate a request people worked on when it closes, on a link valid
    # this many days (0: no surveys).
    survey_days: int = Field(default=14, ge=0, le=365)
    # Attachments on requests (docs/portal.md, "Attachments"): the largest file, the types
    # accepted (as recognised from the content; of ATTACHMENT_TYPES), and the directory the
    # files are kept in (named by their SHA-256; shared by every process of a deployment).
    attachment_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1, le=100 * 1024 * 1024)
    attachment_types: str = "application/pdf, image/png, image/jpeg, text/plain"
    attachment_dir: str = "attachments"
    # -- the web console (docs/console.md) --
    # After a call the agent has this long to wrap its contact up (reason, notes, outcome);
    # then the worker completes it, ending when the call ended (0: the hang-up completes it).
    call_wrap_up_seconds: int = Field(default=300, ge=0, le=24 * 3600)
    # A signed-in browser's session ends after this long without a request, and this long
    # after signing in however busy (an agent's shift, with room to spare).
    web_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    web_session_hours: int = Field(default=12, ge=1, le=7 * 24)
    # Live updates (Server-Sent Events): a comment this often keeps a quiet stream open
    # through proxies; a browser this many messages behind is told to re-read its page.
    live_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)
    live_queue_size: int = Field(default=100, ge=1, le=10000)
    # Addresses of reverse proxies whose X-Forwarded-Proto/-For `parley serve` believes
    # (comma-separated; `*` for any): then a console served over HTTPS by the proxy gets
    # Secure cookies. Empty: no proxy headers are believed.
    forwarded_allow_ips: str = ""
    # -- outbox and its workers (docs/outbox.md) --
    # None: an embedded worker in `parley serve` on SQLite (one command for a new user), none
    # on PostgreSQL, where separate `parley worker` processes run.
    embedded_worker: bool | None = None
    outbox_batch_size: int = Field(default=10, ge=1, le=1000)
    outbox_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # A claimed row is another worker's again once its lease ends (its worker died): longer
    # than a batch's deliveries take, or a slow worker and a new one would overlap.
    outbox_lease_seconds: float = Field(default=120.0, gt=0)
    outbox_retry_base_seconds: float = Field(default=5.0, gt=0)
    outbox_retry_max_delay_seconds: float = Field(default=3600.0, gt=0)
    outbox_max_attempts: int = Field(default=10, ge=1, le=1000)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # Where orders for the ordering system go (a converted lead's acquisition order): an HTTP
    # endpoint taking TMF622 ProductOrder JSON. Unset: orders wait in the outbox.
    ordering_url: str | None = None
    # Where approved monetary adjustments go (docs/requests.md): an HTTP endpoint of the
    # billing system taking Parley's adjustment JSON. Unset: adjustments wait in the outbox.
    billing_url: str | None = None
    # The secret each of them shares with Parley (docs/mediation.md, "Hand-offs and
    # acknowledgements"): it signs what Parley sends there (X-Parley-Signature) and what that
    # system calls back with (an acknowledgement is taken signed so, or with a client token).
    # Unset: orders and adjustments are signed with the webhook secret, and only client tokens
    # are taken.
    ordering_secret: SecretStr | None = None
    billing_secret: SecretStr | None = None
    # How long a request waits for the ordering or billing system to acknowledge what it was
    # handed before an agent gets a task to chase it, unless its type says (handoffTimeLimit).
    handoff_time_limit_minutes: int = Field(default=240, ge=1, le=43_200)
    # Hosts, addresses and networks (CIDR), each with an optional :port, comma-separated, that
    # hub callbacks, webhooks and workflow call-outs may reach although they are loopback,
    # private, link-local or otherwise internal (docs/security.md). Empty: only public ones.
    outbound_allow: str = ""
    # -- requests (docs/requests.md) --
    # How long after closing a request may be reopened.
    request_reopen_days: int = Field(default=14, ge=0, le=365)
    # The code of the request type an unclassifiable request gets; unset: such a request is
    # refused (400) and the caller names its type.
    request_default_type: str | None = None
    # The code of the request type a ticket without a customer gets when nothing recognises
    # it among the types that need none (an OSS's alarm, an internal ticket); unset: refused.
    request_internal_type: str | None = "internal"
    # SLA clocks (docs/requests.md): the share of a request's target after which the warning
    # is raised, unless its type says (slaWarningPercent); how often workers look for clocks
    # due for a warning or a breach, and how many they take on in one transaction.
    sla_warning_percent: int = Field(default=75, ge=1, le=99)
    sla_poll_seconds: float = Field(default=30.0, gt=0, le=3600)
    sla_batch_size: int = Field(default=100, ge=1, le=10_000)
    # -- mediation (docs/mediation.md) --
    # How often each worker looks for inbound messages to apply, how many it takes on in one
    # transaction, and after how many failed attempts a message is dead (retried meanwhile
    # after a delay doubling from the base, up to the cap).
    inbound_poll_seconds: float = Field(default=1.0, gt=0, le=3600)
    inbound_batch_size: int = Field(default=20, ge=1, le=1000)
    inbound_max_attempts: int = Field(default=5, ge=1, le=1000)
    inbound_retry_base_seconds: float = Field(default=10.0, gt=0)
    inbound_retry_max_delay_seconds: float = Field(default=3600.0, gt=0)
    # -- bulk import (docs/mediation.md, "Bulk import") --
    # Where imported files are kept (their checksum in the inbound message store); every
    # process that runs imports (the CLI, the workers) must see the same directory.
    import_dir: str = "parley-imports"
    # Rows per transaction (each commits its checkpoint), and how often workers look for
    # imports to run (queued ones, or running ones whose runner stopped beating).
    import_batch_size: int = Field(default=5000, ge=1, le=50_000)
    import_poll_seconds: float = Field(default=2.0, gt=0, le=3600)
    import_stale_seconds: float = Field(default=60.0, gt=0)
    # The largest file POST /api/v1/imports takes (other bodies: PARLEY_MAX_BODY_BYTES).
    import_max_bytes: int = Field(default=1024**3, ge=1024)
    # Signs webhook bodies (X-Parley-Signature) unless the destination has its own secret.
    # Unset: a key generated once into `parley-webhook.key` in the working directory, shared
    # by the processes of one host (parley.keyfile); several hosts must set the same one.
    webhook_secret: SecretStr | None = None
    # -- up-selling (docs/upsell.md) --
    # A customer is made at most one offer in this many days (answered or not).
    upsell_period_days: int = Field(default=30, ge=1, le=365)
    # -- the event store (docs/events.md#retention) --
    # Domain events are kept this many days after they were stored, then the workers delete
    # them (delivered ones; 0: kept for ever), this many in one transaction.
    event_retention_days: int = Field(default=90, ge=0, le=36_500)
    event_prune_batch_size: int = Field(default=1000, ge=1, le=100_000)
    # -- email channel (SMTP) --
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    # none: plain SMTP (a local relay); starttls: upgrade on the submission port (587);
    # tls: TLS from the first byte (465). Certificates are always verified.
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # The server's certificate is verified against this CA file instead of the system's CAs
    # (a private CA, or a test's self-signed certificate); verification is never switched off.
    smtp_ca_file: str | None = None
    # Default sender (an address, or `Name <address>`) for messages whose destination has none.
    # Unset: `Parley <parley@HOST>` with the host of the base URL when it is a domain name
    # (email_sender); with an IP address or localhost there is none, and start-up warns.
    smtp_from: str | None = None
    smtp_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    # -- mail received (docs/mediation.md, "Email") --
    # Parley's mailboxes, as JSON: [{"name": "support", "address": "support@example.com",
    # "host": "imap.example.com", "password_file": "/etc/parley/support.key"}, ...].
    mail_mailboxes: list[Mailbox] = Field(default_factory=list)
    # Other addresses that are Parley's own (comma-separated): never acknowledged, and mail
    # from them is not logged (the mailboxes' addresses and PARLEY_SMTP_FROM are own anyway).
    mail_own_addresses: str = ""
    # The domain of the Message-IDs Parley makes; unset: PARLEY_SMTP_FROM's, or the base URL's.
    mail_message_id_domain: str | None = None
    # Automatic acknowledgements per sender address (each window held; empty: no limit).
    mail_acknowledge_limit: str = "3/hour, 10/day"
    # How often each worker fetches the IMAP mailboxes (0: never; `parley mail fetch` waits
    # for new mail with IDLE instead).
    mail_poll_seconds: float = Field(default=60.0, ge=0, le=86400)
    # -- SMS channel (an SMS gateway's HTTP interface; Kannel's sendsms) --
    sms_gateway_url: str = "http://127.0.0.1:13013/cgi-bin/sendsms"
    sms_username: str | None = None
    sms_password: SecretStr | None = None
    # Default sender (a number or an alphanumeric name) for messages whose destination has none.
    sms_sender: str | None = None
    sms_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # The gateway's limit of concatenated parts (Kannel: max-messages of the sendsms-user); a
    # longer text is refused instead of cut off silently by the gateway.
    sms_max_parts: int = Field(default=10, ge=1, le=255)
    # Network self-service (docs/channels.md): the menu callers get, the language of callers
    # without a preference, how long a USSD/IVR session may wait for the caller's next input
    # before it is closed as abandoned, and Twilio's auth token for request signatures (the
    # TwiML webhook refuses every request while it is unset).
    channel_menu: str = "selfcare"
    channel_language: str = Field(default="en", pattern="^(en|de)$")
    channel_session_seconds: int = Field(default=180, ge=10, le=3600)
    twilio_auth_token: SecretStr | None = None
    # Where a voice caller is transferred to reach an agent queue ({queue} is its code): the
    # VoiceXML <transfer dest>; TwiML dials the queue as a Twilio Client identity.
    ivr_transfer_uri: str = "sip:{queue}@127.0.0.1"

    def channel_timeout_seconds(self) -> float:
        """The longest a single delivery may take, on any channel."""
        bus = self.event_bus_timeout_seconds if self.event_bus_url else 0.0
        return max(
            self.webhook_timeout_seconds, self.smtp_timeout_seconds, self.sms_timeout_seconds, bus
        )

    # -- the optional event bus relay (docs/events.md) --
    # e.g. nats://127.0.0.1:4222; unset: events go to hub subscribers only.
    event_bus_url: str | None = None
    event_bus_stream: str = Field(default="PARLEY_EVENTS", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    event_bus_subject_prefix: str = Field(
        default="parley.events", pattern=r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$"
    )
    # Create the stream (subjects <prefix>.>) if it is missing; off where operators manage it.
    event_bus_create_stream: bool = True
    event_bus_timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    @model_validator(mode="after")
    def _lease_covers_a_delivery(self):
        if self.outbox_lease_seconds <= self.channel_timeout_seconds():
            raise ValueError(
                "outbox_lease_seconds must be longer than the webhook, SMTP, SMS and (when on) "
                "event bus timeouts"
            )
        return self

    @model_validator(mode="after")
    def _no_smtp_password_in_clear(self):
        if self.smtp_username and self.smtp_security == "none":
            raise ValueError("smtp_username needs smtp_security starttls or tls")
        return self

    def email_sender(self) -> str | None:
        """The From of emails whose destination names none: PARLEY_SMTP_FROM, else
        ``Parley <parley@HOST>`` when the base URL's host is a domain name, else None."""
        if self.smtp_from:
            return self.smtp_from
        domain = mail_domain(self.base_url)
        return f"Parley <parley@{domain}>" if domain else None

    @property
    def message_id_domain(self) -> str:
        """The domain of the Message-IDs Parley makes: PARLEY_MAIL_MESSAGE_ID_DOMAIN, else
        the sender's (PARLEY_SMTP_FROM, or the base URL's host), else the first mailbox's."""
        sender = parseaddr(self.email_sender() or "")[1]
        mailboxes = [m.address for m in self.mail_mailboxes]
        domains = [
            self.mail_message_id_domain,
            *(a.rpartition("@")[2] for a in [sender, *mailboxes]),
        ]
        return next((d for d in domains if d), "parley.invalid").lower()

    @property
    def own_mail_addresses(self) -> frozenset[str]:
        """Every address that is Parley's: the mailboxes', the sender's, and those named."""
        named = [a.strip().lower() for a in self.mail_own_addresses.split(",") if a.strip()]
        sender = parseaddr(self.email_sender() or "")[1].lower()
        mailboxes = [mailbox.address for mailbox in self.mail_mailboxes]
        return frozenset(filter(None, [*named, sender, *mailboxes]))

    @model_validator(mode="after")
    def _mailbox_names_once(self):
        names = [mailbox.name for mailbox in self.mail_mailboxes]
        if len(set(names)) != len(names):
            raise ValueError("mail_mailboxes: each name once")
        return self

    def startup_warnings(self) -> list[str]:
        """What an operator should fix, said in the log when a process starts."""
        warnings = []
        if "base_url" not in self.model_fields_set:
            warnings.append(
                f"PARLEY_BASE_URL is not set: hrefs use {self.base_url}; set it to the URL "
                "clients and other systems reach Parley at"
            )
        elif self.base_url_from_request:
            warnings.append(
                "PARLEY_BASE_URL is not set and Parley listens on every address: answers link "
                f"to the address each request used, events and messages to other systems to "
                f"{self.base_url}; set PARLEY_BASE_URL to the URL they reach Parley at"
            )
        if self.email_sender() is None:
            host = urlsplit(self.base_url).hostname or self.base_url
            warnings.append(
                f"emails have no sender: PARLEY_SMTP_FROM is not set and the base URL's host "
                f"({host}) is no domain name to make one of; emails wait in the outbox until "
                "PARLEY_SMTP_FROM (or PARLEY_BASE_URL with a domain name) is set"
            )
        return warnings

    def embedded_worker_on(self) -> bool:
        if self.embedded_worker is not None:
            return self.embedded_worker
        return self.database_url.startswith("sqlite")

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("jwt_secret", "ordering_secret", "billing_secret")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # HS256 is only as strong as its key: refuse a short, guessable one.
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        return value

    @field_validator("default_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as Europe/Berlin") from None
        return value

    @field_validator("smtp_from")
    @classmethod
    def _an_address(cls, value: str | None) -> str | None:
        if value is not None and "@" not in parseaddr(value)[1]:
            raise ValueError("must be an email address, or Name <address>")
        return value

    @field_validator("attachment_types")
    @classmethod
    def _known_types(cls, value: str) -> str:
        given = [t.strip().lower() for t in value.split(",") if t.strip()]
        unknown = [t for t in given if t not in ATTACHMENT_TYPES]
        if unknown or not given:
            raise ValueError(f"must name some of {', '.join(ATTACHMENT_TYPES)}")
        return ", ".join(given)

    def upload_body_bytes(self) -> int:
        """The largest body of a request that carries a file (docs/security.md, "Limits"):
        twice the largest attachment, so that one a little too large (or base64 in JSON, a
        third larger) is still read and refused with a message saying why."""
        return max(self.max_body_bytes, 2 * self.attachment_max_bytes + 64 * 1024)

    @field_validator("outbound_allow")
    @classmethod
    def _allow_list(cls, value: str) -> str:
        parse_allow(value)  # a bad entry stops Parley at start, not at its first delivery
        return value

    @field_validator(
        "mail_acknowledge_limit",
        "login_address_limit",
        "login_username_limit",
        "identify_limit",
        "identify_client_limit",
        "verification_user_limit",
        "verification_customer_limit",
    )
    @classmethod
    def _rates(cls, value: str) -> str:
        parse_rates(value)  # a bad rate stops Parley at start
        return value

    @field_validator("default_phone_region")
    @classmethod
    def _upper_region(cls, value: str) -> str:
        return value.upper()


# The types of attachment Parley recognises by their content (requests/files.py).
ATTACHMENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "text/plain")
WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]", "")


def base_url_for_serving(host: str, port: int) -> tuple[str, bool]:
    """The base URL of processes serving on ``host``:``port`` when PARLEY_BASE_URL is unset,
    and whether answers follow each request's Host: on every address (0.0.0.0, ::), the
    machine's fully qualified name, else its host name, else 127.0.0.1, with the request's
    Host for answers."""
    if host not in WILDCARD_HOSTS:
        shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
        return f"http://{shown}:{port}", False
    name = socket.getfqdn()
    if "." not in name or name.startswith("localhost"):
        name = socket.gethostname()
    if not name or name.startswith("localhost") or not _LABEL.fullmatch(name.split(".")[0].lower()):
        name = "127.0.0.1"
    return f"http://{name}:{port}", True


def mail_domain(base_url: str) -> str | None:
    """The host of ``base_url`` if an email address can be made with it: a domain name of
    two labels or more, not an IP address, not localhost (nor *.localhost, *.local)."""
    try:
        host = (urlsplit(base_url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    labels = host.split(".")
    if len(labels) < 2 or labels[-1] in ("localhost", "local", "internal", "invalid"):
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return None
    if labels[-1].isdigit() or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return host


_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")

SETTING = "parley.setting"  # a field's metadata key: the setting an options record reads


def setting(name: str) -> Any:
    """A field of an options record, read from the setting ``name``."""
    return field(metadata={SETTING: name})


class OptionsRecord:
    """Base of a domain's options record (``uow.options``): a frozen dataclass naming exactly
    the settings the domain reads, each field declared ``setting("<its name in Settings>")``."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(**{f.name: getattr(settings, f.metadata[SETTING]) for f in fields(cls)})


@lru_cache
def get_settings() -> Settings:
    return Settings()
