"""What a handset can show: the GSM 7-bit alphabet, screen lengths, and pages of a long screen.

A USSD screen holds 182 characters of the GSM 7-bit alphabet (3GPP TS 23.038: an extension
character takes two), or 80 when any character needs UCS-2. A longer screen is shown a page
at a time, each page ending in ``98 More`` (and ``0 Back`` after the first).
"""

from parley.outbox.sms import GSM_BASIC, GSM_EXTENSION

USSD_GSM_LIMIT = 182
USSD_UCS2_LIMIT = 80
MORE, BACK = "98", "0"
LANGUAGES = ("en", "de")
PAGING = {
    "en": ("98 More", "0 Back"),
    "de": ("98 Weiter", "0 Zurück"),
}


GSM = frozenset(GSM_BASIC | GSM_EXTENSION)


def is_gsm(text: str) -> bool:
    return GSM.issuperset(text)


def length(text: str) -> int:
    """Characters as the handset counts them: septets in GSM-7, else UTF-16 units."""
    if is_gsm(text):  # an extension character takes two septets
        return len(text) + sum(text.count(ch) for ch in GSM_EXTENSION)
    return len(text.encode("utf-16-le")) // 2


def limit_for(text: str) -> int:
    return USSD_GSM_LIMIT if is_gsm(text) else USSD_UCS2_LIMIT


def fits(text: str) -> bool:
    return length(text) <= limit_for(text)


def pages(text: str, language: str) -> list[str]:
    """``text`` cut into screens that fit, at line ends where possible, each but the last
    ending in the "more" line and each but the first in the "back" line."""
    if fits(text):
        return [text]
    more, back = PAGING.get(language, PAGING["en"])
    limit = limit_for(text + more + back)
    room = limit - length(more) - length(back) - 2  # two line breaks
    chunks: list[str] = []
    current = ""
    for word in _pieces(text):
        if current and length(current + word) > room:
            chunks.append(current.rstrip())
            current = word.lstrip(" ")
        else:
            current += word
        while length(current) > room:  # one piece longer than a page: cut it
            cut = _cut_at(current, room)
            chunks.append(current[:cut])
            current = current[cut:]
    if current.strip():
        chunks.append(current.rstrip())
    shown = []
    for index, chunk in enumerate(chunks):
        lines = [chunk]
        if index < len(chunks) - 1:
            lines.append(more)
        if index > 0:
            lines.append(back)
        shown.append("\n".join(lines))
    return shown


def _pieces(text: str) -> list[str]:
    """Words with the spaces or line break before them, so a page breaks between words."""
    pieces, current = [], ""
    for ch in text:
        if ch in " \n" and current:
            pieces.append(current)
            current = ""
        current += ch
    if current:
        pieces.append(current)
    return pieces


def _cut_at(text: str, room: int) -> int:
    cut = 0
    while cut < len(text) and length(text[: cut + 1]) <= room:
        cut += 1
    return max(cut, 1)


def clean_input(text: str, longest: int = USSD_GSM_LIMIT) -> str | None:
    """A caller's input with control characters dropped; None if it is longer than a screen."""
    kept = "".join(ch for ch in text if ch.isprintable()).strip()
    return kept if len(kept) <= longest else None
