"""What the notifications domain reads of the settings (``uow.options(NotificationOptions)``)."""

from dataclasses import dataclass

from parley.settings import Settings


@dataclass(frozen=True)
class NotificationOptions:
    """``default_language``: a message's language when neither its customer nor a template
    has one; ``time_zone``: the zone of quiet hours for customers who named none; an SMS is
    at most ``sms_max_parts`` concatenated parts; national phone numbers are read in
    ``phone_region``."""

    default_language: str
    time_zone: str
    sms_max_parts: int
    phone_region: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "NotificationOptions":
        return cls(
            default_language=settings.default_language,
            time_zone=settings.default_time_zone,
            sms_max_parts=settings.sms_max_parts,
            phone_region=settings.default_phone_region,
        )
