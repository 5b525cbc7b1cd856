"""`parley mail lmtp`'s server (aiosmtpd's LMTP): a mail server delivers to Parley's addresses,
each mail is stored raw before the answer, once per Message-ID; unknown recipients are refused
(the mail server bounces them), and a mail that cannot be stored is answered 451 (the mail
server keeps it and tries again)."""

import smtplib
import socket

import pytest

from parley.mediation.email import EmailOptions
from parley.mediation.email.lmtp import lmtp_server
from parley.mediation.models import InboundMessage
from parley.settings import Mailbox
from tests.mediation.conftest import reloaded
from tests.mediation.email.conftest import NORA, SUPPORT, make_mail, support_mailbox
from tests.outbox.conftest import free_port

SALES = "sales@parley.example.com"


@pytest.fixture
def options(settings):
    configured = settings.model_copy(
        update={
            "mail_mailboxes": [Mailbox(**support_mailbox()), Mailbox(name="sales", address=SALES)],
            "smtp_from": SUPPORT,
        }
    )
    return EmailOptions.from_settings(configured)


@pytest.fixture
def lmtp(store, options):
    server = lmtp_server(store, options, "127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


def _send(server, sender, recipients, content):
    with smtplib.LMTP("127.0.0.1", server.port) as client:
        return client.sendmail(sender, recipients, content)


def test_a_delivered_mail_is_stored_raw_with_its_envelope(session, lmtp):
    content = make_mail(subject="Over LMTP", Message_ID="<lmtp-1@example.org>")

    assert _send(lmtp, NORA, [SUPPORT], content) == {}

    (message,) = session.query(InboundMessage).all()
    assert message.content.replace(b"\r\n", b"\n").rstrip() == content.rstrip()  # CRLF on the wire
    assert message.received_by == "support"
    assert message.headers["envelope-from"] == NORA
    assert message.headers["envelope-to"] == SUPPORT
    assert message.headers["subject"] == "Over LMTP"
    assert message.idempotency_key == "message-id:<lmtp-1@example.org>"


def _conversation(server, lines: list[bytes], answers: int) -> list[bytes]:
    """An LMTP exchange line by line (smtplib's LMTP reads one answer to DATA, whereas
    RFC 2033 gives one per recipient): the answers' lines, the greeting's first."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"".join(line + b"\r\n" for line in lines))
        received = b""
        while received.count(b"\r\n") < answers:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return [line for line in received.split(b"\r\n") if line]


def test_each_recipient_is_answered_and_the_mail_stored_once(session, lmtp):
    content = make_mail(to=f"{SUPPORT}, {SALES}").replace(b"\n", b"\r\n").rstrip(b"\r\n")
    lines = [b"LHLO mx.example.org", f"MAIL FROM:<{NORA}>".encode(),
             f"RCPT TO:<{SUPPORT}>".encode(), f"RCPT TO:<{SALES}>".encode(), b"DATA",
             content, b".", b"QUIT"]  # fmt: skip

    answers = _conversation(lmtp, lines, 20)

    stored = [a for a in answers if a.startswith(b"250 2.0.0")]
    assert len(stored) == 2 and stored[0] == stored[1]  # one answer per recipient
    assert _send(lmtp, NORA, [SALES], make_mail(to=SALES)) == {}  # another mail
    assert session.query(InboundMessage).count() == 2
    assert _send(lmtp, NORA, [SUPPORT], content) == {}  # delivered again: the same message
    assert session.query(InboundMessage).count() == 2


def test_a_stranger_address_is_refused_so_the_mail_server_bounces_it(session, lmtp):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(lmtp, NORA, ["someone@elsewhere.example"], make_mail())

    ((code, text),) = refused.value.recipients.values()
    assert code == 550 and b"not one of Parley's addresses" in text
    assert _send(lmtp, NORA, [SUPPORT, "x@elsewhere.example"], make_mail()) == {
        "x@elsewhere.example": (550, b"5.1.1 <x@elsewhere.example>: not one of Parley's addresses")
    }


def test_a_bounce_keeps_its_empty_sender(session, lmtp, store):
    received = _send(lmtp, "", [SUPPORT], make_mail(sender="MAILER-DAEMON@mx.example.org"))

    assert received == {}
    (message,) = session.query(InboundMessage).all()
    assert reloaded(session, message.id).headers["envelope-from"] == ""


class BrokenStore:
    def receive(self, *args, **kwargs):
        raise RuntimeError("the database is away")


def test_a_mail_that_cannot_be_stored_is_answered_451(options):
    server = lmtp_server(BrokenStore(), options, "127.0.0.1", free_port())
    server.start()
    try:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            _send(server, NORA, [SUPPORT], make_mail())
    finally:
        server.stop()
    assert refused.value.smtp_code == 451
