"""What Analyze & Report reads of the settings (``uow.options(AnalyticsOptions)``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class AnalyticsOptions(OptionsRecord):
    """A scheduled report too large to attach links to its page in the console, made from
    ``base_url``; a schedule without a time zone runs in ``time_zone``."""

    base_url: str = setting("base_url")
    time_zone: str = setting("default_time_zone")
