"""A real SMTP server for the email tests (aiosmtpd on a thread of its own) that records what
it accepts and answers as told; optionally STARTTLS with a self-signed certificate and AUTH."""

import email
import email.policy
import ssl
import subprocess
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.outbox.conftest import free_port


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1, made with openssl (the `cryptography` package is not
    among Parley's dependencies, openssl is on every machine that runs Parley's tests)."""
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert),
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class SmtpServer:
    """``refuse_rcpt``: address -> reply for RCPT TO; ``data_replies``: replies to DATA, used up
    one per message before messages are accepted. With ``certificate`` the server offers
    STARTTLS and requires it, and with ``login`` it requires AUTH with those credentials."""

    def __init__(self, port: int | None = None, certificate=None, login=None):
        self.port = port or free_port()
        self.received: list[Received] = []
        self.refuse_rcpt: dict[str, str] = {}
        self.data_replies: list[str] = []
        self.logins: list[str] = []
        options = {}
        if certificate:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*certificate)
            options.update(tls_context=context, require_starttls=True)
        if login:
            options.update(authenticator=self._authenticator(login), auth_required=True)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.controller.stop()

    def _authenticator(self, login: tuple[str, str]):
        def check(_server, _session, _envelope, _mechanism, data) -> AuthResult:
            if not isinstance(data, LoginPassword):
                return AuthResult(success=False, handled=False)
            given = (data.login.decode(), data.password.decode())
            self.logins.append(given[0])
            # handled=False: aiosmtpd answers (235 or 535) itself.
            return AuthResult(success=given == login, handled=False)

        return check

    async def handle_RCPT(self, _server, _session, envelope, address, _options):  # noqa: N802
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802
        if self.data_replies:
            return self.data_replies.pop(0)
        content = envelope.content.replace(b"\r\n", b"\n")  # SMTP's line ends, not Python's
        message = email.message_from_bytes(content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"
