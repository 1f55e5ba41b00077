"""Deadline (Frist) arithmetic: pure date math on a municipality's working calendar.

Nothing here touches the database. Rules come from the ``deadlines`` section of the definitions
(see docs/definitions.md); every computed ``Deadline`` carries a German explanation naming the
rule, its legal basis, the days counted and the days skipped (and why), so that it can be shown
to an auditor as it is.

Dates are calendar dates in the municipality's time zone; a deadline "bis 24:00 am Tag X" is
the instant at which day X+1 begins there, stored as UTC. Counting by dates and converting at
the end keeps every deadline right across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from dateutil.easter import easter

#: How far the calculator searches before giving up (a year of holidays is never that long).
SEARCH_LIMIT = 400
_WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


class DayUnit(StrEnum):
    """What a period counts."""

    CALENDAR_DAYS = "calendar_days"  # "Tage", "Kalendertage": every day
    WORKING_DAYS = "working_days"  # "Arbeitstage": Mon-Fri except holidays and days off
    WERKTAGE = "werktage"  # "Werktage" (BGB): Mon-Sat except holidays and days off

    @property
    def label(self) -> str:
        return {"calendar_days": "Kalendertage", "working_days": "Arbeitstage"}.get(
            self.value, "Werktage"
        )

    def amount(self, days: int, *, full: bool = False) -> str:
        """'1 voller Kalendertag', '4 volle Kalendertage', '1 Arbeitstag', '5 Arbeitstage'."""
        unit = self.label if days != 1 else self.label.removesuffix("e")
        adjective = ("voller " if days == 1 else "volle ") if full else ""
        return f"{days} {adjective}{unit}"


class NoticeEvent(StrEnum):
    """The end of a Ladungsfrist that the rule measures from."""

    DISPATCH = "dispatch"  # Absendung
    RECEIPT = "receipt"  # Zugang


class NonWorkingDayPolicy(StrEnum):
    """What happens when a calendar-day deadline falls on a weekend, holiday or day off."""

    KEEP = "keep"  # the deadline stays; a warning says so
    PREVIOUS_WORKING_DAY = "previous_working_day"
    NEXT_WORKING_DAY = "next_working_day"  # § 193 BGB; only for periods counted forward


class DeadlineKind(StrEnum):
    SUBMISSION_CUTOFF = "vorlagenschluss"
    INVITATION = "ladung"
    URGENT_INVITATION = "ladung_dringlich"
    CO_SIGNING = "mitzeichnung"
    IMPLEMENTATION_REPORT = "bericht"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    DeadlineKind.SUBMISSION_CUTOFF: "Vorlagenschluss",
    DeadlineKind.INVITATION: "Ladung",
    DeadlineKind.URGENT_INVITATION: "Ladung (Dringlichkeit)",
    DeadlineKind.CO_SIGNING: "Mitzeichnung",
    DeadlineKind.IMPLEMENTATION_REPORT: "Bericht Beschlusskontrolle",
}


class StepStatus(StrEnum):
    """Result of the dependency check for one step of a paper's path."""

    OK = "ok"
    NACHTRAG = "nachtrag"  # an earlier result cannot go out with the invitation
    NO_DATE = "no_date"
    NO_RULE = "no_rule"
    CANCELLED = "cancelled"


# -- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSource:
    """Where a rule comes from, and whether anyone checked it."""

    legal_basis: str | None = None
    note: str | None = None
    verified: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeRule:
    """Ladungsfrist: at least ``days`` between the invitation and the meeting day."""

    days: int
    unit: DayUnit
    count_event_day: bool  # is the day of dispatch/receipt one of the counted days?
    count_meeting_day: bool
    event: NoticeEvent
    delivery_days: int = 0  # Zugangsfiktion: receipt is assumed this long after dispatch
    delivery_unit: DayUnit = DayUnit.CALENDAR_DAYS
    on_non_working_day: NonWorkingDayPolicy = NonWorkingDayPolicy.KEEP
    source: RuleSource = field(default_factory=RuleSource)


