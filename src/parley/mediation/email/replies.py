"""What a customer wrote themselves in a mail: the reply without the quoted history (zapier's
``email-reply-parser``: "On … wrote:" headers, ``>`` quotes, Outlook's header blocks, "Sent
from my iPhone"), the signature, and the phone numbers in it.

The parser knows English clients; German ones ("Am … schrieb …:", "-----Ursprüngliche
Nachricht-----", "Von:/Gesendet:") are cut here first.
"""

import re
from dataclasses import dataclass

import phonenumbers
from email_reply_parser import EmailReplyParser

# German quote headers: where the quoted history starts.
GERMAN_QUOTE = re.compile(
    r"^\s*(Am\s.{4,120}?\sschrieb\s.{1,200}?:"
    r"|-{2,}\s*Urspr(ü|ue)ngliche Nachricht\s*-{2,}"
    r"|\*?Von:\*?\s.+\n\s*\*?(Gesendet|Datum):\*?\s.+)\s*$",
    re.MULTILINE | re.DOTALL,
)
SIGNATURE_LINES = 6  # without a "-- " line, the reply's last lines are read as its signature
MAX_PHONES = 5


@dataclass(frozen=True)
class Reply:
    text: str  # what the sender wrote (the whole text if nothing was quoted)
    signature: str


def visible_reply(text: str) -> Reply:
    text = text.replace("\r\n", "\n")
    german = GERMAN_QUOTE.search(text)
    if german is not None and text[: german.start()].strip():
        text = text[: german.start()]
    message = EmailReplyParser.read(text)
    shown = [f for f in message.fragments if not (f.hidden or f.quoted)]
    reply = "\n".join(f.content for f in shown).strip()
    signature = "\n".join(f.content for f in message.fragments if f.signature).strip()
    return Reply(reply or text.strip(), signature)


def signature_phones(reply: Reply, region: str) -> list[str]:
    """Phone numbers (E.164) in the signature; without one, in the reply's last lines."""
    where = reply.signature
    if not where:
        lines = [line for line in reply.text.splitlines() if line.strip()]
        where = "\n".join(lines[-SIGNATURE_LINES:])
    found: list[str] = []
    for match in phonenumbers.PhoneNumberMatcher(where[:5000], region):
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if number not in found:
            found.append(number)
        if len(found) == MAX_PHONES:
            break
    return found
