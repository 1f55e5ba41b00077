"""Agendas (Tagesordnungen) of meetings: what the Sitzungsdienst puts on them.

``AgendaService`` schedules steps of released papers into a meeting, builds a meeting's agenda
from the consultations due for its day and adds items without a paper. As everywhere in the
service, one public method is one transaction and returns frozen views, and every change
appends its audit events in that transaction: to the ``meeting:{id}`` stream, and to
``paper:{id}`` where a step of the paper is scheduled into the meeting.

Locks are taken in one order everywhere: the meeting row first, then papers by id.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from storage import repository
from storage.schema import AgendaItem, Consultation, Meeting, Paper
from workflow.core.clock import local
from workflow.core.errors import ConflictError, InvalidInput, TransitionNotAllowed
from workflow.core.i18n import _
from workflow.core.inputs import check_line
from workflow.core.model import (
    Actor,
    AgendaItemView,
    AgendaPart,
    AuditAction,
    MeetingView,
    PaperView,
)
from workflow.meetings.common import (
    meeting_catalog_actor,
    present_meeting,
    record_meeting,
    require_manage,
    sync_meeting_reminders,
)
from workflow.papers.path import schedule_on_day
from workflow.papers.present import touch
from workflow.papers.steps import check_window, meeting_label, step_at
from workflow.papers.views import agenda_item_view
from workflow.reminders.sync import paper_changed
from workflow.uow import Shared, Trigger, UnitOfWork, require_paper

if TYPE_CHECKING:
    from workflow.core.catalog import Catalog


class AgendaService:
    """Build the agendas of planned and invited meetings, item by item or from what is due."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def schedule_into_meeting(
        self,
        number: str,
        *,
        user: str | None,
        position: int,
        meeting_id: int,
        body: str | None = None,
    ) -> AgendaItemView:
        """Put a step of a released paper on a meeting's agenda; the step is scheduled for the
        meeting's (local) day. After the invitation the item is a numbered Nachtrag.

        :raises InvalidInput: the step belongs to another organization or another meeting.
        :raises TransitionNotAllowed: the meeting is held or cancelled, the paper is not
            released or already decided, or the step cannot be scheduled.
        """
        with self._shared.write(user, body) as uow:
            session = uow.session
            meeting = uow.meeting(meeting_id, for_update=True)
            catalog, actor = meeting_catalog_actor(uow, meeting)
            require_manage(catalog, actor, meeting_label(catalog, meeting))
            self._require_open(catalog, meeting, _("schedule a step"))
            paper = uow.paper(number, for_update=True)
            step = step_at(paper, position)
            label = _("step {position} of {number}").format(position=position, number=paper.number)
            if step.organization_id != meeting.organization_id:
                raise InvalidInput(
                    _(
                        "{label} is a consultation of {organization_id!r}, not of "
                        "{meeting_organization_id!r}; {meeting_label} cannot "
                        "hold it"
                    ).format(
                        label=label,
                        organization_id=step.organization_id,
                        meeting_organization_id=meeting.organization_id,
                        meeting_label=meeting_label(catalog, meeting),
                    )
                )
            if step.meeting_id is not None:
                raise InvalidInput(
                    _(
                        "{label} is already on the agenda of meeting {meeting_id}; to take it "
                        "there, move its item from that meeting to meeting {id}"
                    ).format(label=label, meeting_id=step.meeting_id, id=meeting.id)
                )
            self._require_released(uow, paper, label)
            check_window(session, paper, step, local(meeting.start).date())
            item = self._schedule(uow, actor, meeting, paper, step)
            sync_meeting_reminders(uow, catalog, actor, meeting)
            return agenda_item_view(item)

    def reschedule_step(
        self,
        number: str,
        *,
        user: str | None,
        position: int,
        date: dt.date,
        body: str | None = None,
    ) -> PaperView:
        """Give a step a new meeting date. A step on the agenda of a meeting not yet invited
        to on another day is taken off that agenda (audited in the meeting's stream, its
        reminders kept in step); after the invitation the move is refused: the meeting moves,
        or it records 'vertagt'.

        :raises InvalidInput: the step's meeting has sent its invitation.
        :raises ConflictError: the step's meeting changed while this ran; try again.
        """
        with self._shared.write(user, body) as uow:
            listed = step_at(uow.paper(number), position).meeting_id
            meeting = uow.meeting(listed, for_update=True) if listed is not None else None
            paper, catalog, actor = uow.lock_paper(number, Trigger("schedule", "consultation"))
            step = step_at(paper, position)
            if step.meeting_id != listed:
                raise ConflictError(
                    _(
                        "step {position} of {number} changed meetings at the same time; nothing "
                        "was saved, try again"
                    ).format(position=position, number=paper.number)
                )
            if meeting is not None and local(meeting.start).date() != date:
                self._take_off(uow, actor, meeting, paper, step, date)
            schedule_on_day(self._shared.engine, uow, catalog, actor, paper, step, date)
            return touch(uow, catalog, paper)

    def build_agenda(
        self, meeting_id: int, *, user: str | None, body: str | None = None
    ) -> MeetingView:
        """Add the consultations due for the meeting's organization as agenda items (public
        ones first, then non-public, by the parts of the agenda). Of each released paper:

        - the steps scheduled into the meeting;
        - a step planned or scheduled (without a meeting) for the meeting's day;
        - else its next open step of the organization, in no meeting, dated on or before the
          meeting's day or undated (a repeated step after vertagt, a first step without a
          date), once every step on an earlier level is done (steps on the same level run in
          parallel). A re-decision step is taken only inside its objection window.

        :raises TransitionNotAllowed: the meeting is held or cancelled.
        """
        with self._shared.write(user, body) as uow:
            session = uow.session
            body_row = uow.body()
            meeting = uow.meeting(meeting_id, for_update=True)
            catalog, actor = meeting_catalog_actor(uow, meeting)
            require_manage(catalog, actor, meeting_label(catalog, meeting))
            self._require_open(catalog, meeting, _("build the agenda"))
            consultation = catalog.lifecycle("consultation")
            planned = consultation.initial
            scheduled = next(t.dest for t in consultation.transitions if t.trigger == "schedule")
            day = local(meeting.start).date()
            numbers = repository.papers_due_for_meeting(
                session, body_row.id, meeting.id, meeting.organization_id, day, planned, scheduled
            )
            on_agenda = {i.consultation_id for i in meeting.agenda_items}
            for number in numbers:
                paper = uow.paper(number, for_update=True)
                if not self._is_released(uow, paper):
                    continue
                due = [
                    step
                    for step in paper.consultations
                    if step.organization_id == meeting.organization_id
                    and step.id not in on_agenda
                    and (
                        step.meeting_id == meeting.id
                        or (
                            step.meeting_id is None
                            and (
                                (step.state == planned and step.planned_date == day)
                                or (step.state == scheduled and step.date == day)
                            )
                        )
                    )
                ]
                if not due and not any(s.meeting_id == meeting.id for s in paper.consultations):
                    nxt = self._next_due_step(uow, paper, meeting.organization_id, day)
                    due = [nxt] if nxt is not None and nxt.id not in on_agenda else []
                for step in due:
                    self._schedule(uow, actor, meeting, paper, step)
            sync_meeting_reminders(uow, catalog, actor, meeting)
            return present_meeting(uow, meeting, catalog)

    def _next_due_step(
        self, uow: UnitOfWork, paper: Paper, organization: str, day: dt.date
    ) -> Consultation | None:
        """The paper's next open step of ``organization`` if it is due by ``day``: in no
        meeting, dated on or before ``day`` or undated, every earlier level done, and ``day``
        inside a re-decision step's objection window."""
        session = uow.session
        lifecycle = uow.catalog(paper.definitions_version).lifecycle("consultation")
        open_steps = sorted(
            (s for s in paper.consultations if not lifecycle.state(s.state).final),
            key=lambda s: (s.level, s.position),
        )
        step = next((s for s in open_steps if s.organization_id == organization), None)
        if step is None or step.meeting_id is not None:
            return None
        if lifecycle.transition("schedule", step.state) is None:
            return None
        when = step.date or step.planned_date
        if when is not None and when > day:
            return None
        if any(s.level < step.level for s in open_steps):
            return None
        try:
            check_window(session, paper, step, day)
        except InvalidInput:
            return None
        return step

    def add_agenda_item(
        self,
        meeting_id: int,
        *,
        user: str | None,
        title: str,
        public: bool = True,
        note: str | None = None,
        body: str | None = None,
    ) -> AgendaItemView:
        """Add an item without a paper, such as "Mitteilungen der Verwaltung"."""
        check_line(title, _("title"))
        check_line(note, _("note"))
        if not title.strip():
            raise InvalidInput(_("an agenda item needs a title"), field="title")
        with self._shared.write(user, body) as uow:
            meeting = uow.meeting(meeting_id, for_update=True)
            catalog, actor = meeting_catalog_actor(uow, meeting)
            require_manage(catalog, actor, meeting_label(catalog, meeting))
            self._require_open(catalog, meeting, _("add an item"))
            item = self._add_item(uow, actor, meeting, title.strip(), public, None, note)
            sync_meeting_reminders(uow, catalog, actor, meeting)
            return agenda_item_view(item)

    # -- helpers -------------------------------------------------------------------------------

    def _take_off(
        self,
        uow: UnitOfWork,
        actor: Actor,
        meeting: Meeting,
        paper: Paper,
        step: Consultation,
        date: dt.date,
    ) -> None:
        """Take ``step`` off the agenda of ``meeting`` for a move to ``date``; refused once
        the invitation went out (the invited agenda is what the members received)."""
        catalog = uow.catalog(meeting.definitions_version)
        label = meeting_label(catalog, meeting)
        require_manage(catalog, actor, label)
        item = next(i for i in meeting.agenda_items if i.consultation_id == step.id)
        if meeting.invited_at is not None or meeting.state != catalog.lifecycle("meeting").initial:
            raise InvalidInput(
                _(
                    "step {position} of {number} is TOP {top} of {label}, whose "
                    "invitation went out; to hold it on {date:%d.%m.%Y}, move meeting {id} "
                    "or record the result 'vertagt' there with the target date "
                    "{date:%d.%m.%Y}"
                ).format(
                    position=step.position,
                    number=paper.number,
                    top=item.number or "-",
                    label=label,
                    date=date,
                    id=meeting.id,
                )
            )
        meeting.agenda_items.remove(item)
        meeting.modified_at = self._shared.clock.now()
        step.meeting_id = None
        payload = {
            "item": item.id,
            "part": item.part,
            "title": item.title,
            "paper": paper.number,
            "position": step.position,
            "reason": f"moved to {date.isoformat()}",
        }
        record_meeting(uow, meeting, actor, AuditAction.AGENDA_ITEM_REMOVED, payload)
        uow.session.flush()
        sync_meeting_reminders(uow, catalog, actor, meeting)

    def _require_open(self, catalog: Catalog, meeting: Meeting, what: str) -> None:
        """Agendas change while the meeting can still be cancelled (planned or invited)."""
        if catalog.lifecycle("meeting").transition("cancel", meeting.state) is None:
            raise TransitionNotAllowed(
                meeting_label(catalog, meeting),
                meeting.state,
                what,
                self._shared.engine.meeting_triggers(catalog, meeting.state),
                _("its agenda is closed"),
            )

    def _is_released(self, uow: UnitOfWork, paper: Paper) -> bool:
        catalog = uow.catalog(paper.definitions_version)
        return paper.frozen and not catalog.lifecycle("paper").state(paper.state).final

    def _require_released(self, uow: UnitOfWork, paper: Paper, label: str) -> None:
        if not self._is_released(uow, paper):
            catalog = uow.catalog(paper.definitions_version)
            raise TransitionNotAllowed(
                label,
                paper.state,
                _("put on an agenda"),
                self._shared.engine.paper_triggers(catalog, paper.state),
                _("only released papers that are not yet decided go on an agenda"),
            )

    def _schedule(
        self, uow: UnitOfWork, actor: Actor, meeting: Meeting, paper: Paper, step: Consultation
    ) -> AgendaItem:
        """Schedule ``step`` for the meeting's day and put it on the agenda."""
        catalog = uow.catalog(paper.definitions_version)
        require_paper(catalog, actor, Trigger("schedule", "consultation"), paper)
        day = local(meeting.start).date()
        ctx = uow.flow(catalog, actor, paper)
        self._shared.engine.fire_consultation(ctx, step, "schedule", date=day, meeting=meeting.id)
        step.date, step.meeting_id = day, meeting.id
        paper_changed(uow, catalog, paper)
        return self._add_item(uow, actor, meeting, paper.title, step.public, step, None)

    def _add_item(
        self,
        uow: UnitOfWork,
        actor: Actor,
        meeting: Meeting,
        title: str,
        public: bool,
        step: Consultation | None,
        note: str | None,
    ) -> AgendaItem:
        """Append an item; after the invitation it gets the next number of its part."""
        session = uow.session
        now = self._shared.clock.now()
        part = AgendaPart.of(public)
        items = meeting.agenda_items
        item = AgendaItem(
            part=part.value,
            sort_order=max((i.sort_order for i in items), default=0) + 1,
            title=title,
            consultation=step,
            nachtrag=meeting.invited_at is not None,
            nachtrag_at=now if meeting.invited_at is not None else None,
            note=note,
        )
        if meeting.invited_at is not None:
            taken = sum(1 for i in items if i.part == part.value and i.number)
            item.number = f"{part.prefix} {taken + 1}"
        items.append(item)
        meeting.modified_at = now
        session.flush()
        payload = {
            "item": item.id,
            "part": part.value,
            "number": item.number,
            "title": title,
            "paper": step.paper.number if step is not None else None,
            "position": step.position if step is not None else None,
            "nachtrag": item.nachtrag,
            "note": note,
        }
        record_meeting(uow, meeting, actor, AuditAction.AGENDA_ITEM_ADDED, payload)
        return item  # the caller syncs the meeting's reminders once, after all its items
