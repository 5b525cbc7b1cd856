"""What the parties domain reads of the settings (``uow.options(PartyOptions)``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class PartyOptions(OptionsRecord):
    """National phone numbers are read in ``phone_region`` (ISO 3166); a customer's
    verification locks after ``verification_max_failures`` failed checks in a row, for
    ``verification_lock_minutes``."""

    phone_region: str = setting("default_phone_region")
    verification_max_failures: int = setting("verification_max_failures")
    verification_lock_minutes: int = setting("verification_lock_minutes")
