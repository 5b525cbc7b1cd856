"""Mail delivered straight to Parley over LMTP (RFC 2033) by a mail server (Postfix's
``lmtp:`` transport, Exim's ``lmtp`` transport): ``parley mail lmtp --port``, an ``aiosmtpd``
LMTP server.

A recipient is accepted if it is one of Parley's own addresses (its mailboxes', the sender's,
``PARLEY_MAIL_OWN_ADDRESSES``; any, where none is configured); others are refused (550), so
the mail server bounces them. The mail is stored raw, committed, before the server answers
250 for each recipient; if it cannot be stored the answer is 451 and the mail server keeps
it and tries again. So a mail is never lost between the two.
"""

import asyncio

import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP

from parley.mediation.email.intake import store_mail
from parley.mediation.email.options import EmailOptions
from parley.mediation.store import InboundStore

log = structlog.get_logger("parley.mediation.email")
DATA_SIZE_LIMIT = 32 * 1024 * 1024


class LmtpHandler:
    def __init__(self, store: InboundStore, options: EmailOptions):
        self.store = store
        self.options = options

    def accepts(self, address: str) -> bool:
        own = self.options.own_addresses
        return not own or address.strip().lower() in own

    def received_by(self, recipients: list[str]) -> str:
        for address in recipients:
            mailbox = self.options.mailbox_of_address(address)
            if mailbox is not None:
                return mailbox.name
        return "lmtp"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if not self.accepts(address):
            return f"550 5.1.1 <{address}>: not one of Parley's addresses"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        recipients = list(envelope.rcpt_tos)
        loop = asyncio.get_running_loop()
        try:
            received = await loop.run_in_executor(
                None,
                store_mail,
                self.store,
                envelope.original_content,
                self.received_by(recipients),
                (envelope.mail_from or "").strip().strip("<>"),  # "" for a bounce's <>
                recipients,
            )
        except Exception:
            log.exception("mail not stored; the server will try again", recipients=recipients)
            status = "451 4.3.0 not stored; try again later"
        else:
            status = f"250 2.0.0 <{received.id}> stored"
        # LMTP answers DATA once per recipient; aiosmtpd sends the one returned last.
        for _ in recipients[1:]:
            await server.push(status)
        return status


class LmtpController(Controller):
    def factory(self):
        return LMTP(self.handler, data_size_limit=DATA_SIZE_LIMIT)


def lmtp_server(store: InboundStore, options: EmailOptions, host: str, port: int):
    """The server, to ``start()`` and ``stop()`` (it serves on a thread of its own)."""
    return LmtpController(LmtpHandler(store, options), hostname=host, port=port)
