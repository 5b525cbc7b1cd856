"""The email channel: a text/plain UTF-8 message sent over SMTP.

Destination ``{"to": address, "from": address (optional), "replyTo": address (optional)}``,
payload ``{"subject": str, "body": str, "headers": {name: value} (optional)}``; files enqueued
with the message (``attachments``) go with it as a multipart/mixed email. The Message-ID is
made from the idempotency key (``<key@sender's domain>``) unless the payload's headers give
one, and the key is also sent as ``X-Parley-Idempotency-Key``, so every attempt of one outbox
message carries the same identifiers and a mail system (or a reader's client) can recognise a
repeat. The payload's headers are those that thread a conversation and mark an automatic reply
(``THREAD_HEADERS``: the email channel of mediation sets them), nothing else.

Outcomes: the server accepted the message (2xx) = delivered. A refused recipient, a refused
sender or a refused message with a 5xx reply = permanent, with the server's reply. Any 4xx,
a dropped connection, a timeout, a refused connection or a TLS failure = retry. Failed
authentication (and "authentication required") is retried too, and so is a message with no
sender (PARLEY_SMTP_FROM unset and no domain name in the base URL to make one of): it is a
fault of Parley's configuration, not of the message, and once an administrator has fixed the
settings the waiting messages go out instead of all being dead letters.
"""

import hashlib
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email

from parley.errors import InvalidInput
from parley.outbox.channels import Channel, Message, Outcome
from parley.settings import Settings

KIND = "email"
IDEMPOTENCY_HEADER = "X-Parley-Idempotency-Key"
ADDRESS_FIELDS = ("to", "from", "replyTo")
NO_SENDER = (
    "no sender: set PARLEY_SMTP_FROM (or a PARLEY_BASE_URL with a domain name), or give "
    "destination.from"
)
# Replies that say Parley's credentials (or their absence) are wrong: configuration, retried.
AUTH_CODES = {530, 534, 535, 538}
# Headers a payload may set: a conversation's (RFC 5322 3.6.4) and an automatic reply's marks
# (RFC 3834 Auto-Submitted; Microsoft's X-Auto-Response-Suppress).
THREAD_HEADERS = (
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "X-Auto-Response-Suppress",
)
MAX_HEADER_VALUE = 2000
# What may stand left of the "@" in a Message-ID unquoted (RFC 5322 dot-atom-text).
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def check_destination(destination: dict) -> None:
    if "to" not in destination:
        raise InvalidInput("destination.to: an email address is needed", "destination.to")
    for field in ADDRESS_FIELDS:
        if field in destination:
            _check_address(destination[field], f"destination.{field}")


def _check_address(value, field: str) -> None:
    try:
        if not isinstance(value, str):
            raise EmailNotValidError("not a string")
        validate_email(value, check_deliverability=False)  # no DNS look-up while enqueueing
    except EmailNotValidError as error:
        raise InvalidInput(f"{field}: not a valid email address ({error})", field) from None


def payload_problem(payload: dict) -> str | None:
    """Why no email can be made of this payload (enqueue sees only the destination)."""
    for field in ("subject", "body"):
        if not isinstance(payload.get(field), str):
            return f"payload.{field}: a string is needed"
    if "\n" in payload["subject"] or "\r" in payload["subject"]:
        return "payload.subject: one line"
    headers = payload.get("headers", {})
    if not isinstance(headers, dict):
        return "payload.headers: an object of header names and values"
    for name, value in headers.items():
        if name not in THREAD_HEADERS:
            return f"payload.headers: {name} is not one of {', '.join(THREAD_HEADERS)}"
        if not (isinstance(value, str) and value.isascii() and value.isprintable()):
            return f"payload.headers.{name}: one line of printable ASCII"
        if not 0 < len(value) <= MAX_HEADER_VALUE:
            return f"payload.headers.{name}: 1 to {MAX_HEADER_VALUE} characters"
    return None


def message_id(key: str, sender: str) -> str:
    """``<key@domain>``, the same for every attempt; a key that is not a dot-atom is hashed."""
    left = key if _DOT_ATOM.fullmatch(key) else "sha256." + hashlib.sha256(key.encode()).hexdigest()
    return f"<{left}@{sender.rpartition('@')[2] or 'parley.invalid'}>"


