"""Customers' contact preferences and consent, and where and when a message may reach them.

A customer names a preferred channel and language, may opt out of marketing (service notices
such as bills and request progress still go), and may set quiet hours in their time zone during
which no SMS is sent: such a message waits until the window opens.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers

from parley.changes import UPDATE, UnitOfWork
from parley.db.base import utcnow
from parley.errors import Conflict, InvalidInput
from parley.notifications.models import CHANNELS, ContactPreference
from parley.notifications.options import NotificationOptions
from parley.notifications.repository import NotificationRepository
from parley.notifications.templates import check_language
from parley.parties.service import PartyService

CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
RESOURCE = "contactPreference"
MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


@dataclass(frozen=True)
class Preferences:
    preferred_channel: str | None
    language: str | None
    marketing_opt_out: bool
    quiet_start: str | None
    quiet_end: str | None
    time_zone: str


@dataclass(frozen=True)
class Delivery:
    """Where a message goes, in which language, and from when (quiet hours) on."""

    channel: str
    address: str
    language: str | None
    not_before: datetime | None


class NotDeliverable(Conflict):
    """The customer can't or mustn't be reached this way (no address, no consent)."""


class PreferenceService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = NotificationRepository(uow.session)
        self.parties = PartyService(uow)
        self.options = uow.options(NotificationOptions)

    def get(self, customer_id: str) -> Preferences:
        self.parties.get_customer(customer_id)  # 404 for an unknown customer
        return self._current(customer_id)

    def language_of(self, customer_id: str) -> str | None:
        """The customer's preferred language, for a caller that just found the customer (a
        self-service dial): one look-up, no check that the customer exists."""
        row = self.repo.preference(customer_id)
        return row.language if row is not None else None

    def replace(self, customer_id: str, values: dict) -> Preferences:
        self.parties.get_customer(customer_id)
        wanted = _checked(values, self.options.time_zone)
        before = self._current(customer_id)
        row = self.repo.preference(customer_id) or ContactPreference(customer_id=customer_id)
        row.preferred_channel = wanted.preferred_channel
        row.language = wanted.language
        row.marketing_opt_out = wanted.marketing_opt_out
        row.quiet_start, row.quiet_end = wanted.quiet_start, wanted.quiet_end
        row.time_zone = wanted.time_zone
        row.updated_at = utcnow()
        self.repo.add(row)
        self.uow.record(
            RESOURCE, UPDATE, customer_id, before=as_dict(before), after=as_dict(wanted)
        )
        return wanted

    def delivery(
        self, customer_id: str, category: str, channel: str | None = None, now=None
    ) -> Delivery:
        """How a message of ``category`` reaches the customer, or NotDeliverable saying why."""
        preferences = self._current(customer_id)
        addresses = self._addresses(customer_id)
        order = [channel] if channel else [preferences.preferred_channel, *CHANNELS]
        for candidate in dict.fromkeys(c for c in order if c):
            if addresses.get(candidate):
                language, not_before = self.consent(customer_id, category, candidate, now)
                return Delivery(candidate, addresses[candidate], language, not_before)
        self.consent(customer_id, category, channel or "email", now)  # opted out says so first
        wanted = channel or "email or SMS"
        raise NotDeliverable(f"the customer has no {wanted} address to send to")

    def consent(
        self, customer_id: str, category: str, channel: str, now=None
    ) -> tuple[str | None, datetime | None]:
        """Whether the customer may get this message (NotDeliverable if not), in which
        language, and from when (an SMS in quiet hours waits until they end)."""
        preferences = self._current(customer_id)
        if category == "marketing" and preferences.marketing_opt_out:
            raise NotDeliverable("the customer has opted out of marketing messages")
        not_before = quiet_until(preferences, now or utcnow()) if channel == "sms" else None
        return preferences.language, not_before

    def _current(self, customer_id: str) -> Preferences:
        row = self.repo.preference(customer_id)
        if row is None:
            return Preferences(None, None, False, None, None, self.options.time_zone)
        return Preferences(
            row.preferred_channel,
            row.language,
            row.marketing_opt_out,
            row.quiet_start,
            row.quiet_end,
            row.time_zone,
        )

    def _addresses(self, customer_id: str) -> dict[str, str]:
        return _addresses_in(self.parties.contact_media_of_customer(customer_id), utcnow())


def _addresses_in(media: list[dict], now: datetime) -> dict[str, str]:
    found: dict[str, str] = {}
    current = [m for m in media if _valid(m, now)]
    current.sort(key=lambda medium: not medium.get("preferred", False))  # stable: preferred first
    for medium in current:
        kind = medium.get("@type")
        if kind == "EmailContactMedium" and medium.get("emailAddress"):
            found.setdefault("email", medium["emailAddress"])
        elif kind == "PhoneContactMedium" and _mobile(medium.get("phoneNumber")):
            found.setdefault("sms", medium["phoneNumber"])
    return found


def _valid(medium: dict, now: datetime) -> bool:
    ends = (medium.get("validFor") or {}).get("endDateTime")
    if not ends:
        return True
    try:
        return datetime.fromisoformat(ends.replace("Z", "+00:00")) > now
    except ValueError:
        return True  # stored documents were checked when written; don't lose an address here


def _mobile(number: str | None) -> bool:
    if not number:
        return False
    try:
        return phonenumbers.number_type(phonenumbers.parse(number, None)) in MOBILE
    except phonenumbers.NumberParseException:
        return False


def quiet_until(preferences: Preferences, now: datetime) -> datetime | None:
    """The end of the customer's quiet hours if ``now`` falls inside them, else None."""
    if not preferences.quiet_start or not preferences.quiet_end:
        return None
    zone = ZoneInfo(preferences.time_zone)
    local = now.astimezone(zone)
    start, end = _clock(preferences.quiet_start), _clock(preferences.quiet_end)
    moment = local.time().replace(tzinfo=None)
    # A window may span midnight (21:00-08:00) or not (13:00-14:00).
    inside = start <= moment < end if start < end else moment >= start or moment < end
    if not inside:
        return None
    ends = datetime.combine(local.date(), end, tzinfo=zone)
    if ends <= local:
        ends = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return ends.astimezone(now.tzinfo)


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _checked(values: dict, default_zone: str) -> Preferences:
    unknown = sorted(
        set(values) - {"preferredChannel", "language", "marketingOptOut", "quietHours", "timeZone"}
    )
    if unknown:
        raise InvalidInput(f"{unknown[0]}: not a preference", unknown[0])
    channel = values.get("preferredChannel")
    if channel is not None and channel not in CHANNELS:
        raise InvalidInput(f"preferredChannel: one of {', '.join(CHANNELS)}", "preferredChannel")
    language = values.get("language")
    if language is not None:
        language = check_language(language)
    opt_out = values.get("marketingOptOut", False)
    if not isinstance(opt_out, bool):
        raise InvalidInput("marketingOptOut: true or false", "marketingOptOut")
    zone = values.get("timeZone") or default_zone
    if not isinstance(zone, str) or zone not in _zones():
        raise InvalidInput("timeZone: an IANA time zone such as Europe/Berlin", "timeZone")
    start = end = None
    quiet = values.get("quietHours")
    if quiet is not None:
        if not isinstance(quiet, dict) or set(quiet) != {"start", "end"}:
            raise InvalidInput('quietHours: {"start": "HH:MM", "end": "HH:MM"}', "quietHours")
        start, end = quiet["start"], quiet["end"]
        for name, value in (("start", start), ("end", end)):
            if not isinstance(value, str) or not CLOCK.fullmatch(value):
                raise InvalidInput(f"quietHours.{name}: a time of day as HH:MM", "quietHours")
        if start == end:
            raise InvalidInput("quietHours: start and end must differ", "quietHours")
    return Preferences(channel, language, opt_out, start, end, zone)


@cache
def _zones() -> set[str]:
    try:
        return available_timezones() | {"UTC"}
    except ZoneInfoNotFoundError:  # pragma: no cover - a system without tz data
        return {"UTC"}


def as_dict(preferences: Preferences) -> dict:
    quiet = (
        {"start": preferences.quiet_start, "end": preferences.quiet_end}
        if preferences.quiet_start
        else None
    )
    return {
        "preferredChannel": preferences.preferred_channel,
        "language": preferences.language,
        "marketingOptOut": preferences.marketing_opt_out,
        "quietHours": quiet,
        "timeZone": preferences.time_zone,
    }
