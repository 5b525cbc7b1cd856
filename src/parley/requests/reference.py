"""A request's reference: the short number a customer is told and quotes back, ``R-4821-77349``.

Eight digits chosen at random (not sequential: references don't reveal how many requests there
are), then a Luhn check digit, so that a digit misheard on the phone is caught; written with
``R-`` and a hyphen after the fourth digit. It is stored as written, unique, beside the id
(which stays what every API and link uses).
"""

import re
import secrets
from collections.abc import Callable

from parley.parties.normalize import luhn_check_digit

PREFIX = "R-"
SPACE = 100_000_000  # eight digits
_WRITTEN = re.compile(r"[Rr]?[\s-]*(\d{4})[\s-]*(\d{5})")


def written(digits: str) -> str:
    """``R-dddd-ddddd`` for eight digits and their check digit."""
    return f"{PREFIX}{digits[:4]}-{digits[4:]}"


def with_check_digit(number: int) -> str:
    body = f"{number % SPACE:08d}"
    return written(body + luhn_check_digit(body))


def new_reference(taken: Callable[[str], bool]) -> str:
    """A reference no request has (``taken`` asks the database)."""
    while True:
        reference = with_check_digit(secrets.randbelow(SPACE))
        if not taken(reference):
            return reference


def number_of_id(request_id: str) -> int:
    """The number migration 0018 gives a request made before references (``with_check_digit``
    makes its reference): from its id, random already, so a database gets the same references
    wherever it is migrated."""
    return int(request_id.replace("-", "")[:12], 16) % SPACE


def canonical(raw: str) -> str | None:
    """The reference as stored if ``raw`` is one however written (``r 4821 77349``,
    ``R482177349``), its check digit right; else None."""
    found = _WRITTEN.fullmatch(raw.strip())
    if found is None:
        return None
    digits = found.group(1) + found.group(2)
    if luhn_check_digit(digits[:-1]) != digits[-1]:
        return None
    return written(digits)
