"""The ``deadlines`` section of the definitions as values: what a period counts, what a
Ladungsfrist measures from, what happens on a non-working day, and the rules of a body and
of each of its organizations (docs/definitions.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from dateutil.easter import easter


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
