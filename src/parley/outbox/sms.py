"""The SMS channel: a text sent through an SMS gateway's HTTP interface (Kannel's sendsms).

Destination ``{"to": E.164 number, "from": sender (optional)}``, payload ``{"text": str}``.
The text goes as UTF-8 (``charset=UTF-8``) and in the GSM 7-bit alphabet when every character
has a place in it (``coding=0``), else as UCS-2 (``coding=2``), so that any letter arrives
intact. A text needing more than PARLEY_SMS_MAX_PARTS segments is refused (Kannel would cut it
off silently after its max-messages). Kannel has no field for a client's idempotency key and
does not drop repeats; the key goes in ``account``, which Kannel writes to its access log
(``[ACT:key]``), so a repeat can be traced, not prevented.

Kannel's answers (1.4.5): 202 "0: Accepted for delivery" or "3: Queued for later delivery" =
delivered. 403 "Authorization failed" = retry: wrong credentials are Parley's configuration,
and once fixed the waiting messages go. Any other 4xx (no receiver, no sender, number
refused by the white or black list, unknown path) = permanent. 5xx, refused connections and
timeouts = retry. A request that timed out may still have been accepted by the gateway, so
its retry can send the SMS twice.
"""

import re

import httpx2 as httpx
import phonenumbers

from parley.errors import InvalidInput
from parley.outbox.channels import Channel, Message, Outcome
from parley.settings import Settings

KIND = "sms"
# 3GPP TS 23.038: the GSM 7-bit default alphabet and its extension table (two septets each).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("\f^{}\\[~]|€")
GSM_7BIT, UCS2 = 0, 2  # Kannel's coding values
# Characters (septets or UTF-16 units) in one SMS, and in each part of a concatenated one
# (the concatenation header takes the rest).
SINGLE = {GSM_7BIT: 160, UCS2: 70}
PART = {GSM_7BIT: 153, UCS2: 67}
# A sender: a number of up to 15 digits, or a name of up to 11 letters and digits.
SENDER = re.compile(r"\+?[0-9]{1,15}|(?=.*[A-Za-z])[A-Za-z0-9 .&_-]{1,11}")


def check_destination(destination: dict) -> None:
    to = destination.get("to")
    number = None
    if isinstance(to, str) and to.startswith("+"):
        try:
            number = phonenumbers.parse(to, None)
        except phonenumbers.NumberParseException:
            number = None
    e164 = phonenumbers.PhoneNumberFormat.E164
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.format_number(number, e164) != to
    ):
        raise InvalidInput(
            "destination.to: a valid number in E.164 form is needed, e.g. +4915112345678",
            "destination.to",
        )
    sender = destination.get("from")
    if sender is not None and not (isinstance(sender, str) and SENDER.fullmatch(sender)):
        raise InvalidInput(
            "destination.from: a number of up to 15 digits or a name of up to 11 characters",
            "destination.from",
        )


def coding(text: str) -> int:
    return GSM_7BIT if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text) else UCS2


def parts(text: str) -> int:
    """How many SMS the text takes, split as Kannel does: a 7-bit escape pair (or a UTF-16
    surrogate pair) is never cut in two."""
    code = coding(text)
    if code == GSM_7BIT:
        sizes = [2 if c in GSM_EXTENSION else 1 for c in text]
    else:
        sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]
    if sum(sizes) <= SINGLE[code]:
        return 1
    count, used = 1, 0
    for size in sizes:
        if used + size > PART[code]:
            count, used = count + 1, 0
        used += size
    return count


def text_problem(payload: dict, max_parts: int) -> str | None:
    """Why this payload can't go as an SMS (enqueue sees only the destination)."""
    text = payload.get("text")
    if not isinstance(text, str) or not text:
        return "payload.text: a non-empty string is needed"
    needed = parts(text)
    if needed > max_parts:
        return (
            f"payload.text: {len(text)} characters take {needed} SMS; "
            f"at most {max_parts} are sent (PARLEY_SMS_MAX_PARTS)"
        )
    return None


class SmsAdapter:
    def __init__(self, settings: Settings):
        self.settings = settings
        # One client per worker: the connection to the gateway is kept alive between messages.
        self.client = httpx.Client(timeout=settings.sms_timeout_seconds, follow_redirects=False)

    def deliver(self, message: Message) -> Outcome:
        s = self.settings
        text = message.payload.get("text")
        problem = text_problem(message.payload, s.sms_max_parts)
        if problem:
            return Outcome.permanent(problem)
        params = {
            "username": s.sms_username or "",
            "password": s.sms_password.get_secret_value() if s.sms_password else "",
            "to": message.destination["to"],
            "text": text,
            "charset": "UTF-8",
            "coding": str(coding(text)),
            "account": message.idempotency_key,
        }
        sender = message.destination.get("from") or s.sms_sender
        if sender:
            params["from"] = sender
        try:
            response = self.client.get(s.sms_gateway_url, params=params)
        except httpx.TimeoutException as error:
            # The gateway may have taken the message all the same: the retry may duplicate it.
            return Outcome.retry(f"timed out (the SMS may have gone): {type(error).__name__}")
        except httpx.HTTPError as error:
            return Outcome.retry(f"{type(error).__name__}: {error}")
        status, answer = response.status_code, response.text.strip()[:200]
        reason = f"HTTP {status}: {answer}"
        if 200 <= status < 300:  # Kannel: 202 "0: Accepted ..." or "3: Queued ..."
            return Outcome.delivered()
        if status == 403:
            return Outcome.retry(f"{reason} (check PARLEY_SMS_USERNAME and PARLEY_SMS_PASSWORD)")
        if status >= 500:
            return Outcome.retry(reason)
        return Outcome.permanent(reason)

    def close(self) -> None:
        self.client.close()


CHANNEL = Channel(KIND, check_destination, SmsAdapter)
