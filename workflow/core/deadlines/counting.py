"""Counting one Frist on a working calendar: the invitation, lead-time and report deadlines,
each with its German explanation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from workflow.core.deadlines.rules import (
    DayUnit,
    DeadlineKind,
    LeadTimeRule,
    NonWorkingDayPolicy,
    NoticeEvent,
    NoticeRule,
    ReportRule,
    RuleSource,
)
from workflow.core.deadlines.workdays import WorkingCalendar

#: How far the calculator searches before giving up (a year of holidays is never that long).
SEARCH_LIMIT = 400
_WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


@dataclass(frozen=True, slots=True, kw_only=True)
class Deadline:
    """One computed Frist: the last day and the instant it ends, and why."""

    kind: DeadlineKind
    day: dt.date  # the last local day on which the action is on time
    due: dt.datetime  # end of that day (24:00 local), UTC
    explanation: str
    counted: tuple[dt.date, ...] = ()
    skipped: tuple[tuple[dt.date, str], ...] = ()
    warnings: tuple[str, ...] = ()
    legal_basis: str | None = None
    receipt_day: dt.date | None = None  # notice rules measured to receipt


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineEntry:
    """One open deadline of a paper, as ``ratsweg deadlines`` lists it; for a co-signature or
    a Beschlusskontrolle report ``organization_id`` is the office that owes it."""

    paper: str
    title: str
    position: int | None  # the step; None for a co-signature
    organization_id: str  # the step's Gremium, or the co-signing office
    organization_name: str
    meeting: dt.date | None
    deadline: Deadline
    overdue: bool
    task: int | None = None  # the implementation task of a Beschlusskontrolle report
    meeting_id: int | None = None  # the step's meeting, once it has one


def show(day: dt.date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day:%d.%m.%Y}"


def _source_text(source: RuleSource) -> str:
    text = f" ({source.legal_basis})" if source.legal_basis else ""
    return text


def _source_warnings(source: RuleSource) -> tuple[str, ...]:
    if source.verified:
        return ()
    return ("Regel nicht verifiziert" + (f": {source.note}" if source.note else ""),)


def _walk(start: dt.date, step: int) -> Iterator[dt.date]:
    for offset in range(1, SEARCH_LIMIT + 1):
        yield start + dt.timedelta(days=offset * step)
    raise ValueError(f"no deadline found within {SEARCH_LIMIT} days of {start}")


def shift(
    cal: WorkingCalendar, anchor: dt.date, days: int, unit: DayUnit, step: int
) -> tuple[dt.date, list[dt.date], list[tuple[dt.date, str]]]:
    """``days`` counting days after (step=1) or before (step=-1) ``anchor`` (not counted)."""
    counted: list[dt.date] = []
    skipped: list[tuple[dt.date, str]] = []
    day = anchor
    walk = _walk(anchor, step)
    while len(counted) < days:
        day = next(walk)
        reason = cal.closed(day, unit)
        if reason:
            skipped.append((day, reason))
        else:
            counted.append(day)
    return day, sorted(counted), sorted(skipped)


def _settle(
    cal: WorkingCalendar, day: dt.date, unit: DayUnit, policy: NonWorkingDayPolicy
) -> tuple[dt.date, list[tuple[dt.date, str]], list[str]]:
    """Apply the non-working-day policy to a deadline day: (day, skipped, warnings)."""
    reason = cal.non_working(day)
    if reason is None:
        return day, [], []
    if unit is DayUnit.CALENDAR_DAYS and policy is NonWorkingDayPolicy.KEEP:
        return day, [], [f"Fristende {show(day)} ist kein Arbeitstag ({reason}); nicht verschoben"]
    step = 1 if policy is NonWorkingDayPolicy.NEXT_WORKING_DAY else -1
    skipped = [(day, reason)]
    for candidate in _walk(day, step):
        why = cal.non_working(candidate)
        if why is None:
            note = f"{show(day)} ist kein Arbeitstag ({reason}); verschoben auf {show(candidate)}"
            return candidate, skipped, [note]
        skipped.append((candidate, why))
    raise AssertionError("unreachable")  # pragma: no cover


def latest_event_day(
    cal: WorkingCalendar, meeting: dt.date, rule: NoticeRule
) -> tuple[dt.date, list[dt.date], list[tuple[dt.date, str]]]:
    """The latest day of dispatch/receipt that still leaves ``rule.days`` before ``meeting``."""

    def counts(day: dt.date) -> bool:
        return cal.closed(day, rule.unit) is None

    counted: list[dt.date] = [meeting] if rule.count_meeting_day and counts(meeting) else []
    skipped: list[tuple[dt.date, str]] = []
    for day in _walk(meeting, -1):
        event_counts = rule.count_event_day and counts(day)
        if len(counted) + event_counts >= rule.days:
            return day, sorted([*counted, day] if event_counts else counted), sorted(skipped)
        if counts(day):
            counted.append(day)
        else:
            skipped.append((day, str(cal.closed(day, rule.unit))))
    raise AssertionError("unreachable")  # pragma: no cover


def counted_days(cal: WorkingCalendar, event: dt.date, meeting: dt.date, rule: NoticeRule) -> int:
    """How many days ``rule`` counts between ``event`` and ``meeting`` (forward check).

    The invitation must arrive before the meeting day: on or after it, nothing counts.
    """
    if event >= meeting:
        return 0
    days = [event + dt.timedelta(days=i) for i in range((meeting - event).days + 1)]
    if not rule.count_event_day:
        days = days[1:]
    if not rule.count_meeting_day and days and days[-1] == meeting:
        days = days[:-1]
    return sum(1 for d in days if cal.closed(d, rule.unit) is None)


def receipt_of(cal: WorkingCalendar, dispatch: dt.date, rule: NoticeRule) -> dt.date:
    if rule.event is NoticeEvent.DISPATCH or rule.delivery_days == 0:
        return dispatch
    return shift(cal, dispatch, rule.delivery_days, rule.delivery_unit, 1)[0]


def satisfies(cal: WorkingCalendar, rule: NoticeRule, dispatch: dt.date, meeting: dt.date) -> bool:
    """Whether an invitation dispatched on ``dispatch`` keeps the rule for ``meeting``."""
    return counted_days(cal, receipt_of(cal, dispatch, rule), meeting, rule) >= rule.days


def _counting_text(rule: NoticeRule) -> str:
    event = "Zugang" if rule.event is NoticeEvent.RECEIPT else "Absendung"
    if not rule.count_event_day and not rule.count_meeting_day:
        how = f"{rule.unit.amount(rule.days, full=True)} zwischen {event} und Sitzungstag"
    else:
        counted = [
            name
            for name, flag in (
                (f"{event}stag", rule.count_event_day),
                ("Sitzungstag", rule.count_meeting_day),
            )
            if flag
        ]
        how = f"{rule.unit.amount(rule.days)} ab {event}, {' und '.join(counted)} mitgezählt"
    return how


def _span(days: Sequence[dt.date]) -> str:
    if not days:
        return "keine"
    if len(days) == 1:
        return show(days[0])
    return f"{show(days[0])} bis {show(days[-1])} ({len(days)} Tage)"


def _skipped_text(skipped: Sequence[tuple[dt.date, str]]) -> str:
    if not skipped:
        return ""
    return "; übersprungen: " + ", ".join(f"{day:%d.%m.} ({why})" for day, why in skipped)


def invitation_deadline(
    cal: WorkingCalendar,
    meeting: dt.date,
    rule: NoticeRule,
    *,
    kind: DeadlineKind = DeadlineKind.INVITATION,
    body_name: str = "",
) -> Deadline:
    """The last day on which the invitation to a meeting on ``meeting`` may be dispatched."""
    event_day, counted, skipped = latest_event_day(cal, meeting, rule)
    who = f" {body_name}" if body_name else ""
    parts = [
        f"{kind.label}{who} zur Sitzung am {show(meeting)}: {_counting_text(rule)}"
        + _source_text(rule.source),
        f"gezählt: {_span(counted)}{_skipped_text(skipped)}",
    ]
    dispatch, receipt = event_day, None
    if rule.event is NoticeEvent.RECEIPT:
        receipt = event_day
        parts.append(f"Zugang spätestens {show(receipt)}")
        if rule.delivery_days:
            dispatch, _, off = shift(cal, receipt, rule.delivery_days, rule.delivery_unit, -1)
            parts.append(
                f"Zugangsfiktion {rule.delivery_unit.amount(rule.delivery_days)}{_skipped_text(off)}"
            )
            skipped = skipped + off
    day, moved, warnings = _settle(cal, dispatch, rule.unit, rule.on_non_working_day)
    parts.append(f"Versand spätestens {show(day)}, 24:00 Uhr")
    return Deadline(
        kind=kind,
        day=day,
        due=cal.end_of_day(day),
        explanation="; ".join(parts),
        counted=tuple(counted),
        skipped=tuple(skipped + moved),
        warnings=tuple(warnings) + _source_warnings(rule.source),
        legal_basis=rule.source.legal_basis,
        receipt_day=receipt,
    )


def lead_time_deadline(
    cal: WorkingCalendar,
    anchor: dt.date,
    rule: LeadTimeRule,
    *,
    kind: DeadlineKind,
    before: bool,
    anchor_text: str,
) -> Deadline:
    """``rule.days`` before (Vorlagenschluss) or after (Mitzeichnung) ``anchor``."""
    target, counted, skipped = shift(cal, anchor, rule.days, rule.unit, -1 if before else 1)
    day, moved, warnings = _settle(cal, target, rule.unit, rule.on_non_working_day)
    direction = "vor" if before else "nach"
    explanation = (
        f"{kind.label}: {rule.unit.amount(rule.days)} {direction} {anchor_text} {show(anchor)}"
        f"{_source_text(rule.source)}; gezählt: {_span(counted)}{_skipped_text(skipped)}; "
        f"spätestens {show(day)}, 24:00 Uhr"
    )
    return Deadline(
        kind=kind,
        day=day,
        due=cal.end_of_day(day),
        explanation=explanation,
        counted=tuple(counted),
        skipped=tuple(skipped + moved),
        warnings=tuple(warnings) + _source_warnings(rule.source),
        legal_basis=rule.source.legal_basis,
    )


def report_due_dates(
    cal: WorkingCalendar, decided: dt.date, rule: ReportRule, count: int = 1
) -> list[Deadline]:
    """The first ``count`` Beschlusskontrolle reports after a decision on ``decided``."""
    dues = []
    for n in range(1, count + 1):
        day = add_months(decided, rule.months * n)
        explanation = (
            f"{DeadlineKind.IMPLEMENTATION_REPORT.label} {n}: alle {rule.months} Monate nach dem "
            f"Beschluss vom {show(decided)}{_source_text(rule.source)}; fällig {show(day)}"
        )
        dues.append(
            Deadline(
                kind=DeadlineKind.IMPLEMENTATION_REPORT,
                day=day,
                due=cal.end_of_day(day),
                explanation=explanation,
                warnings=_source_warnings(rule.source),
                legal_basis=rule.source.legal_basis,
            )
        )
    return dues


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's end (31.08. + 6 → 28./29.02.)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def earliest_meeting(cal: WorkingCalendar, rule: NoticeRule, ready: dt.date) -> dt.date:
    """The earliest working day for a meeting whose invitation can go out after ``ready``."""
    for meeting in _walk(ready, 1):
        if cal.non_working(meeting) is None and invitation_deadline(cal, meeting, rule).day > ready:
            return meeting
    raise AssertionError("unreachable")  # pragma: no cover