def render(message: Message, sender: str) -> EmailMessage:
    """The email for ``message``; ``sender`` is the From (an address or ``Name <address>``)."""
    destination, payload, key = message.destination, message.payload, message.idempotency_key
    email = EmailMessage()
    email["From"] = sender
    email["To"] = destination["to"]
    if destination.get("replyTo"):
        email["Reply-To"] = destination["replyTo"]
    email["Subject"] = payload["subject"]
    email["Date"] = formatdate(usegmt=True)
    headers = dict(payload.get("headers") or {})
    email["Message-ID"] = headers.pop("Message-ID", None) or message_id(key, parseaddr(sender)[1])
    for name, value in headers.items():
        email[name] = value
    email[IDEMPOTENCY_HEADER] = key if key.isascii() and key.isprintable() else quote(key)
    email.set_content(payload["body"], charset="utf-8")
    for file in message.attachments:  # multipart/mixed: the text first, then the files
        maintype, _, subtype = file.content_type.partition("/")
        email.add_attachment(
            file.content, maintype=maintype, subtype=subtype or "octet-stream",
            filename=file.filename,
        )  # fmt: skip
    return email


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{error.smtp_code} {text}"


class EmailAdapter:
    """One SMTP connection per worker, kept open between messages and checked with NOOP
    before it is used again (servers drop idle connections)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.sender = settings.email_sender()  # PARLEY_SMTP_FROM, or from the base URL
        self.smtp: smtplib.SMTP | None = None

    def deliver(self, message: Message) -> Outcome:
        problem = payload_problem(message.payload)
        if problem:
            return Outcome.permanent(problem)
        sender = message.destination.get("from") or self.sender
        if not sender:
            # Parley's configuration, not the message: it waits, and goes once it is set.
            return Outcome.retry(NO_SENDER)
        email = render(message, sender)
        try:
            smtp = self._connection()
            smtp.send_message(email, parseaddr(sender)[1], [message.destination["to"]])
        except smtplib.SMTPRecipientsRefused as error:
            # One recipient, so this is its refusal; smtplib has reset the session.
            ((code, text),) = error.recipients.values()
            return self._refused(smtplib.SMTPResponseException(code, text), "recipient refused")
        except (smtplib.SMTPConnectError, smtplib.SMTPHeloError) as error:
            # The server turned the connection away, whatever the message: try again later.
            self._drop()
            return Outcome.retry(f"{type(error).__name__}: {_reply(error)}")
        except smtplib.SMTPAuthenticationError as error:
            self._drop()
            return Outcome.retry(f"SMTP authentication failed (check settings): {_reply(error)}")
        except smtplib.SMTPResponseException as error:  # sender or data refused, or a 4xx
            return self._refused(error, type(error).__name__)
        except (smtplib.SMTPException, OSError) as error:  # disconnect, timeout, refused, TLS
            self._drop()
            return Outcome.retry(f"{type(error).__name__}: {error}")
        return Outcome.delivered()

    def _refused(self, error: smtplib.SMTPResponseException, what: str) -> Outcome:
        answer = f"{what}: {_reply(error)}"
        if 500 <= error.smtp_code < 600 and error.smtp_code not in AUTH_CODES:
            return Outcome.permanent(answer)
        self._drop()  # after a 4xx (421 closes the connection) start afresh
        return Outcome.retry(answer)

    def _connection(self) -> smtplib.SMTP:
        if self.smtp is not None:
            try:
                if self.smtp.noop()[0] == 250:
                    return self.smtp
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        self.smtp = self._connect()
        return self.smtp

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=s.smtp_ca_file)
        if s.smtp_security == "tls":
            smtp = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=context
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        try:
            if s.smtp_security == "starttls":
                smtp.starttls(context=context)
            if s.smtp_username:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                smtp.login(s.smtp_username, password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def close(self) -> None:
        self._drop()


CHANNEL = Channel(KIND, check_destination, EmailAdapter)
