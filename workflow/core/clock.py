"""Where "now" comes from: the system clock in production, a fixed one in tests."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, time-zone aware."""


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that stands still unless moved; for tests and reproducible demos."""

    def __init__(self, instant: dt.datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.instant = instant

    def now(self) -> dt.datetime:
        return self.instant

    def advance_to(self, instant: dt.datetime) -> None:
        """Move forward to ``instant``; a clock never goes back, so an earlier one is ignored."""
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.instant = max(self.instant, instant)


def local(instant: dt.datetime) -> dt.datetime:
    """Show an instant in Europe/Berlin."""
    return instant.astimezone(BERLIN)


def today(clock: Clock) -> dt.date:
    """The clock's date in Europe/Berlin, the body's day."""
    return local(clock.now()).date()