@dataclass(frozen=True, slots=True, kw_only=True)
class LeadTimeRule:
    """``days`` before an anchor (Vorlagenschluss) or after it (Mitzeichnung)."""

    days: int
    unit: DayUnit
    on_non_working_day: NonWorkingDayPolicy = NonWorkingDayPolicy.KEEP
    source: RuleSource = field(default_factory=RuleSource)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportRule:
    """Beschlusskontrolle: a report every ``months`` after the decision."""

    months: int
    source: RuleSource = field(default_factory=RuleSource)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSet:
    """The rules of one organization (or the body's defaults). ``None``: not configured."""

    meeting_time: dt.time | None = None
    notice: NoticeRule | None = None
    urgent_notice: NoticeRule | None = None
    submission_cutoff: LeadTimeRule | None = None
    co_signing: LeadTimeRule | None = None
    implementation_report: ReportRule | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DayOff:
    """A municipality's own day off (office closure): one date, every year, or around Easter."""

    name: str
    date: dt.date | None = None
    annual: tuple[int, int] | None = None  # (month, day)
    easter_offset: int | None = None

    def falls_on(self, day: dt.date) -> bool:
        if self.date is not None:
            return day == self.date
        if self.annual is not None:
            return (day.month, day.day) == self.annual
        return self.easter_offset is not None and day == easter(day.year) + dt.timedelta(
            days=self.easter_offset
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderRule:
    """When reminders go out, and to whom an overdue one is escalated.

    ``escalate_to`` entries are ``office_head`` (the heads of the office concerned),
    ``session_office`` or another role (every user holding it), an office id (every user of
    the office), a user id, or an e-mail address.
    """

    lead_days: int = 2  # local calendar days before the deadline
    escalate_after_hours: int | None = None  # None: no escalation
    escalate_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineRules:
    """The ``deadlines`` section: defaults, per-organization overrides, extra days off."""

    default: RuleSet = field(default_factory=RuleSet)
    organizations: Mapping[str, RuleSet] = field(default_factory=lambda: MappingProxyType({}))
    days_off: tuple[DayOff, ...] = ()
    reminders: ReminderRule | None = None  # None: no reminders are planned

    def for_organization(self, org_id: str) -> RuleSet:
        """The organization's rules; each rule it does not set comes from the defaults."""
        own = self.organizations.get(org_id)
        if own is None:
            return self.default
        base = self.default
        return RuleSet(
            meeting_time=own.meeting_time or base.meeting_time,
            notice=own.notice or base.notice,
            urgent_notice=own.urgent_notice or base.urgent_notice,
            submission_cutoff=own.submission_cutoff or base.submission_cutoff,
            co_signing=own.co_signing or base.co_signing,
            implementation_report=own.implementation_report or base.implementation_report,
        )


# -- the working calendar ---------------------------------------------------------------------


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


# -- results -----------------------------------------------------------------------------------


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
class PathStep:
    """One step of a paper's path as the dependency check sees it."""

    position: int
    organization_id: str
    organization_name: str
    role: str
    date: dt.date | None  # the meeting date (held, scheduled or planned)
    cancelled: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StepCheck:
    position: int
    organization_id: str
    organization_name: str
    role: str
    date: dt.date | None
    meeting_at: dt.datetime | None
    status: StepStatus
    message: str
    deadlines: tuple[Deadline, ...] = ()
    blocked_by: tuple[int, ...] = ()  # positions whose result comes too late
    proposed_date: dt.date | None = None  # earliest meeting date that would work
    proposed_meeting: int | None = None  # the Gremium's first planned meeting from that date


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


# -- counting ----------------------------------------------------------------------------------


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


# -- the dependency check along a paper's path ------------------------------------------------


def step_deadlines(
    cal: WorkingCalendar, rules: RuleSet, meeting: dt.date, body_name: str
) -> tuple[Deadline, ...]:
    """Vorlagenschluss, Ladung and (if configured) the urgent Ladung of one meeting."""
    if rules.notice is None:
        return ()
    invitation = invitation_deadline(cal, meeting, rules.notice, body_name=body_name)
    found = [invitation]
    if rules.submission_cutoff is not None:
        found.insert(
            0,
            lead_time_deadline(
                cal,
                invitation.day,
                rules.submission_cutoff,
                kind=DeadlineKind.SUBMISSION_CUTOFF,
                before=True,
                anchor_text="dem Versand der Einladung",
            ),
        )
    if rules.urgent_notice is not None:
        found.append(
            invitation_deadline(
                cal,
                meeting,
                rules.urgent_notice,
                kind=DeadlineKind.URGENT_INVITATION,
                body_name=body_name,
            )
        )
    return tuple(found)


def check_path(
    cal: WorkingCalendar, rules: DeadlineRules, steps: Sequence[PathStep]
) -> list[StepCheck]:
    """For every step: its deadlines, and whether earlier results reach its invitation."""
    checks = []
    for index, step in enumerate(steps):
        checks.append(_check_step(cal, rules, step, steps[:index]))
    return checks


def _check_step(
    cal: WorkingCalendar, rules: DeadlineRules, step: PathStep, earlier: Sequence[PathStep]
) -> StepCheck:
    own = rules.for_organization(step.organization_id)
    meeting_at = cal.at(step.date, own.meeting_time) if step.date else None
    result = StepCheck(
        position=step.position,
        organization_id=step.organization_id,
        organization_name=step.organization_name,
        role=step.role,
        date=step.date,
        meeting_at=meeting_at,
        status=StepStatus.NO_DATE,
        message="kein Sitzungstermin: Fristen erst mit Termin berechenbar",
    )
    if step.cancelled:
        return replace(result, meeting_at=None, status=StepStatus.CANCELLED, message="entfallen")
    if step.date is None:
        return result
    if own.notice is None:
        message = (
            f"keine Ladungsfrist für {step.organization_id!r} konfiguriert; "
            "deadlines.default.notice oder deadlines.organizations ergänzen"
        )
        return replace(result, status=StepStatus.NO_RULE, message=message)
    found = step_deadlines(cal, own, step.date, step.organization_name)
    invitation = next(d for d in found if d.kind is DeadlineKind.INVITATION)
    late = [s for s in earlier if not s.cancelled and s.date and s.date >= invitation.day]
    if not late:
        message = f"Ladung bis {show(invitation.day)}; frühere Ergebnisse liegen rechtzeitig vor"
        return replace(result, status=StepStatus.OK, message=message, deadlines=found)
    last = max(late, key=lambda s: (s.date or dt.date.min, s.position))
    assert last.date is not None
    proposed = earliest_meeting(cal, own.notice, last.date)
    message = (
        f"{last.organization_name} (Schritt {last.position}) berät am {show(last.date)}, die "
        f"Einladung muss bis {show(invitation.day)} versandt sein: Ergebnis nur als Nachtrag / "
        f"Tischvorlage, oder Sitzung frühestens am {show(proposed)}"
    )
    urgent = next((d for d in found if d.kind is DeadlineKind.URGENT_INVITATION), None)
    if urgent is not None and urgent.day > last.date:
        message += f"; bei Dringlichkeit Ladung bis {show(urgent.day)} möglich"
    return replace(
        result,
        status=StepStatus.NACHTRAG,
        message=message,
        deadlines=found,
        blocked_by=tuple(s.position for s in late),
        proposed_date=proposed,
    )
