"""Canonical forms of what callers say: phone numbers (E.164), emails, ids and names."""

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from parley.errors import InvalidInput

_SPACES = re.compile(r"\s+")
_ID_NOISE = re.compile(r"[\s\-./]")
# Letters with a stroke or ligatures that NFKD does not decompose into base letter + accent.
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)


def phone_e164(raw: str, region: str, field: str) -> str:
    """Parse a phone number as written by people; raise InvalidInput naming ``field``."""
    parsed = parse_phone(raw, region)
    if parsed is None:
        raise InvalidInput(f"{field}: '{raw}' is not a valid phone number", field)
    return parsed


def parse_phone(raw: str, region: str) -> str | None:
    """The E.164 form of a number as people write it, read in ``region`` if national."""
    candidates = phone_candidates(raw, region)
    return candidates[0] if candidates else None


def phone_candidates(raw: str, region: str) -> list[str]:
    """Every valid E.164 reading of ``raw``.

    "491712345678" is both +49 171 2345678 (international without the plus) and a national
    number in Leer (0491): identification looks up both.
    """
    text = raw.strip()
    if not text or len(text) > 40:
        return []
    attempts = [text]
    digits = re.sub(r"\D", "", text)
    if not text.startswith("+") and not text.startswith("00") and len(digits) >= 10:
        attempts.append("+" + digits)
    found: list[str] = []
    for attempt in attempts:
        try:
            number = phonenumbers.parse(attempt, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in found:
                found.append(e164)
    return found


def email_normalized(raw: str, field: str) -> str:
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(
            f"{field}: '{raw}' is not a valid email address ({error})", field
        ) from None
    return result.normalized


def email_key(email: str) -> str:
    return email.strip().lower()


def identifier_key(raw: str) -> str:
    return _ID_NOISE.sub("", raw).upper()


def search_text(*parts: str | None) -> str:
    """Lower-case, accent-free, single-spaced text for trigram matching."""
    joined = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", joined)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("ß", "ss").casefold().translate(_UNDECOMPOSED)
    cleaned = re.sub(r"[^\w\s]", " ", stripped)
    return _SPACES.sub(" ", cleaned).strip()


def luhn_check_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def is_customer_number(raw: str) -> str | None:
    """The canonical customer number if ``raw`` is one (10 digits, Luhn check digit)."""
    digits = re.sub(r"[\s\-]", "", raw)
    if len(digits) == 10 and digits.isdigit() and luhn_check_digit(digits[:-1]) == digits[-1]:
        return digits
    return None
