"""What the parties domain reads of the settings (``uow.options(PartyOptions)``)."""

from dataclasses import dataclass

from parley.settings import Settings


@dataclass(frozen=True)
class PartyOptions:
    """``phone_region``: the ISO 3166 region national phone numbers are read in; a customer's
    verification locks after ``verification_max_failures`` failed checks in a row, for
    ``verification_lock_minutes``."""

    phone_region: str
    verification_max_failures: int
    verification_lock_minutes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "PartyOptions":
        return cls(
            phone_region=settings.default_phone_region,
            verification_max_failures=settings.verification_max_failures,
            verification_lock_minutes=settings.verification_lock_minutes,
        )
