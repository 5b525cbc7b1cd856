"""Parley's mailboxes as an operator configures them (PARLEY_MAIL_MAILBOXES, JSON): checked at
start, passwords from a key file or the environment, never in the settings themselves; the
addresses that are Parley's own and the domain of its Message-IDs."""

import json

import pytest
from pydantic import ValidationError

from parley import wiring
from parley.mediation import EMAIL
from parley.mediation.email import EmailOptions, mailbox_password
from parley.mediation.email.threads import ACKNOWLEDGEMENT
from parley.settings import Mailbox, Settings

IMAP = {"name": "support", "address": "Support@Example.com", "host": "imap.example.com"}


def test_mailboxes_are_read_from_the_environment(monkeypatch, tmp_path):
    key = tmp_path / "support.key"
    key.write_text("s3cret\nignored\n")
    monkeypatch.setenv("PARLEY_MAIL_MAILBOXES", json.dumps([
        {**IMAP, "password_file": str(key), "done_folder": "Parley"},
        {"name": "lmtp-only", "address": "orders@example.com", "raise_requests": True},
    ]))  # fmt: skip
    monkeypatch.setenv("PARLEY_SMTP_FROM", "Care <care@example.com>")
    monkeypatch.setenv("PARLEY_MAIL_OWN_ADDRESSES", "noreply@example.com, Billing@Example.com")

    options = EmailOptions.from_settings(Settings(_env_file=None))

    support, orders = options.mailboxes
    assert (support.address, support.imap_port(), support.folder) == (
        "support@example.com", 993, "INBOX",
    )  # fmt: skip
    assert mailbox_password(support) == "s3cret"
    assert orders.host is None and orders.raise_requests and orders.acknowledge
    assert options.own_addresses == {
        "support@example.com", "orders@example.com", "care@example.com",
        "noreply@example.com", "billing@example.com",
    }  # fmt: skip
    assert options.message_id_domain == "example.com"
    assert options.mailbox_of_address("ORDERS@example.com") is orders


def test_a_password_may_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SUPPORT_IMAP_PASSWORD", "from-env")

    assert mailbox_password(Mailbox(**IMAP, password_env="SUPPORT_IMAP_PASSWORD")) == "from-env"


@pytest.mark.parametrize(
    ("mailbox", "problem"),
    [
        (IMAP, "give password_file or password_env"),
        ({**IMAP, "password_file": "a", "password_env": "B"}, "give password_file or password_env"),
        ({**IMAP, "password_env": "X", "security": "none"}, "security none only to a loopback"),
        ({**IMAP, "password_env": "X", "address": "Support <s@example.com>"}, "without a name"),
        ({**IMAP, "password_env": "X", "name": "Support Desk"}, "pattern"),
        ({**IMAP, "password_env": "X", "password": "inline"}, "Extra inputs"),
    ],
)
def test_a_bad_mailbox_stops_parley_at_start(mailbox, problem):
    with pytest.raises(ValidationError, match=problem):
        Settings(mail_mailboxes=[mailbox], _env_file=None)


def test_mailbox_names_are_unique_and_limits_are_rates():
    twice = [{"name": "a", "address": "a@example.com"}, {"name": "a", "address": "b@example.com"}]
    with pytest.raises(ValidationError, match="each name once"):
        Settings(mail_mailboxes=twice, _env_file=None)
    with pytest.raises(ValidationError, match="is not a rate"):
        Settings(mail_acknowledge_limit="often", _env_file=None)


def test_message_ids_are_made_under_parleys_domain():
    assert Settings(base_url="https://crm.example.org", _env_file=None).message_id_domain == (
        "crm.example.org"
    )
    named = Settings(mail_message_id_domain="Mail.Example.org", _env_file=None)
    assert named.message_id_domain == "mail.example.org"
    mailbox = {"name": "support", "address": "support@desk.example.net"}
    assert Settings(mail_mailboxes=[mailbox], _env_file=None).message_id_domain == (
        "desk.example.net"  # the base URL (127.0.0.1) has no domain name
    )


def test_the_email_channel_is_wired_under_the_domains_own_names():
    wiring.wire()
    assert wiring.EMAIL == EMAIL
    assert wiring.EMAIL_ACKNOWLEDGEMENT == ACKNOWLEDGEMENT
