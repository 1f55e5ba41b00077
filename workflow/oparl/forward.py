"""A paper imported before, brought forward to what its source has now.

Running ``ratsweg oparl import`` again (while the old system is still in use) records what the
source has now and the paper has not yet (a meeting for a step, a result, a repeated step after
"vertagt") through the engine like the first time, in the paper's own transaction. What the
paper has is never rewritten: when the source contradicts it (another result, a consultation
gone), or the paper changed in ratsweg and the source does not agree with it, the paper is
reported and left as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage import oparl as store
from workflow.core.clock import local
from workflow.core.errors import InvalidInput, WorkflowError
from workflow.core.i18n import _
from workflow.core.model import OPEN_STEP_STATES
from workflow.oparl.replay import ACTOR, Replay, label_of, note_of, outcome_of
from workflow.reminders.sync import paper_changed

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from storage.schema import Consultation, Paper
    from workflow.oparl.plan import PaperPlan, StepPlan


class _Contradiction(InvalidInput):
    """The source says otherwise than the paper (detail only; the caller words the reason)."""


class Update(Replay):
    """A paper imported before, brought forward to what its source has now."""

    def bring_forward(self, paper: Paper, plan_now: Callable[[], PaperPlan]) -> tuple[str, ...]:
        """Record what the source has beyond the paper; return what was added (nothing: the
        paper is up to date).

        :raises InvalidInput: the source contradicts the paper, the paper changed in ratsweg
            and the source does not agree, or the engine refuses a new result; the reason
            says which. The caller's transaction is then rolled back.
        """
        changed = _changed_in_ratsweg(self.session, paper)
        try:
            plan = plan_now()
            return self._forward(paper, plan)
        except _Contradiction as exc:
            if changed:
                raise InvalidInput(
                    _(
                        "changed in ratsweg since the import ({changed}) and the source differs: "
                        "{exc}; the paper is left as it is"
                    ).format(changed=changed, exc=exc)
                ) from exc
            raise InvalidInput(
                _(
                    "the source contradicts what was imported: {exc}; the paper is left as "
                    "it is (if the source is right, correct the paper in ratsweg)"
                ).format(exc=exc)
            ) from exc
        except WorkflowError as exc:
            if changed:
                raise InvalidInput(
                    _("changed in ratsweg since the import ({changed}); {exc}").format(
                        changed=changed, exc=exc
                    )
                ) from exc
            raise

    def _forward(self, paper: Paper, plan: PaperPlan) -> tuple[str, ...]:
        changes: list[str] = []
        for index, step in enumerate(plan.steps):
            position = index + 1
            rows = _in_order(paper)
            if index >= len(rows):
                raise InvalidInput(
                    _(
                        "the source has a {step} that the Beratungsfolge of "
                        "{number} does not have; add it in ratsweg (ratsweg consultation add) "
                        "and import again"
                    ).format(step=step.describe(position), number=paper.number)
                )
            row = rows[index]
            self._compare(row, step, position)
            try:
                changes.extend(self._add(paper, row, step, position))
            except WorkflowError as exc:
                raise InvalidInput(f"{step.describe(position)}: {exc}") from exc
        for row in _in_order(paper)[len(plan.steps) :]:
            if row.outcome is not None or row.date is not None or row.state not in OPEN_STEP_STATES:
                raise _Contradiction(
                    _("consultation {position} ({org}) is no longer in the source").format(
                        position=row.position, org=self._name(row)
                    )
                )
        if changes:
            paper_changed(self.uow, self.catalog, paper)
        return tuple(changes)

    def _compare(self, row: Consultation, step: StepPlan, position: int) -> None:
        """Refuse a step whose body, role, meeting or result differs from the source's."""
        assert step.role is not None
        if row.organization_id != step.organization.id or row.role != step.role.value:
            raise _Contradiction(
                _(
                    "consultation {position} is a {role} of {org} in ratsweg, a "
                    "{value} of {name} in the source"
                ).format(
                    position=position,
                    role=row.role,
                    org=self._name(row),
                    value=step.role.value,
                    name=step.organization.name,
                )
            )
        if row.meeting_id is not None:
            self._compare_meeting(row, row.meeting_id, step, position)
        if row.outcome is not None:
            self._compare_result(row, row.outcome, step, position)

    def _compare_meeting(
        self, row: Consultation, meeting_id: int, step: StepPlan, position: int
    ) -> None:
        """Refuse a step on the agenda of another meeting than the source's."""
        theirs = step.meeting.get("id") if step.meeting else None
        ours = store.imported_meeting_id(self.session, self.body.id, meeting_id)
        if theirs is None or (ours != theirs if ours else row.date != step.date):
            shown = _("the meeting {theirs}").format(theirs=theirs) if theirs else _("no meeting")
            raise _Contradiction(
                _(
                    "{step}: ratsweg has it on the agenda of the meeting "
                    "on {day}{ours}, the source names {shown}"
                ).format(
                    step=step.describe(position),
                    day=_day(row.date),
                    ours=_(" ({ours})").format(ours=ours) if ours else "",
                    shown=shown,
                )
            )

    @staticmethod
    def _compare_result(row: Consultation, recorded: str, step: StepPlan, position: int) -> None:
        """Refuse a step whose result differs from the source's (or that the source lacks)."""
        where = step.describe(position)
        ours_text = row.result_label or recorded
        if step.result is None:
            raise _Contradiction(
                _("{where}: ratsweg has the result {ours_text!r}, the source has none").format(
                    where=where, ours_text=ours_text
                )
            )
        outcome = outcome_of(step)
        imported = row.note == note_of(step)
        if (
            outcome is None
            or outcome.value != recorded
            or row.date != step.date
            or (imported and row.result_label != label_of(step))
        ):
            raise _Contradiction(
                _(
                    "{where}: the result is {ours_text!r} ({day}) in ratsweg, "
                    "{result!r} in the source"
                ).format(
                    where=where,
                    ours_text=ours_text,
                    day=_day(row.date),
                    result=step.result.text.strip(),
                )
            )

    def _add(self, paper: Paper, row: Consultation, step: StepPlan, position: int) -> list[str]:
        """What the source has beyond the step: its meeting, its result."""
        added: list[str] = []
        if row.outcome is not None:
            return added
        if row.meeting_id is None and step.meeting is not None and step.date is not None:
            meeting = self.schedule(paper, row, step)
            added.append(
                _("{step}: on the agenda of {meeting}").format(
                    step=step.describe(position),
                    meeting=meeting.name or _("its meeting"),
                )
            )
        if step.result is not None:
            if row.meeting_id is None:
                raise InvalidInput(_("the source has a result but names no meeting for it"))
            self.record_result(paper, row, step)
            added.append(
                _("{step}: result {result!r}").format(
                    step=step.describe(position),
                    result=step.result.text.strip(),
                )
            )
        return added

    def _name(self, row: Consultation) -> str:
        org = self.catalog.organizations.get(row.organization_id)
        return org.name if org else row.organization_id


def _changed_in_ratsweg(session: Session, paper: Paper) -> str | None:
    """The first change made to the paper in ratsweg itself (not by the import; reminders are
    the paper's own bookkeeping), e.g. "result_recorded by sitzungsdienst on 12.03.2026"."""
    event = store.first_event_not_by(session, paper.id, ACTOR.user_id)
    if event is None:
        return None
    return _("{action} by {actor} on {day:%d.%m.%Y}").format(
        action=event.action, actor=event.actor, day=local(event.occurred_at)
    )


def _in_order(paper: Paper) -> list[Consultation]:
    return sorted(paper.consultations, key=lambda c: c.position)


def _day(day: dt.date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else _("no date")
