"""What a message to a customer says of dates and times: in their language and time zone, as
people write them ("8 December 2026, 14:30 CET"), never an ISO timestamp."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_datetime_format, get_timezone_name

FALLBACK_LOCALE = "en"


def locale_of(language: str | None) -> Locale:
    """Babel's locale for a message language (``de``, ``de-AT``); English if it knows none."""
    try:
        return Locale.parse((language or FALLBACK_LOCALE).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LOCALE)


def local_moment(moment: datetime, language: str | None, time_zone: str) -> str:
    """The date and time of ``moment`` (aware, UTC) in ``time_zone``, as ``language`` writes
    them, to the minute, with the zone's short name: "December 8, 2026, 2:30 PM UTC",
    "8. Dezember 2026, 14:30 MEZ"."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    locale = locale_of(language)
    date = format_date(local, "long", locale=locale)
    time = format_time(local, "short", tzinfo=zone, locale=locale)
    joined = str(get_datetime_format("long", locale=locale)).replace("'", "")
    return f"{joined.format(time, date)} {get_timezone_name(local, 'short', locale=locale)}"
