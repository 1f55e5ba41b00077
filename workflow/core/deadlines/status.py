"""Whether a step kept its Fristen: the one judgement that ``paper check``, ``decisions list``,
the decision-trail report and the compliance check all show.

Pure: the caller gathers the facts (when the paper was released, when the step's meeting was
invited, how the step stands); nothing here reads the database.

- **Vorlagenschluss**: the paper's release must come by the end of its last day.
- **Ladung**: the invitation of the step's meeting must go out by the end of its last day; a
  step without a linked meeting has no recorded invitation (``open`` while not yet due,
  ``unknown`` after).
- A step that was cancelled (entfallen) or dropped from the agenda (abgesetzt), and the
  Bürgermeister's Dringlichkeitsentscheidung in place of a meeting, have no meeting to keep
  Fristen for: their Vorlagenschluss and Ladung are ``not_applicable`` (nicht anwendbar).
- Not done and not yet due is ``open``; not done and past due is ``missed``; done after the
  end of the last day is ``missed``, whatever a later view asks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from workflow.core.deadlines.counting import Deadline, show
from workflow.core.deadlines.rules import DeadlineKind, DeadlineRules, RuleSet
from workflow.core.deadlines.workdays import WorkingCalendar


class DeadlineStatus(StrEnum):
    """How one Frist stands; the values are stable (JSON, CSV), the labels are shown."""

    KEPT = "kept"
    MISSED = "missed"
    OPEN = "open"  # not yet due, and not yet done
    UNKNOWN = "unknown"  # what the deadline is about was not recorded
    NOT_APPLICABLE = "not_applicable"  # no meeting to keep it for (entfallen, abgesetzt, dringlich)

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    DeadlineStatus.KEPT: "eingehalten",
    DeadlineStatus.MISSED: "versäumt",
    DeadlineStatus.OPEN: "offen",
    DeadlineStatus.UNKNOWN: "nicht feststellbar",
    DeadlineStatus.NOT_APPLICABLE: "nicht anwendbar",
}


class StepStanding(StrEnum):
    """Whether a step still has a meeting whose Fristen it must keep."""

    ACTIVE = "active"
    CANCELLED = "cancelled"  # entfallen: closed without a result
    DROPPED = "dropped"  # abgesetzt: taken off the agenda without deliberation
    URGENT = "urgent"  # Dringlichkeitsentscheidung of the Bürgermeister, without a meeting

    @property
    def has_result(self) -> bool:
        """The step produced a result a later step may wait for."""
        return self in (StepStanding.ACTIVE, StepStanding.URGENT)


_NOT_APPLICABLE_WHY = {
    StepStanding.CANCELLED: "Schritt entfallen, keine Sitzung",
    StepStanding.DROPPED: "von der Tagesordnung abgesetzt",
    StepStanding.URGENT: "Dringlichkeitsentscheidung ohne Sitzung",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PathStep:
    """One step of a paper's path with the facts its Fristen are judged against."""

    position: int
    organization_id: str
    organization_name: str
    role: str = ""
    date: dt.date | None  # the meeting day (held, scheduled or planned)
    has_meeting: bool = False  # the step is linked to a meeting record
    invited_at: dt.datetime | None = None  # when that meeting was invited
    standing: StepStanding = StepStanding.ACTIVE
    legal_basis: str | None = None  # of a Dringlichkeitsentscheidung (e.g. "GemO § 48")

    @property
    def active(self) -> bool:
        return self.standing is StepStanding.ACTIVE


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineCheck:
    """One Frist and whether it was kept."""

    kind: str  # "Vorlagenschluss", "Ladung", "Mitzeichnung", "Einspruchsfrist"
    position: int | None  # the step; None for a co-signature
    organization_id: str
    organization_name: str
    due: dt.date | None  # the last day; None where the Frist does not apply
    done_at: dt.datetime | None  # release, invitation or signature (None: not done)
    status: DeadlineStatus
    explanation: str
    legal_basis: str | None = None


