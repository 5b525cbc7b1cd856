"""Automatic acknowledgements of new mail, and the rules that keep two programs from answering
each other for ever (RFC 3834).

A new mail (not a reply in a request's thread) is acknowledged when its mailbox says so and
none of these holds: a program sent it (``Auto-Submitted`` other than ``no``, ``Precedence:
bulk/junk/list``, a mailing list's headers, a report, an empty Return-Path, mailer-daemon and
the like: ``reading.automatic``); the acknowledgement would go to one of Parley's own
addresses; the sender had their share of acknowledgements already
(``PARLEY_MAIL_ACKNOWLEDGE_LIMIT`` per address, counted in the worker's transaction).

The acknowledgement is marked ``Auto-Submitted: auto-replied`` (and asks Microsoft's
responders to keep quiet), answers the mail (``In-Reply-To``, ``References``) and goes to its
Return-Path (RFC 3834 section 4), or its sender where the mail names none. It is an outbox
email in the worker's transaction: sent exactly when the mail's application is committed.
"""

from dataclasses import dataclass

from parley import ratelimit
from parley.changes import UnitOfWork
from parley.mediation.email.options import EmailOptions, Mailbox
from parley.mediation.email.threads import ACKNOWLEDGEMENT, Threads, token_of, with_token
from parley.notifications.preferences import PreferenceService
from parley.outbox.service import OutboxService
from parley.rates import describe, parse_rates

SCOPE = "mail-ack"
AUTOMATIC_HEADERS = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
WORDS = {
    "en": {
        "subject": "Re: {subject}",
        "no_subject": "Your message",
        "hello": "Hello {name},",
        "hello_anonymous": "Hello,",
        "received": "thank you for your message. We have received it and will get back to "
        "you as soon as we can.",
        "request": "We are handling it as request {reference}. Please keep {token} in the "
        "subject when you write to us about it.",
        "automatic": "This is an automatic acknowledgement.",
    },
    "de": {
        "subject": "AW: {subject}",
        "no_subject": "Ihre Nachricht",
        "hello": "Guten Tag {name},",
        "hello_anonymous": "Guten Tag,",
        "received": "vielen Dank für Ihre Nachricht. Wir haben sie erhalten und melden uns "
        "so bald wie möglich bei Ihnen.",
        "request": "Wir bearbeiten sie als Anfrage {reference}. Bitte lassen Sie {token} im "
        "Betreff, wenn Sie uns dazu schreiben.",
        "automatic": "Dies ist eine automatische Eingangsbestätigung.",
    },
}


@dataclass(frozen=True)
class Decision:
    to: str | None  # where the acknowledgement goes; None: none is sent
    why_not: str | None = None


def decide(uow: UnitOfWork, mail: dict, mailbox: Mailbox | None) -> Decision:
    """Whether a new mail is acknowledged, and to which address (the rate limit is counted
    here, in the caller's transaction: a mail rolled back counts nothing)."""
    options = uow.options(EmailOptions)
    if mailbox is None or not mailbox.acknowledge:
        return Decision(None, "acknowledgements are off for this mailbox")
    if mail.get("automatic"):
        return Decision(None, f"a program sent it: {mail['automatic']}")
    return_path = mail.get("returnPath")
    to = return_path or mail["from"]
    if to in options.own_addresses:
        return Decision(None, f"{to} is Parley's own address")
    rates = parse_rates(options.acknowledge_limit)
    verdict = ratelimit.hit(uow.session, rates, SCOPE, to)
    if not verdict.allowed:
        return Decision(None, f"{to} had the acknowledgements it may have ({describe(rates)})")
    return Decision(to)


def acknowledge(
    uow: UnitOfWork,
    mail: dict,
    to: str,
    mailbox: Mailbox,
    inbound_id: str,
    customer: tuple[str, str] | None,  # (id, name) if identified
    request: tuple[str, str] | None,  # (id, reference) if one was raised
) -> str:
    """Queue the acknowledgement; the outbox message's id."""
    options = uow.options(EmailOptions)
    language = options.language
    if customer is not None:
        preferred = (PreferenceService(uow).get(customer[0]).language or "")[:2]
        language = preferred if preferred in WORDS else language
    words = WORDS.get(language, WORDS["en"])
    subject = words["subject"].format(subject=mail.get("subject") or words["no_subject"])
    lines = [
        words["hello"].format(name=customer[1]) if customer else words["hello_anonymous"],
        "",
        words["received"],
    ]
    if request is not None:
        subject = with_token(subject, request[1])
        token = token_of(request[1])
        lines += ["", words["request"].format(reference=request[1], token=token)]
    lines += ["", words["automatic"]]
    headers = Threads(uow).headers(request[0] if request else None, mail.get("messageId"))
    payload = {
        "subject": " ".join(subject.split())[:500],
        "body": "\n".join(lines) + "\n",
        "headers": {**headers, **AUTOMATIC_HEADERS},
        "thread": {
            "request": request[0] if request else None,
            "customer": customer[0] if customer else None,
        },
    }
    queued = OutboxService(uow).enqueue(
        "email",
        {"to": to, "from": mailbox.address},
        payload,
        idempotency_key=f"mail-ack:{inbound_id}",
        subject=(ACKNOWLEDGEMENT, inbound_id),
    )
    return queued.id
