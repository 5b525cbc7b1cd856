"""Email threads: which request a mail belongs to, and the headers that keep a conversation
together in the customer's mail program.

Outbound, every email Parley sends about a request (its notices, an acknowledgement) carries
a Message-ID under Parley's domain, ``In-Reply-To`` and ``References`` naming the
conversation so far, and the request's token in the subject, ``[#R-4821-77349]``
(``shaped_request_email``, ``thread_headers``). When the outbox has sent one, its Message-ID
is recorded (``record_sent``, the outbox's outcome listener) with the request it is about.

Inbound, a mail is a reply to a request when it answers (``In-Reply-To``, ``References``) a
Message-ID Parley sent about that request; failing that, when its subject carries a request's
token and its sender is that request's customer (``request_of``). A token alone is easy to
copy, so it threads only the customer's own mail.
"""

import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.orm import Session

from parley.changes import UnitOfWork
from parley.db.base import new_id, storable_id, utcnow
from parley.errors import InvalidInput, NotFound
from parley.mediation.email.models import MAX_MESSAGE_ID, RECEIVED, SENT, EmailThreadMessage
from parley.mediation.email.options import EmailOptions
from parley.mediation.email.repository import ThreadRepository
from parley.mediation.references import RequestRef, resolve_request
from parley.outbox.models import DELIVERED
from parley.requests.service import RequestService

TOKEN = re.compile(r"\[#\s*(R-?\d{4}-?\d{5})\s*\]", re.IGNORECASE)
MAX_REFERENCES = 10  # the first mail of the conversation and the latest ones
ABOUT_REQUEST = "aboutRequest"  # the TMF681 characteristic naming the request a message is about
ACKNOWLEDGEMENT = "emailAcknowledgement"  # the outbox subject of an acknowledgement
# The mail a request is being raised from, while it is: the request's first notice answers it.
_ANSWERING: ContextVar[str | None] = ContextVar("parley_mail_answering", default=None)


@contextmanager
def answering(message_id: str | None) -> Iterator[None]:
    """What is sent about a request raised within this block answers ``message_id``."""
    token = _ANSWERING.set(message_id)
    try:
        yield
    finally:
        _ANSWERING.reset(token)


def stored_id(message_id: str) -> str:
    """A Message-ID as kept: as it is, or its digest when it is too long for the column."""
    if len(message_id) <= MAX_MESSAGE_ID:
        return message_id
    return "<sha256." + hashlib.sha256(message_id.encode()).hexdigest() + ">"


def new_message_id(domain: str) -> str:
    return f"<{new_id()}@{domain}>"


def token_of(reference: str) -> str:
    return f"[#{reference}]"


def with_token(subject: str, reference: str) -> str:
    token = token_of(reference)
    return subject if token in subject else f"{subject} {token}".strip()


class Threads:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = ThreadRepository(uow.session)

    # -- inbound -------------------------------------------------------------------------

    def request_answered(self, message_ids: Iterable[str]) -> str | None:
        """The request of the latest mail Parley sent among ``message_ids``, if it is still
        there (a request deleted since answers to nothing)."""
        wanted = [stored_id(m) for m in message_ids]
        request_id = self.repo.request_of_sent(wanted) if wanted else None
        if request_id is None:
            return None
        try:
            return RequestService(self.uow).get(request_id).id
        except NotFound:
            return None

    def request_of_token(self, subject: str, customer_id: str | None) -> str | None:
        """The request whose token the subject carries, if it is ``customer_id``'s."""
        found = TOKEN.search(subject)
        if found is None or customer_id is None:
            return None
        try:
            request_id = resolve_request(self.uow, RequestRef(reference=found.group(1)))
        except InvalidInput:
            return None
        request = RequestService(self.uow).get(request_id)
        return request.id if request.customer_id == customer_id else None

    def record_received(
        self, message_id: str | None, request_id, customer_id, address, inbound_id
    ) -> None:
        if message_id:
            self._record(RECEIVED, message_id, request_id, customer_id, address, inbound_id, None)

    # -- outbound ------------------------------------------------------------------------

    def headers(self, request_id: str | None, answering: str | None = None) -> dict[str, str]:
        """A new Message-ID, and ``In-Reply-To``/``References`` naming ``answering`` (a mail
        received) or else the request's latest mail, with its conversation so far."""
        domain = self.uow.options(EmailOptions).message_id_domain
        headers = {"Message-ID": new_message_id(domain)}
        earlier = self.conversation(request_id) if request_id else []
        if answering and answering not in earlier:
            earlier.append(answering)
        if earlier:
            headers["In-Reply-To"] = answering or earlier[-1]
            chain = [earlier[0], *earlier[1:][-(MAX_REFERENCES - 1) :]]
            headers["References"] = " ".join(chain)
        return headers

    def conversation(self, request_id: str) -> list[str]:
        return self.repo.conversation(request_id)

    def _record(self, direction, message_id, request_id, customer_id, address, inbound, outbox):
        kept = stored_id(message_id)
        if self.repo.recorded(direction, kept):
            return
        self.repo.add(
            EmailThreadMessage(
                id=new_id(),
                message_id=kept,
                direction=direction,
                request_id=request_id,
                customer_id=customer_id,
                address=(address or None) and address[:254],
                inbound_message_id=inbound,
                outbox_message_id=outbox,
                recorded_at=utcnow(),
            )
        )


def shaped_request_email(uow: UnitOfWork, document: dict, payload: dict) -> dict:
    """An email of a TMF681 message about a request (its ``aboutRequest`` characteristic):
    the request's token in the subject and the threading headers. Others are left alone."""
    about = next(
        (
            c.get("value")
            for c in document.get("characteristic") or []
            if c.get("name") == ABOUT_REQUEST
        ),
        None,
    )
    if not isinstance(about, str) or not storable_id(about, 36):
        return payload
    try:
        request = RequestService(uow).get(about)
    except NotFound:  # a client named a request that is not there: an email like any other
        return payload
    return {
        **payload,
        "subject": with_token(payload.get("subject") or "", request.reference),
        "headers": Threads(uow).headers(request.id, _ANSWERING.get()),
        "thread": {"request": request.id, "customer": request.customer_id},
    }


def record_sent(session: Session, row, status: str, settings) -> None:
    """The outbox's outcome of an email: once delivered, its Message-ID is recorded with the
    request it is about (its payload's ``thread``), for the replies to find."""
    payload = row.payload or {}
    message_id = (payload.get("headers") or {}).get("Message-ID")
    if status != DELIVERED or row.kind != "email" or not message_id:
        return
    thread = payload.get("thread") or {}
    uow = UnitOfWork(session, settings)
    to = (row.destination or {}).get("to")
    Threads(uow)._record(
        SENT, message_id, thread.get("request"), thread.get("customer"), to, None, row.id
    )
