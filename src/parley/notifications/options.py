"""What the notifications domain reads of the settings (``uow.options(NotificationOptions)``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class NotificationOptions(OptionsRecord):
    """``default_language``: a message's language when neither its customer nor a template
    has one; ``time_zone``: the zone of quiet hours for customers who named none; an SMS is
    at most ``sms_max_parts`` concatenated parts; national phone numbers are read in
    ``phone_region``."""

    default_language: str = setting("default_language")
    time_zone: str = setting("default_time_zone")
    sms_max_parts: int = setting("sms_max_parts")
    phone_region: str = setting("default_phone_region")
