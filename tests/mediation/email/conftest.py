"""Email channel test set-up: mails made as a mail program would, the settings of Parley's
mailboxes, a worker's pass in the test's session, and a private Dovecot for the run (skipped
where Dovecot cannot run, unless PARLEY_TEST_REQUIRE_DOVECOT=1 as in CI, where it fails)."""

import os
import random
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pytest

from parley.mediation import APPLIED, InboundApplier
from parley.mediation.email import store_mail
from parley.settings import Mailbox
from tests.mediation.conftest import reloaded
from tests.mediation.email import dovecot_server

SUPPORT = "support@parley.example.com"
HELP = "help@parley-two.example.com"
NORA = "nora@example.org"  # tests.web.helpers.make_customer's address
STRANGER = "kai@example.net"
USERS = [SUPPORT, HELP, NORA, STRANGER]
CPYTHON_MAILS = "/usr/lib/python3.11/test/test_email/data"
# zapier/email-reply-parser's test emails, kept with the tests (corpus/README.md).
REPLY_CORPUS = os.path.join(os.path.dirname(__file__), "corpus", "reply-parser")


def _missing(reason: str) -> None:
    if os.environ.get("PARLEY_TEST_REQUIRE_DOVECOT") == "1":
        pytest.fail(f"{reason} (PARLEY_TEST_REQUIRE_DOVECOT=1)", pytrace=False)
    pytest.skip(reason)


def reply_corpus(name: str) -> str:
    """A text of zapier/email-reply-parser's test emails (MIT licence, corpus/)."""
    if not os.path.isdir(REPLY_CORPUS):
        _missing(f"the reply-parser corpus is not at {REPLY_CORPUS}")
    with open(os.path.join(REPLY_CORPUS, f"{name}.txt"), encoding="utf-8") as handle:
        return handle.read()


def require_cpython_mails() -> str:
    if not os.path.isdir(CPYTHON_MAILS):
        _missing("CPython's test mails are missing: apt-get install -y libpython3.11-testsuite")
    return CPYTHON_MAILS


def make_mail(
    sender: str = NORA,
    to: str = SUPPORT,
    subject: str = "My internet is down",
    body: str = "Hello,\n\nmy internet has been down since this morning.\n\nNora Keller\n",
    **headers: str,
) -> bytes:
    """A mail as a mail program sends it: headers given as ``In_Reply_To="<...>"``."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = headers.pop("Message_ID", None) or make_msgid(domain="example.org")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def support_mailbox(**options) -> dict:
    return {"name": "support", "address": SUPPORT, **options}


@pytest.fixture
def mail_settings(settings):
    """Parley with the support mailbox (acknowledging, raising requests), sending as it."""
    return settings.model_copy(
        update={
            "mail_mailboxes": [Mailbox(**support_mailbox(raise_requests=True))],
            "smtp_from": f"Parley Support <{SUPPORT}>",
            "mail_message_id_domain": "parley.example.com",
        }
    )


@pytest.fixture
def receive_mail(store):
    def receive(content: bytes, mailbox: str = "support", envelope_from: str | None = None):
        return store_mail(store, content, mailbox, envelope_from)

    return receive


@pytest.fixture
def apply_mail(session, mail_settings):
    """One worker pass over what is due, in the test's session, with the mail settings."""

    def run(settings=None):
        done = InboundApplier(session, settings or mail_settings, random.Random(3)).apply_due(100)
        session.commit()
        return done

    return run


@pytest.fixture
def applied(session, receive_mail, apply_mail):
    """A mail received and applied: its outcome."""

    def run(content: bytes, **options) -> dict:
        received = receive_mail(content, **options)
        apply_mail()
        return outcome_of(session, received)

    return run


def outcome_of(session, received) -> dict:
    message = reloaded(session, received.id)
    assert message.state == APPLIED, (message.state, message.reason, message.last_error)
    return message.outcome


def require_dovecot() -> None:
    reason = dovecot_server.runnable()
    if reason is not None:
        _missing(reason)


@pytest.fixture(scope="session")
def dovecot_session():
    require_dovecot()
    with dovecot_server.Dovecot(USERS) as server:
        yield server


@pytest.fixture
def dovecot(dovecot_session):
    dovecot_session.empty()
    return dovecot_session
