"""Mail handed to Parley (fetched over IMAP, delivered over LMTP), stored raw in the inbound
store before anything reads it: ``store_mail``.

The idempotency key is the mail's Message-ID (its digest where it is long), else the digest of
its bytes: the same mail fetched again after a crash, or delivered to two of Parley's
addresses, is one message. A few headers are kept beside the raw bytes for administrators'
lists (who, to whom, what about); the envelope (LMTP's MAIL FROM and RCPT TO) too, which the
mail itself may not carry.
"""

import hashlib
from email import policy
from email.parser import BytesParser

from parley.mediation.email.reading import MSG_ID
from parley.mediation.models import EMAIL
from parley.mediation.store import InboundStore, Received

CONTENT_TYPE = "message/rfc822"
LISTED = ("from", "to", "subject", "message-id", "date", "in-reply-to", "auto-submitted")
MAX_KEY_ID = 190


def mail_key(content: bytes) -> str:
    """``message-id:<id>``, or the content's digest (the store's) for a mail without one."""
    found = MSG_ID.search(_listed(content).get("message-id", ""))
    if found is None:
        return "sha256:" + hashlib.sha256(content).hexdigest()
    message_id = found.group(0)
    if len(message_id) > MAX_KEY_ID:
        message_id = "sha256." + hashlib.sha256(message_id.encode()).hexdigest()
    return f"message-id:{message_id}"


def store_mail(
    store: InboundStore,
    content: bytes,
    received_by: str,
    envelope_from: str | None = None,
    envelope_to: list[str] | None = None,
) -> Received:
    """Store one mail raw, committed; a mail stored before answers as a duplicate."""
    headers = _listed(content)
    if envelope_from is not None:
        headers["envelope-from"] = envelope_from
    if envelope_to:
        headers["envelope-to"] = ", ".join(envelope_to)
    return store.receive(
        EMAIL,
        content,
        received_by=received_by,
        content_type=CONTENT_TYPE,
        headers=headers,
        idempotency_key=mail_key(content),
    )


def _listed(content: bytes) -> dict[str, str]:
    """The listed headers as they stand (undecoded: the parser reads them later), or none
    where the header block cannot be read."""
    try:
        message = BytesParser(policy=policy.compat32).parsebytes(content, headersonly=True)
        return {
            name: " ".join(str(message[name]).split())[:500]
            for name in LISTED
            if message[name] is not None
        }
    except Exception:  # the raw mail is stored whatever its header block holds
        return {}
