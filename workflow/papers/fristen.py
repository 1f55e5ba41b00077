"""The facts a paper's Fristen are judged against, gathered once for every view: when the
paper was released, when each step's meeting was invited, and how each step stands (active,
entfallen, abgesetzt, or the Bürgermeister's Dringlichkeitsentscheidung). ``paper check``,
``decisions list`` and the decision-trail report all judge these with
``workflow.core.deadlines.step_fristen``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workflow.core.deadlines import PathStep, StepStanding
from workflow.core.model import AuditAction, Outcome, ResultEffect

if TYPE_CHECKING:
    from storage.schema import Consultation, Paper
    from workflow.core.catalog import Catalog

RELEASED = "released"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseFacts:
    """What a paper's audit trail says about its Fristen: the first release, and the steps
    that hold a Dringlichkeitsentscheidung (position -> its legal basis)."""

    released_at: dt.datetime | None = None
    urgent: Mapping[int, str | None] = field(default_factory=dict)


def release_facts(events: Iterable[Any]) -> ReleaseFacts:
    """``ReleaseFacts`` from a paper's audit events (``storage.schema.AuditEvent`` rows) in
    chain order."""
    released_at, urgent = None, {}
    for event in events:
        if event.action == AuditAction.PAPER_TRANSITIONED.value:
            if event.to_state == RELEASED and released_at is None:
                released_at = event.occurred_at
        elif event.action == AuditAction.URGENT_DECISION_RECORDED.value:
            payload = json.loads(event.payload)
            position = payload.get("decided_position")
            if isinstance(position, int):
                basis = payload.get("legal_basis")
                urgent[position] = basis if isinstance(basis, str) else None
    return ReleaseFacts(released_at=released_at, urgent=urgent)


def step_standing(final: Collection[str], step: Consultation, facts: ReleaseFacts) -> StepStanding:
    """Whether ``step`` still has a meeting to keep Fristen for (``final``: the final states
    of the consultation lifecycle)."""
    if step.position in facts.urgent and step.meeting_id is None:
        return StepStanding.URGENT
    if step.outcome is not None:
        if Outcome(step.outcome).effect is ResultEffect.DROP:
            return StepStanding.DROPPED
        return StepStanding.ACTIVE
    if step.state in final:
        return StepStanding.CANCELLED
    return StepStanding.ACTIVE


def path_steps(
    catalog: Catalog,
    paper: Paper,
    facts: ReleaseFacts,
    invited: Mapping[int, dt.datetime | None],
    *,
    planned: bool = False,
) -> list[PathStep]:
    """The paper's steps as the Fristen see them; ``invited`` maps each linked meeting's id to
    its invitation instant; ``planned`` takes an active step's planned day while it has no
    date (a step that no longer has a meeting keeps only a day it really had)."""
    final = {s.id for s in catalog.lifecycle("consultation").states if s.final}
    steps = []
    for step in paper.consultations:
        standing = step_standing(final, step, facts)
        active = standing is StepStanding.ACTIVE
        steps.append(
            PathStep(
                position=step.position,
                organization_id=step.organization_id,
                organization_name=catalog.organization_name(step.organization_id),
                role=step.role,
                date=step.date or (step.planned_date if planned and active else None),
                has_meeting=step.meeting_id is not None and step.meeting_id in invited,
                invited_at=invited.get(step.meeting_id) if step.meeting_id is not None else None,
                standing=standing,
                legal_basis=facts.urgent.get(step.position) if not active else None,
            )
        )
    return steps
