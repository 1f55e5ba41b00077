"""The Beratungsfolge of a paper: adding, removing, moving and replacing steps and scheduling
them. Before release the writing office edits it; after release only the session office, with
a reason, and the open steps must still end in one concluding step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from storage.schema import (
    Consultation,
    Paper,
)
from workflow.core.catalog import Catalog
from workflow.core.errors import (
    InvalidInput,
    TransitionNotAllowed,
)
from workflow.core.i18n import _
from workflow.core.inputs import check_line
from workflow.core.model import (
    INACTIVE_STEP_STATES,
    OPEN_STEP_STATES,
    Action,
    Actor,
    AuditAction,
    ConsultationRole,
    PaperView,
    PlannedStep,
)
from workflow.papers.present import touch
from workflow.papers.steps import (
    check_path_concludes,
    check_window,
    parse_role,
    step_at,
)
from workflow.uow import (
    Shared,
    Trigger,
    UnitOfWork,
    new_step,
    require_paper,
    step_payload,
)

if TYPE_CHECKING:
    from workflow.core.engine import WorkflowEngine


class PathService:
    """Editing a paper's Beratungsfolge."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def add_consultation(
        self,
        number: str,
        *,
        user: str | None,
        organization: str,
        role: str,
        position: int | None = None,
        planned_date: dt.date | None = None,
        public: bool | None = None,
        parallel_to: int | None = None,
        reason: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Insert a step into the planned path.

        Before release the author edits freely; afterwards the session office may insert
        steps after the last step that was dealt with, giving a reason. With ``parallel_to``
        the new step runs beside that step (same level, joined before the next level).
        """
        check_line(reason, _("reason"))
        step_role = parse_role(role)
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, None)  # _require_path_edit
            self._require_path_edit(catalog, actor, paper, _("add a step"), reason)
            org = catalog.body_organization(organization)
            steps = sorted(paper.consultations, key=lambda c: c.position)
            if parallel_to is not None:
                if position is not None:
                    raise InvalidInput(
                        _("give either a position or a step to run beside, not both"),
                        field="parallel_to",
                    )
                at, level = _parallel_place(catalog, paper, steps, parallel_to, step_role)
            else:
                at, level = _serial_place(catalog, paper, steps, position)
            for step in steps[at - 1 :]:
                step.position += 1
            new = new_step(catalog, org, step_role, public, planned_date, at, level, reason)
            paper.consultations.insert(at - 1, new)
            check_path_concludes(catalog, paper)
            payload = step_payload(new) | ({"reason": reason} if reason else {})
            uow.record(paper, actor, AuditAction.CONSULTATION_ADDED, None, new.state, payload)
            return touch(uow, catalog, paper)

    def remove_consultation(
        self,
        number: str,
        *,
        user: str | None,
        position: int,
        reason: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Remove a planned step. Before release it disappears; afterwards it stays in the
        path as cancelled (entfallen), so that planned and actual path can be compared."""
        check_line(reason, _("reason"))
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = self._lock_path(uow, number)  # _require_path_edit
            released = self._require_path_edit(catalog, actor, paper, _("remove a step"), reason)
            step = step_at(paper, position)
            if released:
                _check_open(catalog, paper, step, _("removing it"))
                self._leave_agenda(uow, actor, paper, step)
                ctx = uow.flow(catalog, actor, paper)
                self._shared.engine.fire_consultation(
                    ctx, step, "cancel", internal=True, reason=reason, note=reason
                )
                step.note = reason
                check_path_concludes(catalog, paper)
                return touch(uow, catalog, paper)
            paper.consultations.remove(step)
            for later in paper.consultations:
                if later.position > position:
                    later.position -= 1
            if not any(c.level == step.level for c in paper.consultations):
                for later in paper.consultations:
                    if later.level > step.level:
                        later.level -= 1
            uow.record(
                paper,
                actor,
                AuditAction.CONSULTATION_REMOVED,
                step.state,
                None,
                step_payload(step),
            )
            return touch(uow, catalog, paper)

    def move_consultation(
        self,
        number: str,
        *,
        user: str | None,
        position: int,
        to: int,
        reason: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Move a planned step to another place in the path (levels follow the new order)."""
        check_line(reason, _("reason"))
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, None)  # _require_path_edit
            self._require_path_edit(catalog, actor, paper, _("reorder the steps"), reason)
            steps = sorted(paper.consultations, key=lambda c: c.position)
            step = step_at(paper, position)
            if not 1 <= to <= len(steps):
                raise InvalidInput(
                    _("target position {to} is outside 1..{steps}").format(to=to, steps=len(steps))
                )
            if to == position:
                raise InvalidInput(
                    _("step {position} is already at position {to}").format(
                        position=position, to=to
                    )
                )
            for touched in steps[min(position, to) - 1 : max(position, to)]:
                _check_open(catalog, paper, touched, _("moving steps across it"))
            steps.remove(step)
            steps.insert(to - 1, step)
            for index, item in enumerate(steps, start=1):
                item.position = index
            _relevel(steps)
            paper.consultations[:] = steps
            check_path_concludes(catalog, paper)
            payload = {"from_position": position, "to_position": to, "reason": reason}
            payload |= {"organization": step.organization_id}
            uow.record(paper, actor, AuditAction.CONSULTATION_MOVED, None, None, payload)
            return touch(uow, catalog, paper)

    def replace_path(
        self,
        number: str,
        *,
        user: str | None,
        steps: Sequence[PlannedStep],
        reason: str,
        body: str | None = None,
    ) -> PaperView:
        """A neue Beratungsfolge: every open step is cancelled and the new steps follow the
        steps already dealt with. Planned dates of the old path stay on record."""
        check_line(reason, _("reason"))
        if not reason.strip():
            raise InvalidInput(_("a new Beratungsfolge needs a reason"), field="reason")
        if not steps:
            raise InvalidInput(
                _("the new Beratungsfolge has no steps; give at least one"), field="steps"
            )
        roles = [parse_role(s.role) for s in steps]
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = self._lock_path(uow, number)  # _require_path_edit
            released = self._require_path_edit(catalog, actor, paper, _("re-route"), reason)
            orgs = [catalog.body_organization(s.organization) for s in steps]
            old = [
                step_payload(c) for c in paper.consultations if c.state not in INACTIVE_STEP_STATES
            ]
            self._close_open_steps(uow, catalog, actor, paper, released)
            level = _next_level(paper.consultations)
            position = len(paper.consultations)
            for offset, (planned, org, role) in enumerate(zip(steps, orgs, roles, strict=True)):
                paper.consultations.append(
                    new_step(
                        catalog,
                        org,
                        role,
                        planned.public,
                        planned.planned_date,
                        position + offset + 1,
                        level + offset,
                        f"neue Beratungsfolge: {reason.strip()}",
                    )
                )
            check_path_concludes(catalog, paper)
            new = [
                step_payload(c) for c in paper.consultations if c.state not in INACTIVE_STEP_STATES
            ]
            uow.record(
                paper,
                actor,
                AuditAction.PATH_REPLACED,
                None,
                None,
                {"reason": reason.strip(), "old": old, "new": new},
            )
            return touch(uow, catalog, paper)

    def schedule_consultation(
        self,
        number: str,
        *,
        user: str | None,
        position: int,
        date: dt.date,
        body: str | None = None,
    ) -> PaperView:
        """Give a step its meeting date (allowed before and after release).

        :raises InvalidInput: the step is on a meeting's agenda; moving it also changes that
            agenda, which ``service.agendas.reschedule_step`` does.
        """
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Trigger("schedule", "consultation"))
            step = step_at(paper, position)
            if step.meeting_id is not None:
                raise InvalidInput(
                    _(
                        "step {position} of {number} is on the agenda of meeting {meeting_id}; "
                        "moving it to another day takes it off that agenda "
                        "(service.agendas.reschedule_step)"
                    ).format(position=position, number=paper.number, meeting_id=step.meeting_id)
                )
            schedule_on_day(self._shared.engine, uow, catalog, actor, paper, step, date)
            return touch(uow, catalog, paper)

    def _close_open_steps(
        self, uow: UnitOfWork, catalog: Catalog, actor: Actor, paper: Paper, released: bool
    ) -> None:
        """For a neue Beratungsfolge: a released paper's open steps are cancelled (and leave
        their agendas), a draft's steps removed."""
        ctx = uow.flow(catalog, actor, paper)
        for step in list(paper.consultations):
            if released and step.state in OPEN_STEP_STATES:
                self._leave_agenda(uow, actor, paper, step)
                self._shared.engine.fire_consultation(
                    ctx, step, "cancel", internal=True, reason="neue Beratungsfolge"
                )
            elif not released:
                paper.consultations.remove(step)

    def _lock_path(self, uow: UnitOfWork, number: str) -> tuple[Paper, Catalog, Actor]:
        """The paper, locked for a change of its path that may cancel steps (the agendas'
        service also locks, first, the meetings whose agendas hold its open steps)."""
        return uow.lock_paper(number, None)

    def _leave_agenda(
        self, uow: UnitOfWork, actor: Actor, paper: Paper, step: Consultation
    ) -> None:
        """Before an open step is cancelled: no step stays on an agenda once it is cancelled.
        The paths service alone cannot change an agenda and refuses; ``service.paths`` is the
        agendas' ``AgendaPaths``, which takes the item off a meeting not yet invited."""
        if step.meeting_id is not None:
            raise InvalidInput(
                _(
                    "step {position} of {number} is on the agenda of meeting {meeting_id}; "
                    "take it off that agenda first"
                ).format(position=step.position, number=paper.number, meeting_id=step.meeting_id)
            )

    def _require_editable(self, catalog: Catalog, actor: Actor, paper: Paper, what: str) -> None:
        require_paper(catalog, actor, Action.PAPER_EDIT, paper)
        if paper.frozen or catalog.lifecycle("paper").state(paper.state).final:
            raise TransitionNotAllowed(
                paper.number,
                paper.state,
                what,
                self._shared.engine.paper_triggers(catalog, paper.state),
                _(
                    "a released paper is frozen; its Beratungsfolge can only be edited before release"
                ),
            )

    def _require_path_edit(
        self, catalog: Catalog, actor: Actor, paper: Paper, what: str, reason: str | None
    ) -> bool:
        """May ``actor`` change the planned path now? True when the paper is released (then
        only the session office may, and only with a reason)."""
        if not paper.frozen:
            self._require_editable(catalog, actor, paper, what)
            return False
        open_steps = any(c.state in OPEN_STEP_STATES for c in paper.consultations)
        in_path = paper.state in ("released", "in_consultation") or open_steps
        if catalog.lifecycle("paper").state(paper.state).final or not in_path:
            raise TransitionNotAllowed(
                paper.number,
                paper.state,
                what,
                self._shared.engine.paper_triggers(catalog, paper.state),
                _("its path is closed"),
            )
        require_paper(catalog, actor, Action.PAPER_ROUTE, paper)
        if not (reason and reason.strip()):
            raise InvalidInput(
                _("{number} is released; changing its Beratungsfolge needs a reason").format(
                    number=paper.number
                ),
                field="reason",
            )
        return True


