"""Reading a raw mail with the standard library's ``email`` package (``policy.default``): who
sent it, what it answers, its text, its attachments, its defects, and whether a program sent
it. Reads only: nothing here touches the database.

What cannot be read is refused with the reason (``InvalidInput``): the message is then
``rejected`` in the inbound store, kept raw for an administrator. That is a mail without a
sender address, and one whose structure is broken so that its parts cannot be told apart (a
multipart without a boundary, or whose boundary never starts; headers running into the body).
Other defects (a closing boundary missing, a charset nobody knows) are read as well as can be
and listed with the mail.
"""

import email
import re
from dataclasses import dataclass, field
from email import policy
from email.errors import (
    MissingHeaderBodySeparatorDefect,
    MultipartInvariantViolationDefect,
    NoBoundaryInMultipartDefect,
    StartBoundaryNotFoundDefect,
)
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from parley.errors import InvalidInput

MAX_TEXT = 100_000  # characters of the text kept with the parsed mail (the raw keeps all)
MAX_SUBJECT = 500
MAX_IDS = 50  # Message-IDs read from References
MSG_ID = re.compile(r"<[^<>\s]{1,246}>")
# Defects after which the parts of a mail cannot be told apart: it is refused.
UNREADABLE = {
    NoBoundaryInMultipartDefect: "a multipart mail without a boundary",
    StartBoundaryNotFoundDefect: "a multipart mail whose boundary never starts",
    MultipartInvariantViolationDefect: "a multipart mail without parts",
    MissingHeaderBodySeparatorDefect: "headers running into the body",
}
# Senders no program should answer (RFC 3834 section 2, and the usual role accounts).
NO_REPLY_LOCAL_PARTS = {
    "mailer-daemon",
    "postmaster",
    "nobody",
    "noreply",
    "no-reply",
    "donotreply",
    "do-not-reply",
    "listserv",
    "majordomo",
}
NO_REPLY_SUFFIXES = ("-request", "-bounces", "-owner")
PRECEDENCE_OF_MACHINES = {"bulk", "junk", "list"}
SUPPRESSING = {"all", "autoreply", "oof"}  # X-Auto-Response-Suppress values that mean us


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int

    def as_json(self) -> dict:
        return {"filename": self.filename, "contentType": self.content_type, "size": self.size}


@dataclass
class ReadMail:
    message_id: str | None
    sender: str  # the From address, lower case
    sender_name: str
    reply_to: str | None
    return_path: str | None  # the envelope sender; "" for a bounce's <>; None: not said
    to: list[str]
    subject: str
    date: str | None  # ISO 8601, as the sender's clock said
    in_reply_to: list[str]
    references: list[str]
    text: str
    html_only: bool  # the text was made from the HTML part
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    automatic: str | None = None  # why a program sent it (no acknowledgement), else None

    def answered_ids(self) -> list[str]:
        """The Message-IDs this mail answers, the one it replies to first."""
        seen: dict[str, None] = {}
        for found in [*self.in_reply_to, *reversed(self.references)]:
            seen.setdefault(found, None)
        return list(seen)[:MAX_IDS]


