"""After the decision: Dringlichkeitsentscheidungen, objections and the Beschlusskontrolle."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from workflow.core.i18n import N_, _


class ObjectionKind(StrEnum):
    """What reopens a decision (domain.md 2.6); each fires its own paper trigger."""

    WIDERSPRUCH = "widerspruch"  # GO NRW § 54 Abs. 1: the common good; suspensive
    BEANSTANDUNG = "beanstandung"  # GO NRW § 54 Abs. 2, KSVG § 60: unlawful; suspensive
    AUSSETZUNG = "aussetzung"  # GemO RP § 42: the Bürgermeister suspends
    EINSPRUCH = "einspruch"  # GO NRW § 57 Abs. 4: against a delegated committee's decision

    @property
    def trigger(self) -> str:
        return _OBJECTION_TRIGGERS[self]

    @property
    def label(self) -> str:
        """The German name: Widerspruch, Beanstandung, Aussetzung, Einspruch."""
        return _(_OBJECTION_LABELS[self])


_OBJECTION_TRIGGERS = {
    ObjectionKind.WIDERSPRUCH: "object",
    ObjectionKind.BEANSTANDUNG: "contest",
    ObjectionKind.AUSSETZUNG: "suspend",
    ObjectionKind.EINSPRUCH: "appeal",
}
_OBJECTION_LABELS = {
    ObjectionKind.WIDERSPRUCH: N_("Widerspruch"),
    ObjectionKind.BEANSTANDUNG: N_("Beanstandung"),
    ObjectionKind.AUSSETZUNG: N_("Aussetzung"),
    ObjectionKind.EINSPRUCH: N_("Einspruch"),
}


class TaskState(StrEnum):
    """Beschlusskontrolle: an implementation task's status."""

    OPEN = "open"
    REPORTED = "reported"
    IMPLEMENTED = "implemented"  # umgesetzt

    @property
    def label(self) -> str:
        """The German name, as people read it."""
        return _(_TASK_LABELS[self])


_TASK_LABELS = {
    TaskState.OPEN: N_("open"),
    TaskState.REPORTED: N_("reported"),
    TaskState.IMPLEMENTED: N_("implemented"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcedureView:
    """A Dringlichkeitsentscheidung or an objection recorded against a decision."""

    paper_number: str
    kind: str  # "dringlichkeitsentscheidung" or an ObjectionKind value
    date: dt.date
    organization_id: str
    decided_by: str | None
    co_signer: str | None
    reason: str
    legal_basis: str | None
    position: int | None  # the step it created (follow-up or re-decision)
    window_start: dt.date | None = None  # the re-decision meeting no earlier than this day
    window_end: dt.date | None = None  # ... and no later than this day
    actor: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImplementationReportView:
    date: dt.date
    text: str
    actor: str
    implemented: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ImplementationTaskView:
    """Beschlusskontrolle: one follow-up on a decision's execution."""

    id: int
    paper_number: str
    title: str
    office_id: str
    state: TaskState
    due: dt.date | None  # the next report or completion due
    interval_months: int | None
    report_to: str | None  # the Gremium that receives the reports
    overdue: bool
    created_at: dt.datetime
    reports: tuple[ImplementationReportView, ...] = ()