def schedule_on_day(
    engine: WorkflowEngine,
    uow: UnitOfWork,
    catalog: Catalog,
    actor: Actor,
    paper: Paper,
    step: Consultation,
    date: dt.date,
) -> None:
    """Schedule ``step`` for ``date`` (in no meeting; the caller took it off any agenda)."""
    check_window(uow.session, paper, step, date)
    engine.fire_consultation(uow.flow(catalog, actor, paper), step, "schedule", date=date)
    step.date = date


def _parallel_place(
    catalog: Catalog,
    paper: Paper,
    steps: Sequence[Consultation],
    parallel_to: int,
    role: ConsultationRole,
) -> tuple[int, int]:
    """(position, level) of a new step of ``role`` that runs beside step ``parallel_to``:
    after the last step of that level, on the same level."""
    sibling = step_at(paper, parallel_to)
    _check_open(catalog, paper, sibling, _("a step in parallel to it"))
    if role.concludes or ConsultationRole(sibling.role).concludes:
        raise InvalidInput(
            _(
                "the concluding step (Entscheidung, Kenntnisnahme, Genehmigung) runs "
                "alone on the last level; parallel steps must be Vorberatung or Anhörung"
            )
        )
    level = sibling.level
    return max(c.position for c in steps if c.level == level) + 1, level


