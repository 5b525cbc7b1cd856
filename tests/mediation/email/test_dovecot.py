"""The email channel against a private Dovecot: real mails (CPython's test mails, the
reply-parser corpus) delivered over LMTP into Parley's mailbox, fetched over IMAP, stored,
identified and threaded by the workers; what Parley sends goes out through its outbox (SMTP to
a relay that delivers into Dovecot), and the customer's answer finds its request. A malformed
mail is stored and reported, never lost; two Parley mailboxes answering each other stop."""

import json
import os
import random
import threading
import time

import pytest
from imap_tools import MailMessageFlags
from imap_tools.idle import IdleManager
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from parley.cli import app as cli
from parley.db import engine as engine_module
from parley.interactions.models import Interaction
from parley.jobs import worker_jobs
from parley.mediation import APPLIED, REJECTED, InboundJob, InboundStore
from parley.mediation.email.fetching import fetch_mailboxes
from parley.mediation.email.imap import MailboxReader
from parley.mediation.models import InboundMessage
from parley.outbox.worker import Worker
from parley.requests.models import CustomerRequest
from parley.settings import Mailbox, get_settings
from tests.mediation.email.conftest import (
    HELP,
    NORA,
    STRANGER,
    SUPPORT,
    make_mail,
    reply_corpus,
    require_cpython_mails,
)
from tests.mediation.email.dovecot_server import SmtpToLmtp
from tests.web.helpers import make_customer


@pytest.fixture
def relay(dovecot):
    with SmtpToLmtp(dovecot) as running:
        yield running


def parley_settings(settings, dovecot, relay, *mailboxes: dict, **overrides):
    """Parley with these IMAP mailboxes of the Dovecot, sending through the relay."""
    first = mailboxes[0]["address"]
    return settings.model_copy(
        update={
            "mail_mailboxes": [Mailbox(**m) for m in mailboxes],
            "smtp_host": "127.0.0.1",
            "smtp_port": relay.port,
            "smtp_from": f"Parley <{first}>",
            "mail_message_id_domain": first.partition("@")[2],
            "outbox_retry_base_seconds": 0.01,
            "outbox_retry_max_delay_seconds": 0.02,
            **overrides,
        }
    )


class Parley:
    """One Parley installation's workers: fetch its mailboxes, apply, send."""

    def __init__(self, engine, settings):
        self.engine, self.settings = engine, settings
        self.outbox = Worker(engine, settings, rng=random.Random(7))

    def cycle(self) -> int:
        """One round; how much it did (mail stored, messages applied, emails sent)."""
        fetched = fetch_mailboxes(self.engine, self.settings)
        stored = sum(f.stored for f in fetched.values())
        applied = InboundJob(self.engine, self.settings).run_once().claimed
        sent = 0
        while (batch := self.outbox.run_once()) > 0:
            sent += batch
        return stored + applied + sent

    def close(self):
        self.outbox.close()


@pytest.fixture
def parley(engine, settings, dovecot, relay):
    made = []

    def build(*mailboxes: dict, **overrides) -> Parley:
        made.append(Parley(engine, parley_settings(settings, dovecot, relay, *mailboxes,
                                                   **overrides)))  # fmt: skip
        return made[-1]

    yield build
    for one in made:
        one.close()


def _messages(session, **where) -> list[InboundMessage]:
    session.expire_all()
    query = select(InboundMessage).order_by(InboundMessage.received_at)
    for name, value in where.items():
        query = query.where(getattr(InboundMessage, name) == value)
    rows = list(session.scalars(query))
    session.commit()
    return rows


def _corpus(name: str) -> bytes:
    with open(os.path.join(require_cpython_mails(), name), "rb") as handle:
        return handle.read()


