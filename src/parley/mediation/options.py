"""What mediation reads of the settings (``uow.options(MediationOptions)``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class MediationOptions(OptionsRecord):
    """The workers take inbound messages in batches of ``batch_size``; a message whose
    application failed ``max_attempts`` times is dead, and is tried again meanwhile after a
    delay doubling from ``retry_base_seconds`` up to ``retry_max_delay_seconds``; commands
    read national phone numbers in ``phone_region``."""

    batch_size: int = setting("inbound_batch_size")
    max_attempts: int = setting("inbound_max_attempts")
    retry_base_seconds: float = setting("inbound_retry_base_seconds")
    retry_max_delay_seconds: float = setting("inbound_retry_max_delay_seconds")
    phone_region: str = setting("default_phone_region")
