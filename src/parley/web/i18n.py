"""The web edge's languages: gettext catalogues, choosing a page's language, dates and times.

The catalogues are the ``.po`` files under ``locale/`` (``docs/console.md`` says how to extract
and translate), compiled in memory with Babel when the app starts: there is no build step and
no compiled ``.mo`` in the repository that could drift from its ``.po``; compiling both
catalogues takes a few milliseconds.

A page's language is the user's own choice if they made one (their profile), else the one
chosen on the sign-in page (a cookie), else the best of ``Accept-Language``, else
``PARLEY_DEFAULT_LANGUAGE``; times are shown in the user's time zone, else
``PARLEY_DEFAULT_TIME_ZONE``.
"""

import io
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import UnknownCurrencyError, format_currency
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the msgids are English


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where shown."""
    return message


class Catalogues:
    """Every language with a catalogue under ``directory``, compiled once."""

    def __init__(self, directory: Path = LOCALE_DIR):
        self._translations: dict[str, NullTranslations] = {}
        for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            language = po.parent.parent.name
            with po.open("rb") as source:
                catalogue = read_po(source, locale=language)
            compiled = io.BytesIO()
            write_mo(compiled, catalogue, use_fuzzy=False)  # unreviewed entries show English
            compiled.seek(0)
            self._translations[language] = Translations(compiled, domain=DOMAIN)
        self._translations.setdefault(SOURCE_LANGUAGE, NullTranslations())

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._translations))

    def translations(self, language: str) -> NullTranslations:
        return self._translations.get(language) or self._translations[SOURCE_LANGUAGE]


def language_name(language: str) -> str:
    """The language's name in itself ("Deutsch"), as a language switch shows it."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def preferred_tags(accept_language: str) -> list[str]:
    """The tags of an Accept-Language header, most wanted first (q=0 left out)."""
    weighted = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def choose_language(
    available: tuple[str, ...], *choices: str | None, accept_language: str = ""
) -> tuple[str, str | None]:
    """The first of ``choices`` that is available, else the best of Accept-Language, else
    the last choice (the default); with the region the browser asked for in that language,
    if any (``de-AT`` formats dates as in Austria)."""
    tags = preferred_tags(accept_language)
    for choice in choices[:-1]:
        if choice in available:
            return choice, _region_for(choice, tags)
    for tag in tags:
        language = tag.split("-")[0].lower()
        if language in available:
            return language, _region_for(language, tags)
    default = choices[-1] if choices and choices[-1] in available else SOURCE_LANGUAGE
    return default, _region_for(default, tags)


def _region_for(language: str, tags: list[str]) -> str | None:
    for tag in tags:
        parts = tag.replace("_", "-").split("-")
        if parts[0].lower() == language and len(parts) > 1 and len(parts[1]) == 2:
            return parts[1].upper()
    return None


def time_zone(*names: str | None) -> ZoneInfo:
    """The first of these that is a time zone (a user's may have been removed since)."""
    for name in names:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


@dataclass(frozen=True)
class PageLocale:
    """How one page speaks: its language, how it writes dates, and the time zone."""

    language: str
    region: str | None
    zone: ZoneInfo
    translations: NullTranslations

    @cached_property
    def babel(self) -> Locale:
        try:
            return Locale.parse(f"{self.language}_{self.region}" if self.region else self.language)
        except (UnknownLocaleError, ValueError):
            return Locale.parse(self.language)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def when(self, value: datetime | None, form: str = "medium") -> str:
        """A date and time to the minute ("7 Dec 2026, 14:05"; German "07.12.2026, 14:05"),
        in the reader's zone and their language's way: seconds are noise to an agent."""
        if value is None:
            return ""
        day = self.day(value, form)
        clock = self.clock(value)
        pattern = str(self.babel.datetime_formats.get(form) or "{1} {0}")
        return pattern.replace("{1}", day).replace("{0}", clock).replace("'", "")

    def day(self, value: datetime | None, form: str = "medium") -> str:
        if value is None:
            return ""
        return format_date(value.astimezone(self.zone), form, locale=self.babel)

    def clock(self, value: datetime | None, form: str = "short") -> str:
        if value is None:
            return ""
        return format_time(value, form, tzinfo=self.zone, locale=self.babel)

    def money(self, amount, currency: str) -> str:
        """An amount as the reader's language writes it ("1.234,50 €", "€1,234.50")."""
        try:
            return format_currency(amount, currency, locale=self.babel)
        except (UnknownCurrencyError, ValueError):
            return f"{amount} {currency}"


# The locale of the page being rendered: templates' gettext and filters read it (rendering is
# synchronous, in the thread that set it).
CURRENT: ContextVar[PageLocale] = ContextVar("parley_web_locale")