def _serial_place(
    catalog: Catalog, paper: Paper, steps: Sequence[Consultation], position: int | None
) -> tuple[int, int]:
    """(position, level) of a new step inserted at ``position`` (None: at the end) on a level
    of its own; the steps from that level on move one level down."""
    at = len(steps) + 1 if position is None else position
    if not 1 <= at <= len(steps) + 1:
        raise InvalidInput(
            _("position {at} is outside 1..{last}").format(at=at, last=len(steps) + 1)
        )
    if at <= len(steps):
        _check_open(catalog, paper, steps[at - 1], _("inserting a step before it"))
    if 1 < at <= len(steps) and steps[at - 2].level == steps[at - 1].level:
        raise InvalidInput(
            _(
                "position {at} is inside a group of parallel steps; insert before or "
                "after the group, or add it beside a step of the group"
            ).format(at=at),
            field="position",
        )
    level = steps[at - 1].level if at <= len(steps) else _next_level(steps)
    for step in steps:
        if step.level >= level:
            step.level += 1
    return at, level


def _next_level(steps: Iterable[Consultation]) -> int:
    return max((c.level for c in steps), default=0) + 1


def _relevel(steps: Sequence[Consultation]) -> None:
    """Number the levels 1, 2, ... in path order; neighbours that shared a level still do."""
    old = [c.level for c in steps]
    level = 0
    for index, step in enumerate(steps):
        if index == 0 or old[index] != old[index - 1]:
            level += 1
        step.level = level


def _check_open(catalog: Catalog, paper: Paper, step: Consultation, what: str) -> None:
    """Refuse ``what`` (a change of the path at ``step``) once the step was dealt with."""
    if step.state not in OPEN_STEP_STATES:
        raise InvalidInput(
            _(
                "step {position} of {number} is already {state}; {what} is possible only "
                "while a step is not yet dealt with"
            ).format(
                what=what,
                position=step.position,
                number=paper.number,
                state=catalog.lifecycle("consultation").state_label(step.state),
            )
        )
