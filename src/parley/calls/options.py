"""What the calls domain reads of the settings (``uow.options(CallOptions)``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class CallOptions(OptionsRecord):
    """After an answered call's hang-up its contact stays open for the agent's wrap-up for
    ``wrap_up_seconds`` (after-call work), then the worker completes it (0: at once)."""

    wrap_up_seconds: int = setting("call_wrap_up_seconds")
