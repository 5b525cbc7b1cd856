"""What network self-service reads of the settings (``uow.options(ChannelOptions)``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class ChannelOptions(OptionsRecord):
    """Callers get the menu ``menu`` in ``language`` unless their preference says otherwise;
    a session waits ``session_seconds`` for the next input, then is closed as abandoned."""

    menu: str = setting("channel_menu")
    language: str = setting("channel_language")
    session_seconds: int = setting("channel_session_seconds")
    transfer_uri: str = setting("ivr_transfer_uri")