def judge(
    cal: WorkingCalendar,
    deadline: Deadline,
    done: dt.datetime | None,
    now: dt.datetime | None,
    what: str,
    *,
    position: int | None,
    organization_id: str,
    organization_name: str,
) -> DeadlineCheck:
    """``deadline`` held against the instant ``done`` (None: not done) at ``now`` (None: before
    anything is due, as a plan without a clock sees it)."""
    if done is None:
        late = now is not None and now > deadline.due
        status = DeadlineStatus.MISSED if late else DeadlineStatus.OPEN
        text = f"{what} noch nicht erfolgt; fällig bis {show(deadline.day)}"
    else:
        status = DeadlineStatus.KEPT if done <= deadline.due else DeadlineStatus.MISSED
        text = f"{what} am {show(cal.local_date(done))}; fällig bis {show(deadline.day)}"
    return DeadlineCheck(
        kind=deadline.kind.label,
        position=position,
        organization_id=organization_id,
        organization_name=organization_name,
        due=deadline.day,
        done_at=done,
        status=status,
        explanation=f"{text} ({deadline.explanation})",
        legal_basis=deadline.legal_basis,
    )


def step_fristen(
    cal: WorkingCalendar,
    rules: DeadlineRules,
    step: PathStep,
    deadlines: tuple[Deadline, ...],
    *,
    released_at: dt.datetime | None,
    now: dt.datetime | None,
) -> tuple[DeadlineCheck, ...]:
    """The Vorlagenschluss and the Ladung of ``step`` (whose computed ``deadlines`` are
    given, see ``step_deadlines``), each kept, missed, open, unknown or not applicable."""
    if not step.active:
        return _not_applicable(rules.for_organization(step.organization_id), step)
    found = []
    for deadline in deadlines:
        if deadline.kind is DeadlineKind.SUBMISSION_CUTOFF:
            found.append(_judge_step(cal, step, deadline, released_at, now, "Freigabe"))
        elif deadline.kind is DeadlineKind.INVITATION:
            if step.has_meeting:
                found.append(_judge_step(cal, step, deadline, step.invited_at, now, "Einladung"))
            else:
                found.append(_unrecorded(step, deadline, now))
    return tuple(found)


def _judge_step(
    cal: WorkingCalendar,
    step: PathStep,
    deadline: Deadline,
    done: dt.datetime | None,
    now: dt.datetime | None,
    what: str,
) -> DeadlineCheck:
    return judge(
        cal,
        deadline,
        done,
        now,
        what,
        position=step.position,
        organization_id=step.organization_id,
        organization_name=step.organization_name,
    )


def _unrecorded(step: PathStep, deadline: Deadline, now: dt.datetime | None) -> DeadlineCheck:
    due = now is not None and now > deadline.due
    return DeadlineCheck(
        kind=deadline.kind.label,
        position=step.position,
        organization_id=step.organization_id,
        organization_name=step.organization_name,
        due=deadline.day,
        done_at=None,
        status=DeadlineStatus.UNKNOWN if due else DeadlineStatus.OPEN,
        explanation=(
            f"keine Sitzung verknüpft, der Versand der Einladung ist nicht erfasst; fällig bis "
            f"{show(deadline.day)}"
        ),
        legal_basis=deadline.legal_basis,
    )


def _not_applicable(own: RuleSet, step: PathStep) -> tuple[DeadlineCheck, ...]:
    """The step's Fristen as not applicable: those its rules set, for a step with a day."""
    if step.date is None or own.notice is None:
        return ()
    kinds = [DeadlineKind.INVITATION]
    if own.submission_cutoff is not None:
        kinds.insert(0, DeadlineKind.SUBMISSION_CUTOFF)
    why = _NOT_APPLICABLE_WHY[step.standing]
    basis = f" ({step.legal_basis})" if step.legal_basis else ""
    return tuple(
        DeadlineCheck(
            kind=kind.label,
            position=step.position,
            organization_id=step.organization_id,
            organization_name=step.organization_name,
            due=None,
            done_at=None,
            status=DeadlineStatus.NOT_APPLICABLE,
            explanation=f"{why}{basis} am {show(step.date)}: {kind.label} nicht anwendbar",
            legal_basis=step.legal_basis,
        )
        for kind in kinds
    )
