"""What the email channel reads of the settings (``uow.options(EmailOptions)``), and the
mailboxes' passwords (a key file or an environment variable each, read when connecting)."""

import os
from dataclasses import dataclass
from pathlib import Path

from parley.settings import Mailbox, OptionsRecord, setting


@dataclass(frozen=True)
class EmailOptions(OptionsRecord):
    """Parley's mailboxes (what mail to each does); every address that is Parley's own (no
    acknowledgement to it, no interaction from it); the domain of the Message-IDs Parley
    makes; how many acknowledgements a sender gets (``parley.rates``); the language of an
    acknowledgement to a sender who is no customer with a preference."""

    mailboxes: list[Mailbox] = setting("mail_mailboxes")
    own_addresses: frozenset[str] = setting("own_mail_addresses")
    message_id_domain: str = setting("message_id_domain")
    acknowledge_limit: str = setting("mail_acknowledge_limit")
    language: str = setting("default_language")
    phone_region: str = setting("default_phone_region")

    def mailbox(self, name: str) -> Mailbox | None:
        return next((m for m in self.mailboxes if m.name == name), None)

    def mailbox_of_address(self, address: str) -> Mailbox | None:
        address = address.strip().lower()
        return next((m for m in self.mailboxes if m.address == address), None)


def mailbox_password(mailbox: Mailbox) -> str:
    """The mailbox's password: the first line of its key file, or its environment variable."""
    if mailbox.password_file:
        lines = Path(mailbox.password_file).read_text(encoding="utf-8").splitlines()
        return lines[0].strip() if lines else ""
    if mailbox.password_env:
        return os.environ.get(mailbox.password_env, "")
    return ""
