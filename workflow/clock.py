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


def local(instant: dt.datetime) -> dt.datetime:
    """Show an instant in Europe/Berlin."""
    return instant.astimezone(BERLIN)
