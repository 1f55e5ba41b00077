"""Which deadlines a paper kept or missed on its way: the Fristen of ``workflow.core.deadlines``
held against what was recorded (release, invitations, co-signatures, Einspruch).

Pure: the caller gathers the facts from the database; nothing here reads it.

- **Vorlagenschluss** and **Ladung** of each step with a meeting date: judged by
  ``workflow.core.deadlines.step_fristen``, the same judgement ``paper check`` shows (a
  cancelled or dropped step and a Dringlichkeitsentscheidung: not applicable).
- **Mitzeichnung**: each co-signature must be given within the period after it was requested.
- **Einspruchsfrist** of a delegated committee's decision: running, elapsed, or an Einspruch
  was raised within it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from workflow.core.deadlines import (
    DeadlineCheck,
    DeadlineKind,
    DeadlineRules,
    DeadlineStatus,
    PathStep,
    WorkingCalendar,
    judge,
    lead_time_deadline,
    show,
    step_deadlines,
    step_fristen,
)

#: One step of the path with the facts its Fristen are judged against.
StepFacts = PathStep
OBJECTION_PERIOD = "Einspruchsfrist"

__all__ = [
    "OBJECTION_PERIOD",
    "CoSignFacts",
    "DeadlineCheck",
    "DeadlineStatus",
    "DecisionFacts",
    "StepFacts",
    "check_deadlines",
    "decision_facts",
]


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
    found = [c for c in (_co_signing(cal, rules, c, now) for c in co_signatures) if c]
    for step in steps:
        if step.date is None:
            continue
        own = rules.for_organization(step.organization_id)
        computed = (
            step_deadlines(cal, own, step.date, step.organization_name) if step.active else ()
        )
        found.extend(step_fristen(cal, rules, step, computed, released_at=released_at, now=now))
    if decision is not None:
        found.append(_objection_period(decision, now))
    return found


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
    return judge(
        cal,
        deadline,
        facts.signed_at,
        now,
        "Mitzeichnung",
        position=None,
        organization_id=facts.office_id,
        organization_name=facts.office_name,
    )


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
