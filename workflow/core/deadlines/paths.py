"""The dependency check along a paper's path: the deadlines of each step, whether it kept
them (``status.step_fristen``), and whether the results of earlier steps reach its
invitation."""

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
from workflow.core.deadlines.status import (
    DeadlineCheck,
    DeadlineStatus,
    PathStep,
    StepStanding,
    step_fristen,
)
from workflow.core.deadlines.workdays import WorkingCalendar


class StepStatus(StrEnum):
    """Result of the dependency check for one step of a paper's path."""

    OK = "ok"
    MISSED = "missed"  # a Frist of the step was missed (``fristen`` says which)
    NACHTRAG = "nachtrag"  # an earlier result cannot go out with the invitation
    NO_DATE = "no_date"
    NO_RULE = "no_rule"
    CANCELLED = "cancelled"
    NOT_APPLICABLE = "not_applicable"  # abgesetzt, or a Dringlichkeitsentscheidung: no meeting


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
    fristen: tuple[DeadlineCheck, ...] = ()  # each Frist kept, missed, open, ... (``status``)
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
    cal: WorkingCalendar,
    rules: DeadlineRules,
    steps: Sequence[PathStep],
    *,
    released_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> list[StepCheck]:
    """For every step: its deadlines, whether it kept them (the paper released at
    ``released_at``, judged at ``now``; None: a plan before anything is due), and whether
    earlier results reach its invitation."""
    return [
        _check_step(cal, rules, step, steps[:index], released_at, now)
        for index, step in enumerate(steps)
    ]


_INACTIVE = {
    StepStanding.CANCELLED: (StepStatus.CANCELLED, "entfallen"),
    StepStanding.DROPPED: (
        StepStatus.NOT_APPLICABLE,
        "von der Tagesordnung abgesetzt: Fristen nicht anwendbar",
    ),
    StepStanding.URGENT: (
        StepStatus.NOT_APPLICABLE,
        (
            "Dringlichkeitsentscheidung ohne Sitzung{basis}: Vorlagenschluss und Ladung nicht "
            "anwendbar"
        ),
    ),
}


def _check_step(
    cal: WorkingCalendar,
    rules: DeadlineRules,
    step: PathStep,
    earlier: Sequence[PathStep],
    released_at: dt.datetime | None,
    now: dt.datetime | None,
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
    if not step.active:
        status, text = _INACTIVE[step.standing]
        message = text.format(basis=f" ({step.legal_basis})" if step.legal_basis else "")
        fristen = step_fristen(cal, rules, step, (), released_at=released_at, now=now)
        return replace(result, meeting_at=None, status=status, message=message, fristen=fristen)
    if step.date is None:
        return result
    if own.notice is None:
        message = (
            f"keine Ladungsfrist für {step.organization_id!r} konfiguriert; "
            "deadlines.default.notice oder deadlines.organizations ergänzen"
        )
        return replace(result, status=StepStatus.NO_RULE, message=message)
    found = step_deadlines(cal, own, step.date, step.organization_name)
    fristen = step_fristen(cal, rules, step, found, released_at=released_at, now=now)
    result = replace(result, deadlines=found, fristen=fristen)
    invitation = next(d for d in found if d.kind is DeadlineKind.INVITATION)
    late = [s for s in earlier if s.standing.has_result and s.date and s.date >= invitation.day]
    missed = [f for f in fristen if f.status is DeadlineStatus.MISSED]
    if not late:
        if missed:
            return replace(result, status=StepStatus.MISSED, message=_missed_text(cal, missed))
        message = f"Ladung bis {show(invitation.day)}; frühere Ergebnisse liegen rechtzeitig vor"
        return replace(result, status=StepStatus.OK, message=message)
    return _nachtrag(cal, own, result, late, missed)


def _nachtrag(
    cal: WorkingCalendar,
    own: RuleSet,
    result: StepCheck,
    late: Sequence[PathStep],
    missed: Sequence[DeadlineCheck],
) -> StepCheck:
    """A step whose invitation goes out before the results of ``late`` earlier steps exist:
    a Nachtrag, or the earliest meeting day that would work (a missed Frist comes first)."""
    assert own.notice is not None and result.date is not None
    invitation = next(d for d in result.deadlines if d.kind is DeadlineKind.INVITATION)
    last = max(late, key=lambda s: (s.date or dt.date.min, s.position))
    assert last.date is not None
    proposed = earliest_meeting(cal, own.notice, last.date)
    message = (
        f"{last.organization_name} (Schritt {last.position}) berät am {show(last.date)}, die "
        f"Einladung muss bis {show(invitation.day)} versandt sein: Ergebnis nur als Nachtrag / "
        f"Tischvorlage, oder Sitzung frühestens am {show(proposed)}"
    )
    urgent = next((d for d in result.deadlines if d.kind is DeadlineKind.URGENT_INVITATION), None)
    if urgent is not None and urgent.day > last.date:
        message += f"; bei Dringlichkeit Ladung bis {show(urgent.day)} möglich"
    return replace(
        result,
        status=StepStatus.MISSED if missed else StepStatus.NACHTRAG,
        message=f"{_missed_text(cal, missed)}; {message}" if missed else message,
        blocked_by=tuple(s.position for s in late),
        proposed_date=proposed,
    )


def _missed_text(cal: WorkingCalendar, missed: Sequence[DeadlineCheck]) -> str:
    """e.g. "versäumt: Vorlagenschluss bis Mo 03.06.2024 (erfolgt Mo 10.06.2024)"."""
    parts = []
    for check in missed:
        assert check.due is not None
        done = show(cal.local_date(check.done_at)) if check.done_at else None
        parts.append(
            f"{check.kind} bis {show(check.due)} ({f'erfolgt {done}' if done else 'nicht erfolgt'})"
        )
    return "versäumt: " + "; ".join(parts)
