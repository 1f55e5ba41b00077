"""Which deadlines a paper kept or missed on its way: the Fristen of ``workflow.core.deadlines``
held against what was recorded (release, invitations, co-signatures, Einspruch).

Pure: the caller gathers the facts from the database; nothing here reads it.

- **Vorlagenschluss** of each step with a meeting date: the paper's release must come by then.
- **Ladung** of each step: the invitation of the step's meeting (``invited_at``) must go out
  by then; a step without a linked meeting has no recorded invitation (``unknown``).
- **Mitzeichnung**: each co-signature must be given within the period after it was requested.
- **Einspruchsfrist** of a delegated committee's decision: running, elapsed, or an Einspruch
  was raised within it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from workflow.core.deadlines import (
    Deadline,
    DeadlineKind,
    DeadlineRules,
    WorkingCalendar,
    lead_time_deadline,
    show,
    step_deadlines,
)


class DeadlineStatus(StrEnum):
    KEPT = "kept"
    MISSED = "missed"
    OPEN = "open"  # not yet due, and not yet done
    UNKNOWN = "unknown"  # what the deadline is about was not recorded

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    DeadlineStatus.KEPT: "eingehalten",
    DeadlineStatus.MISSED: "versäumt",
    DeadlineStatus.OPEN: "offen",
    DeadlineStatus.UNKNOWN: "nicht feststellbar",
}
OBJECTION_PERIOD = "Einspruchsfrist"


@dataclass(frozen=True, slots=True, kw_only=True)
class StepFacts:
    position: int
    organization_id: str
    organization_name: str
    date: dt.date | None  # the meeting day (held or scheduled)
    invited_at: dt.datetime | None  # when the step's meeting was invited, if linked
    has_meeting: bool  # the step is linked to a meeting record
    cancelled: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CoSignFacts:
    office_id: str
    office_name: str
    requested_at: dt.datetime | None
    signed_at: dt.datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionFacts:
    """A delegated committee's decision and its Einspruchsfrist (``days`` after the day)."""

    position: int
    organization_id: str
    organization_name: str
    date: dt.date
    days: int
    objected_on: dt.date | None = None  # an Einspruch was raised on this day


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineCheck:
    """One Frist of a paper and whether it was kept."""

    kind: str  # "Vorlagenschluss", "Ladung", "Mitzeichnung", "Einspruchsfrist"
    position: int | None  # the step; None for a co-signature
    organization_id: str
    organization_name: str
    due: dt.date  # the last day
    done_at: dt.datetime | None  # release, invitation or signature (None: not done)
    status: DeadlineStatus
    explanation: str


def check_deadlines(
    cal: WorkingCalendar,
    rules: DeadlineRules,
    *,
    now: dt.datetime,
    released_at: dt.datetime | None,
    steps: Sequence[StepFacts],
    co_signatures: Sequence[CoSignFacts] = (),
    decision: DecisionFacts | None = None,
) -> list[DeadlineCheck]:
    """Every Frist of the given steps and co-signatures, with kept / missed / open."""
    found = [_co_signing(cal, rules, c, now) for c in co_signatures]
    for step in steps:
        if step.cancelled or step.date is None:
            continue
        own = rules.for_organization(step.organization_id)
        for deadline in step_deadlines(cal, own, step.date, step.organization_name):
            if deadline.kind is DeadlineKind.SUBMISSION_CUTOFF:
                found.append(_against(cal, step, deadline, released_at, now, "Freigabe"))
            elif deadline.kind is DeadlineKind.INVITATION:
                if step.has_meeting:
                    found.append(_against(cal, step, deadline, step.invited_at, now, "Einladung"))
                else:
                    found.append(_unrecorded(step, deadline))
    if decision is not None:
        found.append(_objection_period(decision, now))
    return [c for c in found if c is not None]


def decision_facts(
    delegated_days: Mapping[str, int],
    decided: StepFacts | None,
    objected_on: dt.date | None,
) -> DecisionFacts | None:
    """The Einspruchsfrist facts of ``decided`` if its organization has delegated competence."""
    if decided is None or decided.date is None:
        return None
    days = delegated_days.get(decided.organization_id)
    if days is None:
        return None
    return DecisionFacts(
        position=decided.position,
        organization_id=decided.organization_id,
        organization_name=decided.organization_name,
        date=decided.date,
        days=days,
        objected_on=objected_on,
    )


def _against(
    cal: WorkingCalendar,
    step: StepFacts,
    deadline: Deadline,
    done: dt.datetime | None,
    now: dt.datetime,
    what: str,
) -> DeadlineCheck:
    if done is None:
        status = DeadlineStatus.MISSED if now > deadline.due else DeadlineStatus.OPEN
        text = f"{what} noch nicht erfolgt; fällig bis {show(deadline.day)}"
    else:
        status = DeadlineStatus.KEPT if done <= deadline.due else DeadlineStatus.MISSED
        text = f"{what} am {show(cal.local_date(done))}; fällig bis {show(deadline.day)}"
    return DeadlineCheck(
        kind=deadline.kind.label,
        position=step.position,
        organization_id=step.organization_id,
        organization_name=step.organization_name,
        due=deadline.day,
        done_at=done,
        status=status,
        explanation=f"{text} ({deadline.explanation})",
    )


def _unrecorded(step: StepFacts, deadline: Deadline) -> DeadlineCheck:
    return DeadlineCheck(
        kind=deadline.kind.label,
        position=step.position,
        organization_id=step.organization_id,
        organization_name=step.organization_name,
        due=deadline.day,
        done_at=None,
        status=DeadlineStatus.UNKNOWN,
        explanation=(
            f"keine Sitzung verknüpft, der Versand der Einladung ist nicht erfasst; fällig bis "
            f"{show(deadline.day)}"
        ),
    )


def _co_signing(
    cal: WorkingCalendar, rules: DeadlineRules, facts: CoSignFacts, now: dt.datetime
) -> DeadlineCheck | None:
    rule = rules.for_organization(facts.office_id).co_signing
    if rule is None or facts.requested_at is None:
        return None
    deadline = lead_time_deadline(
        cal,
        cal.local_date(facts.requested_at),
        rule,
        kind=DeadlineKind.CO_SIGNING,
        before=False,
        anchor_text="der Anforderung am",
    )
    step = StepFacts(
        position=0,
        organization_id=facts.office_id,
        organization_name=facts.office_name,
        date=None,
        invited_at=None,
        has_meeting=False,
    )
    check = _against(cal, step, deadline, facts.signed_at, now, "Mitzeichnung")
    return replace(check, position=None)


def _objection_period(decision: DecisionFacts, now: dt.datetime) -> DeadlineCheck:
    end = decision.date + dt.timedelta(days=decision.days)
    today = now.date()
    if decision.objected_on is not None:
        inside = decision.objected_on <= end
        status = DeadlineStatus.KEPT if inside else DeadlineStatus.MISSED
        text = f"Einspruch am {show(decision.objected_on)} {'in' if inside else 'nach'} der Frist"
    elif today > end:
        status, text = DeadlineStatus.KEPT, "abgelaufen ohne Einspruch; der Beschluss gilt"
    else:
        status, text = DeadlineStatus.OPEN, "läuft"
    return DeadlineCheck(
        kind=OBJECTION_PERIOD,
        position=decision.position,
        organization_id=decision.organization_id,
        organization_name=decision.organization_name,
        due=end,
        done_at=None,
        status=status,
        explanation=(
            f"{text}; {decision.days} Tage nach dem Beschluss vom {show(decision.date)}, "
            f"bis {show(end)}"
        ),
    )