def read_mail(content: bytes, envelope_from: str | None = None) -> ReadMail:
    """The mail in ``content``; ``envelope_from``: the sender the delivering server was given
    (LMTP's MAIL FROM) where the mail carries no Return-Path of its own."""
    message = email.message_from_bytes(content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    defects = _defects(message)
    for kind, what in UNREADABLE.items():
        if any(isinstance(defect, kind) for defect in defects):
            raise InvalidInput(f"content: malformed: {what} ({kind.__name__})", "content")
    sender_name, sender = _sender(message)
    body = message.get_body(preferencelist=("plain", "html"))
    text, html_only, unreadable = _text(body)
    attachments: list[Attachment] = []
    more_text: list[str] = []
    _parts(message, body, attachments, more_text, False)
    text = "\n\n".join(t for t in [text.strip(), *more_text] if t)
    return_path = _return_path(message, envelope_from)
    read = ReadMail(
        message_id=_first_id(_header(message, "message-id")),
        sender=sender,
        sender_name=sender_name,
        reply_to=_first_address(_header(message, "reply-to")),
        return_path=return_path,
        to=[a for _, a in _addresses(message, "to")][:20],
        subject=" ".join(_header(message, "subject").split())[:MAX_SUBJECT],
        date=_date(_header(message, "date")),
        in_reply_to=MSG_ID.findall(_header(message, "in-reply-to"))[:MAX_IDS],
        references=MSG_ID.findall(_header(message, "references"))[-MAX_IDS:],
        text=text[:MAX_TEXT],
        html_only=html_only,
        attachments=attachments,
        defects=sorted({type(d).__name__ for d in defects} | unreadable),
    )
    read.automatic = automatic(message, read)
    return read


def automatic(message: EmailMessage, read: ReadMail) -> str | None:
    """Why this mail is one no program should answer (RFC 3834), or None."""
    submitted = _header(message, "auto-submitted").split(";")[0].strip().lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    precedence = _header(message, "precedence").strip().lower()
    if precedence in PRECEDENCE_OF_MACHINES:
        return f"Precedence: {precedence}"
    for name in ("list-id", "list-unsubscribe", "list-post"):
        if _header(message, name):
            return f"a mailing list's mail ({name})"
    suppress = {v.strip().lower() for v in _header(message, "x-auto-response-suppress").split(",")}
    if suppress & SUPPRESSING:
        return "X-Auto-Response-Suppress: " + ", ".join(sorted(suppress & SUPPRESSING))
    if message.get_content_type() == "multipart/report":
        return "a delivery or read report (multipart/report)"
    if read.return_path == "":
        return "a bounce (empty Return-Path)"
    local = read.sender.partition("@")[0]
    if (
        local in NO_REPLY_LOCAL_PARTS
        or local.endswith(NO_REPLY_SUFFIXES)
        or local.startswith("owner-")
    ):
        return f"sent by {read.sender}, an address no program answers"
    return None


# -- headers ---------------------------------------------------------------------------------


def _header(message: EmailMessage, name: str) -> str:
    """A header's text (decoded), '' if absent or unreadable; NUL never kept."""
    try:
        value = message.get(name)
    except Exception:  # a header the parser cannot make sense of reads as absent
        return ""
    return str(value or "").replace("\x00", "")


def _addresses(message: EmailMessage, name: str) -> list[tuple[str, str]]:
    try:
        values = message.get_all(name) or []
    except Exception:
        return []
    found = []
    for display, address in getaddresses([str(v) for v in values]):
        address = address.strip().lower()
        if re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", address):
            found.append((display.strip(), address))
    return found


def _sender(message: EmailMessage) -> tuple[str, str]:
    senders = _addresses(message, "from") or _addresses(message, "sender")
    if not senders:
        raise InvalidInput("from: malformed: no sender address", "from")
    return senders[0]


def _first_address(value: str) -> str | None:
    found = [a.strip().lower() for _, a in getaddresses([value]) if "@" in a]
    return found[0] if found else None


def _return_path(message: EmailMessage, envelope_from: str | None) -> str | None:
    given = _header(message, "return-path").strip()
    if not given and envelope_from is not None:
        given = f"<{envelope_from}>"
    if not given:
        return None
    inner = given.strip().strip("<>").strip().lower()
    return inner if "@" in inner else ""


def _first_id(value: str) -> str | None:
    found = MSG_ID.findall(value)
    return found[0] if found else None


def _date(value: str) -> str | None:
    try:
        moment = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    return moment.isoformat() if moment is not None and moment.tzinfo is not None else None


# -- body and attachments ----------------------------------------------------------------------


def _defects(message: EmailMessage) -> list:
    return [defect for part in message.walk() for defect in part.defects]


def _text(body: EmailMessage | None) -> tuple[str, bool, set[str]]:
    """The mail's text, whether it came from HTML, and what could not be decoded."""
    if body is None:
        return "", False, set()
    payload = body.get_payload(decode=True) or b""
    charset = body.get_content_charset() or "us-ascii"
    problems: set[str] = set()
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:
        problems.add(f"UnknownCharset({charset[:40]})")
        text = payload.decode("utf-8", errors="replace")
    text = text.replace("\x00", "").replace("\r\n", "\n")
    if body.get_content_type() == "text/html":
        return html_text(text), True, problems
    return text, False, problems


def _parts(part, body, found: list[Attachment], texts: list[str], alternative: bool) -> None:
    """The parts besides the body: attachments (a forwarded mail counts as one, not as its
    parts), and further inline plain text (not an alternative of the body) into ``texts``."""
    content_type = part.get_content_type()
    if content_type == "message/rfc822" and part is not body:
        found.append(Attachment(_filename(part, "message.eml"), content_type, _size(part)))
        return
    if part.is_multipart():
        within = content_type == "multipart/alternative"
        for sub in part.iter_parts():
            _parts(sub, body, found, texts, within)
        return
    if part is body:
        return
    filename = _filename(part, None)
    if (
        part.get_content_disposition() == "attachment"
        or filename
        or part.get_content_maintype() != "text"
    ):
        found.append(Attachment(filename or f"part-{len(found) + 1}", content_type, _size(part)))
    elif content_type == "text/plain" and not alternative:
        extra, _, _ = _text(part)
        if extra.strip():
            texts.append(extra.strip())


def _filename(part: EmailMessage, default: str | None) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return " ".join(str(name).split())[:200] if name else default


def _size(part: EmailMessage) -> int:
    try:
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            return len(part.as_bytes())
        return len(part.get_payload(decode=True) or b"")
    except Exception:
        return 0


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "pre"}
    SKIPPED = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The text a reader sees of an HTML mail (tags and scripts gone, blocks on lines)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
