"""The working calendar of a municipality: weekends, public holidays, local days off, and
its time zone."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from workflow.core.deadlines.rules import DayOff, DayUnit


class WorkingCalendar:
    """Weekends, the state's public holidays (``holidays`` package) and local days off."""

    def __init__(
        self, state: str, time_zone: str = "Europe/Berlin", days_off: Sequence[DayOff] = ()
    ):
        self.state = state
        self.tz = ZoneInfo(time_zone)
        self.days_off = tuple(days_off)
        import holidays  # ~0.1 s to import: only when a calendar is needed

        self._holidays = holidays.country_holidays("DE", subdiv=state, language="de")

    def holiday(self, day: dt.date) -> str | None:
        """The name of the public holiday or local day off on ``day``."""
        name = self._holidays.get(day)
        if name:
            return f"Feiertag {name} ({self.state})"
        for off in self.days_off:
            if off.falls_on(day):
                return f"dienstfrei: {off.name}"
        return None

    def closed(self, day: dt.date, unit: DayUnit) -> str | None:
        """Why ``day`` does not count in ``unit`` (None: it counts)."""
        if unit is DayUnit.CALENDAR_DAYS:
            return None
        if day.weekday() == 6 or (day.weekday() == 5 and unit is DayUnit.WORKING_DAYS):
            return "Samstag" if day.weekday() == 5 else "Sonntag"
        return self.holiday(day)

    def non_working(self, day: dt.date) -> str | None:
        """Why the administration does not work on ``day`` (None: a working day)."""
        return self.closed(day, DayUnit.WORKING_DAYS)

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """24:00 local on ``day``, in UTC."""
        start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=self.tz)
        return start.astimezone(dt.UTC)

    def at(self, day: dt.date, time: dt.time | None) -> dt.datetime | None:
        if time is None:
            return None
        return dt.datetime.combine(day, time, tzinfo=self.tz).astimezone(dt.UTC)

    def local_date(self, instant: dt.datetime) -> dt.date:
        return instant.astimezone(self.tz).date()

    def days_before(self, instant: dt.datetime, days: int) -> dt.datetime:
        """``instant`` moved ``days`` local calendar days back at the same local time, in UTC:
        24:00 on Monday 30.03.2026 (summer time) less two days is 24:00 on Saturday 28.03.
        (winter time, 23:00 UTC), where 48 hours back would give 23:00 local (22:00 UTC)."""
        wall = instant.astimezone(self.tz).replace(tzinfo=None) - dt.timedelta(days=days)
        return wall.replace(tzinfo=self.tz).astimezone(dt.UTC)


@functools.lru_cache(maxsize=64)
def working_calendar(
    state: str, time_zone: str = "Europe/Berlin", days_off: tuple[DayOff, ...] = ()
) -> WorkingCalendar:
    return WorkingCalendar(state, time_zone, days_off)
