"""What the parties domain reads of the settings (``uow.options(PartyOptions)``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class PartyOptions(OptionsRecord):
    """National phone numbers are read in ``phone_region`` (ISO 3166); a customer's
    verification locks after ``verification_max_failures`` failed checks in a row, for
    ``verification_lock_minutes``; checks are limited per user and per customer (rates)."""

    phone_region: str = setting("default_phone_region")
    verification_max_failures: int = setting("verification_max_failures")
    verification_lock_minutes: int = setting("verification_lock_minutes")
    verification_user_limit: str = setting("verification_user_limit")
    verification_customer_limit: str = setting("verification_customer_limit")
