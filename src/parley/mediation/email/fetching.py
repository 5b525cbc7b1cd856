"""Fetching every IMAP mailbox of the settings: once (the workers' job, ``parley mail fetch
--once``) or watched, one thread per mailbox (``parley mail fetch``). Run with the settings
by the workers and the CLI, like the other jobs that open sessions of their own."""

import threading

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from parley.mediation.email.imap import Fetched, MailboxReader
from parley.mediation.email.options import EmailOptions
from parley.mediation.store import InboundStore
from parley.settings import Settings

log = structlog.get_logger("parley.mediation.email")


def readers(engine: Engine, settings: Settings, names: list[str] | None = None):
    """A reader per IMAP mailbox (of ``names``, if given)."""
    store = InboundStore(sessionmaker(bind=engine, expire_on_commit=False))
    mailboxes = EmailOptions.from_settings(settings).mailboxes
    unknown = set(names or []) - {m.name for m in mailboxes if m.host}
    if unknown:
        raise ValueError(f"no IMAP mailbox named {', '.join(sorted(unknown))}")
    return [MailboxReader(m, store) for m in mailboxes if m.host and (not names or m.name in names)]


def fetch_mailboxes(engine: Engine, settings: Settings, names=None) -> dict[str, Fetched]:
    """One pass over each mailbox; one that fails is logged and the others are fetched."""
    done: dict[str, Fetched] = {}
    for reader in readers(engine, settings, names):
        try:
            done[reader.mailbox.name] = reader.fetch_once()
        except Exception:
            log.exception("mailbox not fetched", mailbox=reader.mailbox.name)
    return done


def watch_mailboxes(engine: Engine, settings: Settings, stopping: threading.Event, names=None):
    """Watch each mailbox with IDLE on a thread of its own until ``stopping`` is set."""
    threads = [
        threading.Thread(target=reader.watch, args=(stopping,), name=f"mail-{reader.mailbox.name}")
        for reader in readers(engine, settings, names)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(threads)
