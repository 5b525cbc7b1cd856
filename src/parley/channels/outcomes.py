"""How network self-service sessions ended, for the abandoned-session KPI (analytics): per
channel, the sessions started in a period by their status now (ended, abandoned, or still
active)."""

from collections import Counter
from datetime import datetime

from parley.changes import UnitOfWork
from parley.channels.repository import ChannelRepository


def session_outcomes(
    uow: UnitOfWork, start: datetime, end: datetime, channels: tuple[str, ...]
) -> dict[str, Counter]:
    """channel -> Counter of statuses, of the sessions of ``channels`` started in
    [start, end)."""
    found: dict[str, Counter] = {channel: Counter() for channel in channels}
    for channel, status, count in ChannelRepository(uow.session).started_between(
        start, end, channels
    ):
        found[channel][status] += count
    return found
