"""Business hours: how much of a span of time falls inside a team's opening hours, in its
time zone, outside its holidays. A team without a calendar of its own uses ``default``'s."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TEAM = "default"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Calendar:
    time_zone: str
    # Weekday (0 Monday) -> opening intervals as (start, end) times of day.
    hours: dict[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_row(cls, time_zone: str, hours: dict, holidays: list) -> "Calendar":
        weekly = {
            WEEKDAYS.index(day): tuple(
                (time.fromisoformat(start), time.fromisoformat(end)) for start, end in spans
            )
            for day, spans in hours.items()
        }
        return cls(time_zone, weekly, frozenset(date.fromisoformat(d) for d in holidays))

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds of [start, end) inside opening hours (0 if end is before start)."""
        if end <= start:
            return 0.0
        zone = ZoneInfo(self.time_zone)
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        total, day = 0.0, local_start.date()
        while day <= local_end.date():
            if day not in self.holidays:
                for opens, closes in self.hours.get(day.weekday(), ()):
                    # Subtracted in UTC: a day with a clock change is counted as it is lived
                    # (Python subtracts moments of one zone by their wall clocks).
                    span_start = datetime.combine(day, opens, zone).astimezone(UTC)
                    span_end = datetime.combine(day, closes, zone).astimezone(UTC)
                    overlap = min(span_end, end) - max(span_start, start)
                    total += max(overlap.total_seconds(), 0.0)
            day += timedelta(days=1)
        return total
