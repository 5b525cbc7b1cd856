"""What the leads domain reads of the settings (``uow.options(LeadOptions)``)."""

from dataclasses import dataclass

from parley.settings import Settings


@dataclass(frozen=True)
class LeadOptions:
    """``phone_region``: the ISO 3166 region a prospect's national phone numbers are read in."""

    phone_region: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "LeadOptions":
        return cls(phone_region=settings.default_phone_region)