def test_corpus_mails_are_fetched_identified_and_threaded(session, client, dovecot, parley):
    require_cpython_mails()
    nora = make_customer(client)
    barry = make_customer(client, "Barry", "Warsaw", email="barry@python.org",
                          phone="+49 30 5550101")  # fmt: skip
    support = dovecot.imap_mailbox("support", SUPPORT, raise_requests=True)
    installation = parley(support)
    dovecot.deliver(make_mail(subject="Internet not working", Message_ID="<n1@example.org>"),
                    SUPPORT, NORA)  # fmt: skip
    for name in ("msg_04.txt", "msg_07.txt", "msg_46.txt"):
        dovecot.deliver(_corpus(name), SUPPORT, "sender@example.net")

    assert installation.cycle() > 0

    stored = _messages(session)
    assert [m.state for m in stored] == [APPLIED] * 4
    by_subject = {m.headers["subject"]: m.outcome for m in stored}
    assert by_subject["a simple multipart"]["customer"] == barry["id"]  # msg_04: Barry's address
    assert by_subject["Here is your dingus fish"]["customer"] is None  # barry@digicool.com
    request = session.get(CustomerRequest, by_subject["Internet not working"]["request"])
    assert request.customer_id == nora["id"]
    session.commit()  # ends the read: on SQLite it would hold the lock the workers need
    # Everything fetched is flagged \Seen in the mailbox, after it was stored
    seen = [MailMessageFlags.SEEN in m.flags for m in dovecot.messages(SUPPORT)]
    assert seen == [True] * 4
    # Nora got the request's notices (received, in progress) in her own mailbox, each with
    # the request's token and threaded with her mail
    notices = dovecot.messages(NORA)
    assert [n.subject for n in notices] == [
        f"We have received your request {request.reference} [#{request.reference}]",
        f"Your request {request.reference}: in progress [#{request.reference}]",
    ]
    for notice in notices:
        assert notice.headers["in-reply-to"] == ("<n1@example.org>",)
        assert notice.headers["message-id"][0].endswith("@parley.example.com>")
    # She answers it from her mail program, quoting it (the reply-parser corpus's text)
    body = reply_corpus("email_1_2")
    answer = make_mail(subject="Re: " + notice.subject, body=body,
                       In_Reply_To=notice.headers["message-id"][0])  # fmt: skip
    dovecot.deliver(answer, SUPPORT, NORA)

    installation.cycle()

    outcome = _messages(session, state=APPLIED)[-1].outcome
    assert (outcome["request"], outcome["threadedBy"]) == (request.id, "answers")
    session.expire_all()
    note = session.get(CustomerRequest, request.id).document["note"][-1]["text"]
    assert "You can list the keys for the bucket" in note
    assert "riak-users" not in note and "wrote:" not in note  # the quoted history left out
    session.commit()


def test_a_malformed_mail_is_stored_and_reported_never_lost(session, dovecot, parley, uow):
    require_cpython_mails()
    installation = parley(dovecot.imap_mailbox("support", SUPPORT))
    broken = _corpus("msg_41.txt")  # multipart/alternative without a boundary
    dovecot.deliver(broken, SUPPORT, "xxx@example.com")
    dovecot.deliver(_corpus("msg_18.txt"), SUPPORT, "somebody@example.com")  # no From

    installation.cycle()

    rejected = _messages(session, state=REJECTED)
    assert [m.reason for m in rejected] == [
        "content: malformed: a multipart mail without a boundary (NoBoundaryInMultipartDefect)",
        "from: malformed: no sender address",
    ]
    # kept as Dovecot handed it over: its trace headers, then the mail itself
    kept = rejected[0].content.replace(b"\r\n", b"\n")
    assert kept.startswith(b"Return-Path: <xxx@example.com>\nDelivered-To: " + SUPPORT.encode())
    assert broken.replace(b"\r\n", b"\n").strip() in kept
    assert rejected[0].received_by == "support"
    # reported: the administrators' list of rejected email
    from parley.db.repository import Page
    from parley.mediation import InboundService

    listed, total = InboundService(uow).find(Page({}, 0, 10), state=REJECTED, source="email")
    assert total == 2
    assert session.scalar(select(func.count()).select_from(Interaction)) == 0


def test_two_parley_mailboxes_acknowledging_each_other_stop(session, dovecot, parley):
    """Two installations, each with a mailbox that acknowledges, neither knowing the other's
    address: B writes to A (a plain mail, as a person would); A acknowledges, marked
    auto-replied; B logs the acknowledgement and answers nothing. The exchange stops."""
    a = parley(dovecot.imap_mailbox("support", SUPPORT))
    b = parley(dovecot.imap_mailbox("help", HELP))
    dovecot.deliver(make_mail(sender=HELP, to=SUPPORT, subject="Hello from B"), SUPPORT, HELP)

    rounds = 0
    while rounds < 10 and a.cycle() + b.cycle() > 0:
        rounds += 1

    assert rounds <= 3  # A fetches and acknowledges; B fetches the acknowledgement; quiet
    assert [m.subject for m in dovecot.messages(SUPPORT)] == ["Hello from B"]
    (ack,) = dovecot.messages(HELP)
    assert ack.subject == "Re: Hello from B"
    assert ack.headers["auto-submitted"] == ("auto-replied",)
    outcomes = [m.outcome for m in _messages(session)]
    assert outcomes[0]["acknowledged"] is not None  # A answered B once
    assert outcomes[1]["acknowledged"] is None  # B did not answer A's acknowledgement
    assert outcomes[1]["notAcknowledged"] == "a program sent it: Auto-Submitted: auto-replied"


def test_one_parley_with_two_mailboxes_never_logs_its_own_mail(session, dovecot, parley):
    both = parley(dovecot.imap_mailbox("support", SUPPORT), dovecot.imap_mailbox("help", HELP))
    dovecot.deliver(make_mail(sender=HELP, to=SUPPORT, subject="internal"), SUPPORT, HELP)

    both.cycle()

    (message,) = _messages(session)
    assert message.outcome == {"ignored": f"sent from Parley's own address {HELP}"}
    assert dovecot.messages(HELP) == []


def test_mail_is_moved_to_the_done_folder_once_stored(session, dovecot, parley):
    installation = parley(dovecot.imap_mailbox("support", SUPPORT, done_folder="Parley"))
    dovecot.deliver(make_mail(sender=STRANGER), SUPPORT, STRANGER)

    installation.cycle()
    installation.cycle()  # nothing left to fetch: it was moved

    assert len(_messages(session)) == 1
    assert dovecot.messages(SUPPORT) == []
    with dovecot.mailbox(SUPPORT) as box:
        box.folder.set("Parley")
        assert len(box.uids("ALL")) == 1


