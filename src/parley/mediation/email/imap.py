"""Fetching Parley's IMAP mailboxes (``imap-tools``): each new mail is stored raw in the inbound
store (``intake.store_mail``, committed) and only then flagged ``\\Seen`` or moved to the
mailbox's done folder. A fetcher that dies between the two leaves the mail unflagged: fetched
again, it is the same message (its Message-ID, else its bytes), stored once.

``MailboxReader.fetch_once`` is one pass (the workers' job, ``parley mail fetch --once``);
``watch`` stays connected and waits for new mail with IDLE (``parley mail fetch``),
reconnecting after a failure with a growing pause.
"""

import contextlib
import re
import ssl
import threading
from dataclasses import dataclass, field

import structlog
from imap_tools import (
    AND,
    BaseMailBox,
    MailBox,
    MailBoxStartTls,
    MailBoxUnencrypted,
    MailMessageFlags,
)

from parley.mediation.email.intake import store_mail
from parley.mediation.email.options import Mailbox, mailbox_password
from parley.mediation.store import InboundStore

log = structlog.get_logger("parley.mediation.email")
TIMEOUT_SECONDS = 30.0
IDLE_SECONDS = 120.0  # each IDLE is ended and the mailbox looked at afresh this often
POLL_SECONDS = 1.0  # within IDLE: how soon a fetcher told to stop notices
MAX_PAUSE_SECONDS = 60.0
BATCH = 200  # mails per pass at most: a large backlog is taken in turns with the others
_FETCHED = re.compile(rb"BODY\[\] \{\d+\}")


@dataclass
class Fetched:
    stored: int = 0  # new messages
    duplicates: int = 0  # stored before (fetched again)
    failed: list[str] = field(default_factory=list)  # uids that could not be read or stored


class MailboxReader:
    def __init__(self, mailbox: Mailbox, store: InboundStore):
        if mailbox.host is None:
            raise ValueError(f"mailbox {mailbox.name} has no IMAP host (LMTP only)")
        self.mailbox = mailbox
        self.store = store

    def connect(self) -> BaseMailBox:
        m = self.mailbox
        host, port = m.host or "", m.imap_port()
        if m.security == "none":
            box: BaseMailBox = MailBoxUnencrypted(host, port, timeout=TIMEOUT_SECONDS)
        else:
            context = ssl.create_default_context(cafile=m.ca_file)
            if m.security == "starttls":
                box = MailBoxStartTls(host, port, timeout=TIMEOUT_SECONDS, ssl_context=context)
            else:
                box = MailBox(host, port, timeout=TIMEOUT_SECONDS, ssl_context=context)
        box.login(m.user or m.address, mailbox_password(m), initial_folder=m.folder)
        if m.done_folder and not box.folder.exists(m.done_folder):
            box.folder.create(m.done_folder)
        return box

    def fetch_once(self) -> Fetched:
        box = self.connect()
        try:
            return self.fetch_new(box)
        finally:
            box.logout()

    def fetch_new(self, box: BaseMailBox) -> Fetched:
        """Store what is new in the folder, then flag or move each stored mail."""
        done = Fetched()
        criteria = "ALL" if self.mailbox.done_folder else AND(seen=False)
        for uid in box.uids(criteria)[:BATCH]:
            try:
                content = self._raw(box, uid)
                received = store_mail(self.store, content, self.mailbox.name)
            except Exception:  # one unreadable mail must not hold the others up
                log.exception("mail not stored", mailbox=self.mailbox.name, uid=uid)
                done.failed.append(uid)
                continue
            if received.duplicate:
                done.duplicates += 1
            else:
                done.stored += 1
            self._done(box, uid)  # only now: it is stored
        return done

    def watch(self, stopping: threading.Event) -> None:
        """Fetch, then wait for new mail with IDLE, until ``stopping`` is set."""
        pause = 1.0
        while not stopping.is_set():
            try:
                box = self.connect()
                try:
                    pause = 1.0
                    while not stopping.is_set():
                        fetched = self.fetch_new(box)
                        if fetched.stored or fetched.failed:
                            log.info("mail fetched", mailbox=self.mailbox.name, **vars(fetched))
                        self._idle(box, stopping)
                finally:
                    with contextlib.suppress(Exception):  # the connection is gone already
                        box.logout()
            except Exception:
                log.exception("mailbox unreachable", mailbox=self.mailbox.name, pause=pause)
                stopping.wait(pause)
                pause = min(pause * 2, MAX_PAUSE_SECONDS)

    def _idle(self, box: BaseMailBox, stopping: threading.Event) -> None:
        """Wait in IDLE until the server tells of a change, ``stopping`` is set, or
        IDLE_SECONDS have passed (then the folder is looked at afresh in any case)."""
        if box.client.untagged_responses.pop("EXISTS", None):
            return  # told of mail during the fetch (or SELECT's count): look again first
        with box.idle as idle:
            if "EXISTS" in box.client.untagged_responses or _read_ahead(box):
                return  # mail that came since the fetch, told of as IDLE started
            for _ in range(int(IDLE_SECONDS / POLL_SECONDS)):
                if stopping.is_set() or idle.poll(timeout=POLL_SECONDS):
                    return

    def _raw(self, box: BaseMailBox, uid: str) -> bytes:
        """The mail exactly as the server keeps it (not re-serialised), left unread."""
        status, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
        for item in data or []:
            if isinstance(item, tuple) and _FETCHED.search(item[0]):
                return item[1]
        raise RuntimeError(f"FETCH {uid}: no message in the answer ({status})")

    def _done(self, box: BaseMailBox, uid: str) -> None:
        if self.mailbox.done_folder:
            box.move(uid, self.mailbox.done_folder)
        else:
            box.flag(uid, MailMessageFlags.SEEN, True)


def _read_ahead(box: BaseMailBox) -> bool:
    """Whether the client has read more of the server's answer than it has taken: news sent
    with IDLE's "+ idling" (a mail delivered since the fetch) arrives in the same packet and
    waits in the client's buffer, where waiting on the socket never sees it."""
    sock = box.client.sock
    timeout = sock.gettimeout()
    sock.settimeout(0)  # a look at what is buffered, never a wait for more
    try:
        return bool(box.client.file.peek(1))
    except OSError:  # nothing buffered, and nothing more to read yet (TLS says so this way)
        return False
    finally:
        sock.settimeout(timeout)
