"""Where "now" comes from: the system clock in production, a fixed one in tests."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

from workflow.core.errors import InvalidInput

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


def wall_clock(day: dt.date, at: dt.time, zone: dt.tzinfo = BERLIN) -> dt.datetime:
    """The UTC instant of ``day`` at ``at`` on the clocks of ``zone`` (Europe/Berlin).

    ``at`` may carry a fixed offset (``tzinfo=dt.timezone(...)``), which says which of two
    equal times in the night the clocks go back is meant; it must be one that ``zone`` has at
    that time.

    :raises InvalidInput: a time the clocks skip when summer time begins, a time they show twice
        when it ends (without the offset that picks one), or an offset ``zone`` does not have then.
    """
    wall = dt.datetime.combine(day, at.replace(tzinfo=None))
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    shown = f"{wall:%d.%m.%Y %H:%M}"
    if not _exists(first):
        raise InvalidInput(
            f"{shown} does not exist in {zone}: the clocks go from {_shift(first, second, zone)} "
            "that night; choose a time outside that hour"
        )
    offsets = sorted({_offset(first), _offset(second)})
    if at.tzinfo is not None:
        instant = wall.replace(tzinfo=at.tzinfo)
        given = _offset(instant) if instant.utcoffset() is not None else "?"
        if given not in offsets:
            fix = "give one of them" if len(offsets) > 1 else "or leave the offset out"
            raise InvalidInput(f"{shown}{given}: {zone} is at {' or '.join(offsets)} then; {fix}")
        return instant.astimezone(dt.UTC)
    if len(offsets) > 1:
        raise InvalidInput(
            f"{shown} happens twice in {zone}: the clocks go back from "
            f"{_shift(first, second, zone)}; add the offset, {wall:%H:%M}{_offset(first)} for "
            f"the first (summer time) or {wall:%H:%M}{_offset(second)} for the second"
        )
    return first.astimezone(dt.UTC)


def check_exists(instant: dt.datetime, what: str) -> None:
    """Refuse an aware ``instant`` whose wall time its zone skips (``2027-03-28 02:30`` in
    Europe/Berlin), which Python would silently read as another time.

    :raises InvalidInput: the wall time does not exist.
    """
    if instant.tzinfo is None or _exists(instant):
        return
    wall = instant.replace(tzinfo=None)
    try:
        wall_clock(wall.date(), wall.time(), instant.tzinfo)
    except InvalidInput as exc:  # it does: naming the hour the clocks skip
        raise InvalidInput(f"{what}: {exc}") from None
    raise InvalidInput(f"{what}: {wall:%d.%m.%Y %H:%M} does not exist in {instant.tzinfo}")


def _exists(instant: dt.datetime) -> bool:
    """Does the wall time of ``instant`` (aware, in a ``ZoneInfo``) appear on the clocks?"""
    back = instant.astimezone(dt.UTC).astimezone(instant.tzinfo)
    return back.replace(tzinfo=None) == instant.replace(tzinfo=None)


def _offset(instant: dt.datetime) -> str:
    """``+02:00``: the UTC offset of an aware datetime."""
    return instant.isoformat()[-6:] if instant.utcoffset() else "+00:00"


def _shift(first: dt.datetime, second: dt.datetime, zone: dt.tzinfo) -> str:
    """'02:00 to 03:00': the wall times either side of the change of offset between the two
    readings of one wall time (fold 0 and 1), found by halving the interval between them."""
    low, high = sorted((first.astimezone(dt.UTC), second.astimezone(dt.UTC)))
    before = low.astimezone(zone).utcoffset()
    while high - low > dt.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    old = high.astimezone(dt.timezone(before or dt.timedelta())).replace(tzinfo=None)
    new = high.astimezone(zone).replace(tzinfo=None)
    return f"{old:%H:%M} to {new:%H:%M}"
