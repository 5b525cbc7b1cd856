"""What the leads domain reads of the settings (``uow.options(LeadOptions)``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class LeadOptions(OptionsRecord):
    """A prospect's national phone numbers are read in ``phone_region`` (ISO 3166)."""

    phone_region: str = setting("default_phone_region")