def _watching(reader: MailboxReader, session, count: int, seconds: float, meanwhile=None):
    """``reader.watch`` run in a thread (``meanwhile`` called once it started) until ``count``
    messages are stored or ``seconds`` pass, then stopped; the stored messages."""
    stopping = threading.Event()
    watcher = threading.Thread(target=reader.watch, args=(stopping,))
    watcher.start()
    try:
        if meanwhile is not None:
            meanwhile()
        deadline = time.monotonic() + seconds
        while len(_messages(session)) < count and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stopping.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()
    return _messages(session)


def _reader(settings, engine) -> MailboxReader:
    store = InboundStore(sessionmaker(bind=engine, expire_on_commit=False))
    return MailboxReader(settings.mail_mailboxes[0], store)


def test_a_watched_mailbox_takes_new_mail_as_it_arrives(session, engine, dovecot, parley):
    reader = _reader(parley(dovecot.imap_mailbox("support", SUPPORT)).settings, engine)

    def deliver():
        dovecot.deliver(make_mail(sender=STRANGER, subject="while watched"), SUPPORT, STRANGER)

    # IDLE tells the watcher at once; wait at most 20 s for it
    stored = _watching(reader, session, 1, 20, deliver)
    assert [m.headers["subject"] for m in stored] == ["while watched"]


def test_mail_that_arrives_between_the_fetch_and_idle_is_taken_at_once(
    session, engine, dovecot, parley, monkeypatch
):
    # Delivered just before the watcher sends IDLE: the server tells of it as IDLE starts,
    # often in the packet that says "+ idling", which sits read in the client's buffer, where
    # waiting on the socket never sees it.
    reader = _reader(parley(dovecot.imap_mailbox("support", SUPPORT)).settings, engine)
    start, delivered = IdleManager.start, []

    def start_after_a_mail_arrives(idle):
        if not delivered:
            mail = make_mail(sender=STRANGER, subject="in the gap")
            dovecot.deliver(mail, SUPPORT, STRANGER)
            delivered.append(mail)
        return start(idle)

    monkeypatch.setattr(IdleManager, "start", start_after_a_mail_arrives)
    stored = _watching(reader, session, 1, 10)  # an IDLE that missed it would last 120 s
    assert [m.headers["subject"] for m in stored] == ["in the gap"]


def test_mail_that_arrives_during_a_fetch_is_taken_at_once(
    session, engine, dovecot, parley, monkeypatch
):
    # The server tells of it in its answer to one of the fetch's own commands (here: flagging
    # the first mail seen), before the watcher goes into IDLE.
    reader = _reader(parley(dovecot.imap_mailbox("support", SUPPORT)).settings, engine)
    dovecot.deliver(make_mail(sender=STRANGER, subject="first"), SUPPORT, STRANGER)
    done, delivered = reader._done, []

    def done_while_a_mail_arrives(box, uid):
        if not delivered:
            mail = make_mail(sender=STRANGER, subject="during the fetch")
            dovecot.deliver(mail, SUPPORT, STRANGER)
            delivered.append(mail)
        return done(box, uid)

    monkeypatch.setattr(reader, "_done", done_while_a_mail_arrives)
    stored = _watching(reader, session, 2, 10)  # an IDLE that missed it would last 120 s
    assert sorted(m.headers["subject"] for m in stored) == ["during the fetch", "first"]


def test_the_workers_and_the_command_fetch_the_mailboxes(
    session, engine, dovecot, parley, database_url, monkeypatch
):
    settings = parley(dovecot.imap_mailbox("support", SUPPORT)).settings
    jobs = {job.name: job for job in worker_jobs(engine, settings)}
    dovecot.deliver(make_mail(sender=STRANGER, subject="by the job"), SUPPORT, STRANGER)

    jobs["mail-fetch"].run()

    assert [m.headers["subject"] for m in _messages(session)] == ["by the job"]
    assert "mail-fetch" not in {j.name for j in worker_jobs(engine, settings.model_copy(
        update={"mail_poll_seconds": 0}))}  # fmt: skip
    # `parley mail fetch --once`, configured from the environment as an operator would
    dovecot.deliver(make_mail(sender=STRANGER, subject="by the command"), SUPPORT, STRANGER)
    mailbox = dovecot.imap_mailbox("support", SUPPORT)
    monkeypatch.setenv("PARLEY_DATABASE_URL", database_url)
    monkeypatch.setenv("PARLEY_MAIL_MAILBOXES", json.dumps([mailbox]))
    caches = (get_settings, engine_module.get_engine)
    for cached in caches:
        cached.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["mail", "fetch", "--once"])
    finally:
        engine_module.get_engine().dispose()  # the command's engine: no connection left open
        for cached in caches:
            cached.cache_clear()
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("support: 1 stored, 0 seen before")
    assert len(_messages(session)) == 2
