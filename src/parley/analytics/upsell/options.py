"""What up-selling reads of the settings (``uow.options(UpsellOptions)``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class UpsellOptions(OptionsRecord):
    """A customer is made at most one offer every ``period_days`` (PARLEY_UPSELL_PERIOD_DAYS)."""

    period_days: int = setting("upsell_period_days")
