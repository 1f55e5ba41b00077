"""Changes of a released paper's Beratungsfolge that cancel steps (removing a step, a neue
Beratungsfolge) never leave a cancelled step on an agenda: its item comes off the agenda of a
meeting not yet invited to, in the same transaction and audited in the meeting's stream;
after the invitation the change is refused (the members received that agenda; the Gremium
decides the Absetzung in the session).

The locks follow the service's order: the meetings whose agendas hold the paper's open
steps first (by id), then the paper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.schema import Consultation, Paper
from workflow.core.errors import ConflictError, InvalidInput
from workflow.core.i18n import _
from workflow.core.model import OPEN_STEP_STATES, Actor, AuditAction
from workflow.meetings.common import record_meeting, require_manage, sync_meeting_reminders
from workflow.papers.path import PathService
from workflow.papers.steps import meeting_label
from workflow.uow import UnitOfWork

if TYPE_CHECKING:
    from workflow.core.catalog import Catalog


class AgendaPaths(PathService):
    """``PathService`` whose cancelled steps leave the agendas they are on."""

    def _lock_path(self, uow: UnitOfWork, number: str) -> tuple[Paper, Catalog, Actor]:
        listed = _listed(uow.paper(number))
        for meeting_id in listed:
            uow.meeting(meeting_id, for_update=True)
        paper, catalog, actor = uow.lock_paper(number, None)
        if _listed(paper) != listed:
            raise ConflictError(
                _(
                    "a step of {number} changed meetings at the same time; nothing was saved, "
                    "try again"
                ).format(number=paper.number)
            )
        return paper, catalog, actor

    def _leave_agenda(
        self, uow: UnitOfWork, actor: Actor, paper: Paper, step: Consultation
    ) -> None:
        if step.meeting_id is None:
            return
        meeting = uow.meeting(step.meeting_id, for_update=True)  # locked in _lock_path
        catalog = uow.catalog(meeting.definitions_version)
        label = meeting_label(catalog, meeting)
        require_manage(catalog, actor, label)
        item = next(i for i in meeting.agenda_items if i.consultation_id == step.id)
        if meeting.invited_at is not None or meeting.state != catalog.lifecycle("meeting").initial:
            raise InvalidInput(
                _(
                    "step {position} of {number} is TOP {top} of {label}, whose invitation "
                    "went out, so it stays on that agenda; the Gremium decides its Absetzung "
                    "in the session: record the result 'abgesetzt' there, then change the path"
                ).format(
                    position=step.position, number=paper.number, top=item.number or "-", label=label
                )
            )
        meeting.agenda_items.remove(item)
        meeting.modified_at = uow.now()
        step.meeting_id = None
        payload = {
            "item": item.id,
            "part": item.part,
            "title": item.title,
            "paper": paper.number,
            "position": step.position,
            "reason": "step cancelled",
        }
        record_meeting(uow, meeting, actor, AuditAction.AGENDA_ITEM_REMOVED, payload)
        uow.session.flush()
        sync_meeting_reminders(uow, catalog, actor, meeting)


def _listed(paper: Paper) -> list[int]:
    """The meetings whose agendas hold an open step of ``paper``, by id."""
    return sorted(
        {
            s.meeting_id
            for s in paper.consultations
            if s.meeting_id is not None and s.state in OPEN_STEP_STATES
        }
    )
