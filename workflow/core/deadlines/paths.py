"""The dependency check along a paper's path: the deadlines of each step, and whether the
results of earlier steps reach its invitation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from workflow.core.deadlines.counting import (
    Deadline,
    earliest_meeting,
    invitation_deadline,
    lead_time_deadline,
    show,
)
from workflow.core.deadlines.rules import DeadlineKind, DeadlineRules, RuleSet
from workflow.core.deadlines.workdays import WorkingCalendar


class StepStatus(StrEnum):
    """Result of the dependency check for one step of a paper's path."""

    OK = "ok"
    NACHTRAG = "nachtrag"  # an earlier result cannot go out with the invitation
    NO_DATE = "no_date"
    NO_RULE = "no_rule"
    CANCELLED = "cancelled"


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
