"""Meetings (Sitzungen) and their agendas: the meeting half of the ``WorkflowService`` API.

``WorkflowService`` mixes ``MeetingOperations`` in. As everywhere in the service, one public
method is one transaction and returns frozen views, and every change appends its audit events
in that transaction: to the ``meeting:{id}`` stream, and to ``paper:{id}`` where a step of the
paper changes (scheduled into the meeting, moved back to planned).

Locks are taken in one order everywhere: the meeting row first, then papers by id.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from storage import reminders as reminder_store
from storage import repository
from storage.audit import append_event, meeting_stream
from storage.schema import AgendaItem, Consultation, Meeting, Paper
from workflow.core.clock import BERLIN, local
from workflow.core.deadlines import (
    earliest_meeting,
    invitation_deadline,
    satisfies,
    show,
)
from workflow.core.engine import MeetingContext
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied, TransitionNotAllowed
from workflow.core.model import (
    Action,
    Actor,
    AgendaItemView,
    AgendaPart,
    AuditAction,
    MeetingMoved,
    MeetingView,
)
from workflow.papers.views import agenda_item_view, meeting_view
from workflow.reminders.planning import MeetingFacts, plan_meeting_reminders
from workflow.service_base import ServiceBase

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.schema import Body as BodyRow
    from workflow.core.catalog import Catalog, Lifecycle


class MeetingOperations(ServiceBase):
    """Create meetings, build and number their agendas, move them through their lifecycle."""

    # -- reading -------------------------------------------------------------------------------

    def get_meeting(self, meeting_id: int, *, body: str | None = None) -> MeetingView:
        """:raises NotFoundError: no such meeting in the municipality."""
        with self.db.read() as session:
            meeting = self._meeting(session, self._body(session, body), meeting_id)
            return self._meeting_view(session, meeting)

    def list_meetings(
        self,
        *,
        organization: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        state: str | None = None,
        body: str | None = None,
    ) -> list[MeetingView]:
        """Meetings by start; ``since`` and ``until`` are local calendar days, both included."""
        with self.db.read() as session:
            body_row = self._body(session, body)
            rows = repository.list_meetings(
                session,
                body_row.id,
                organization=organization,
                start_from=_day_start(since) if since else None,
                start_before=_day_start(until + dt.timedelta(days=1)) if until else None,
                state=state,
            )
            return [self._meeting_view(session, m) for m in rows]

    # -- creating and filling ------------------------------------------------------------------

    def create_meeting(
        self,
        *,
        user: str | None,
        organization: str,
        start: dt.datetime,
        location: str | None = None,
        end: dt.datetime | None = None,
        name: str | None = None,
        number: str | None = None,
        body: str | None = None,
    ) -> MeetingView:
        """Plan a meeting of a deliberating organization (Gremium).

        :raises NotFoundError: unknown organization, or an office instead of a Gremium.
        :raises InvalidInput: a time without zone, or an end before the start.
        :raises PermissionDenied: the user may not do meeting.manage.
        """
        if start.tzinfo is None or (end is not None and end.tzinfo is None):
            raise InvalidInput("meeting times need a time zone")
        if end is not None and end <= start:
            raise InvalidInput(f"the meeting ends ({_when(end)}) before it starts ({_when(start)})")
        now = self.clock.now()
        start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC) if end else None
        with self.db.write() as session:
            body_row = self._body(session, body)
            catalog = self._catalog(session, body_row.definitions_version)
            actor = self._actor(catalog, user)
            lifecycle = _meeting_lifecycle(catalog)
            org = catalog.body_organization(organization)
            self._require_manage(catalog, actor, org.name)
            meeting = Meeting(
                body_id=body_row.id,
                definitions_version=catalog.version,
                organization_id=org.id,
                name=name,
                number=number,
                start=start,
                end=end,
                location=location,
                state=lifecycle.initial,
                created_at=now,
                modified_at=now,
            )
            session.add(meeting)
            session.flush()
            payload = {
                "organization": org.id,
                "start": _iso(start),
                "end": _iso(end) if end else None,
                "location": location,
                "name": name,
                "number": number,
                "definitions_version": catalog.version,
            }
            created = AuditAction.MEETING_CREATED
            self._record_meeting(session, meeting, actor, created, payload, None, meeting.state)
            return self._meeting_view(session, meeting, catalog)

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
        with self.db.write() as session:
            body_row = self._body(session, body)
            meeting = self._meeting(session, body_row, meeting_id, for_update=True)
            catalog, actor = self._meeting_catalog_actor(session, body_row, meeting, user)
            self._require_manage(catalog, actor, meeting_label(catalog, meeting))
            self._require_open(catalog, meeting, "schedule a step into")
            paper = self._paper_of(session, body_row, number, for_update=True)
            step = _step(paper, position)
            label = f"step {position} of {paper.number}"
            if step.organization_id != meeting.organization_id:
                raise InvalidInput(
                    f"{label} is a consultation of {step.organization_id!r}, not of "
                    f"{meeting.organization_id!r}; {meeting_label(catalog, meeting)} cannot hold it"
                )
            if step.meeting_id is not None:
                raise InvalidInput(f"{label} is already on the agenda of meeting {step.meeting_id}")
            self._require_released(session, paper, label)
            self._check_window(session, paper, step, local(meeting.start).date())
            item = self._schedule(session, actor, meeting, paper, step)
            self._sync_meeting_reminders(session, catalog, actor, meeting)
            return agenda_item_view(item)

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
        with self.db.write() as session:
            body_row = self._body(session, body)
            meeting = self._meeting(session, body_row, meeting_id, for_update=True)
            catalog, actor = self._meeting_catalog_actor(session, body_row, meeting, user)
            self._require_manage(catalog, actor, meeting_label(catalog, meeting))
            self._require_open(catalog, meeting, "build the agenda of")
            consultation = catalog.lifecycle("consultation")
            planned = consultation.initial
            scheduled = next(t.dest for t in consultation.transitions if t.trigger == "schedule")
            day = local(meeting.start).date()
            numbers = repository.papers_due_for_meeting(
                session, body_row.id, meeting.id, meeting.organization_id, day, planned, scheduled
            )
            on_agenda = {i.consultation_id for i in meeting.agenda_items}
            for number in numbers:
                paper = self._paper_of(session, body_row, number, for_update=True)
                if not self._is_released(session, paper):
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
                    nxt = self._next_due_step(session, paper, meeting.organization_id, day)
                    due = [nxt] if nxt is not None and nxt.id not in on_agenda else []
                for step in due:
                    self._schedule(session, actor, meeting, paper, step)
            self._sync_meeting_reminders(session, catalog, actor, meeting)
            return self._meeting_view(session, meeting, catalog)

    def _next_due_step(
        self, session: Session, paper: Paper, organization: str, day: dt.date
    ) -> Consultation | None:
        """The paper's next open step of ``organization`` if it is due by ``day``: in no
        meeting, dated on or before ``day`` or undated, every earlier level done, and ``day``
        inside a re-decision step's objection window."""
        lifecycle = self._catalog(session, paper.definitions_version).lifecycle("consultation")
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
            self._check_window(session, paper, step, day)
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
        if not title.strip():
            raise InvalidInput("an agenda item needs a title; pass --title TEXT")
        with self.db.write() as session:
            body_row = self._body(session, body)
            meeting = self._meeting(session, body_row, meeting_id, for_update=True)
            catalog, actor = self._meeting_catalog_actor(session, body_row, meeting, user)
            self._require_manage(catalog, actor, meeting_label(catalog, meeting))
            self._require_open(catalog, meeting, "add an item to")
            item = self._add_item(session, actor, meeting, title.strip(), public, None, note)
            self._sync_meeting_reminders(session, catalog, actor, meeting)
            return agenda_item_view(item)

    # -- the meeting lifecycle -----------------------------------------------------------------

    def invite_meeting(
        self, meeting_id: int, *, user: str | None, body: str | None = None
    ) -> MeetingView:
        """Send the invitation: number the TOPs Ö 1.. then N 1..; the numbers are final.

        :raises TransitionNotAllowed: not planned, or the agenda is empty.
        """
        with self.db.write() as session:
            meeting, catalog, actor = self._meeting_trigger(
                session, meeting_id, "invite", user, body
            )
            numbered: list[list[Any]] = []
            for part in AgendaPart:
                items = [i for i in meeting.agenda_items if i.part == part.value]
                for ordinal, item in enumerate(sorted(items, key=lambda i: i.sort_order), 1):
                    item.number = f"{part.prefix} {ordinal}"
                    numbered.append([item.number, item.title, _paper_number(item)])
            meeting.invited_at = self.clock.now()
            payload = {"items": numbered}
            self._record_meeting(session, meeting, actor, AuditAction.AGENDA_NUMBERED, payload)
            self._sync_meeting_reminders(session, catalog, actor, meeting)
            # and each paper on the agenda (locked after the meeting, by id): reminders planned
            # per step before the meeting's own one existed are cancelled now at the latest
            body_row = self._body(session, body)
            for number in repository.papers_in_meeting(session, meeting.id):
                paper = self._paper_of(session, body_row, number, for_update=True)
                paper_catalog = self._catalog(session, paper.definitions_version)
                self._sync_reminders(paper_catalog, paper, actor.user_id)
            return self._meeting_view(session, meeting, catalog)

    def hold_meeting(
        self, meeting_id: int, *, user: str | None, body: str | None = None
    ) -> MeetingView:
        """Mark the meeting as held (results are recorded per consultation).

        :raises TransitionNotAllowed: the meeting is not invited.
        :raises InvalidInput: the meeting's day is after today.
        """
        with self.db.write() as session:
            meeting, catalog, _ = self._meeting_trigger(session, meeting_id, "hold", user, body)
            self._refuse_future(
                f"meeting {meeting.id} takes place on",
                local(meeting.start).date(),
                "mark it held on that day or later; if it met earlier, move it first "
                f"(ratsweg meeting move {meeting.id} --date YYYY-MM-DD)",
            )
            return self._meeting_view(session, meeting, catalog)

    def approve_minutes(
        self, meeting_id: int, *, user: str | None, body: str | None = None
    ) -> MeetingView:
        """Record that the minutes (Niederschrift) of a held meeting were approved."""
        with self.db.write() as session:
            meeting, catalog, _ = self._meeting_trigger(
                session, meeting_id, "approve_minutes", user, body
            )
            return self._meeting_view(session, meeting, catalog)

    def cancel_meeting(
        self, meeting_id: int, *, user: str | None, reason: str, body: str | None = None
    ) -> MeetingView:
        """Cancel a planned or invited meeting. Its consultations go back to planned: the
        meeting link and the meeting date are removed, the planned date is kept.

        :raises TransitionNotAllowed: the meeting is held, or a step on it has a result.
        """
        if not reason.strip():
            raise InvalidInput("cancelling a meeting needs a reason; pass --reason TEXT")
        reason = reason.strip()
        with self.db.write() as session:
            body_row = self._body(session, body)
            meeting = self._meeting(session, body_row, meeting_id, for_update=True)
            catalog, actor = self._meeting_catalog_actor(session, body_row, meeting, user)
            papers = [
                self._paper_of(session, body_row, number, for_update=True)
                for number in repository.papers_in_meeting(session, meeting.id)
            ]
            # Refused before anything changes, with the state the meeting has now.
            self._require_steps_can(session, catalog, meeting, papers, "unschedule", "cancel")
            self.engine.fire_meeting(
                self._meeting_ctx(session, catalog, actor, meeting), "cancel", reason=reason
            )
            for paper in papers:
                self._unschedule(session, actor, meeting, paper, reason)
            meeting.modified_at = self.clock.now()
            self._sync_meeting_reminders(session, catalog, actor, meeting)
            return self._meeting_view(session, meeting, catalog)

    def move_meeting(
        self,
        meeting_id: int,
        *,
        user: str | None,
        day: dt.date,
        time: dt.time | None = None,
        reason: str | None = None,
        body: str | None = None,
    ) -> MeetingMoved:
        """Move a planned or invited meeting to ``day`` at ``time`` (local; default the time
        it had); the end moves by as much. Its scheduled steps get the new day, and the
        reminders of their papers are planned again, in the same transaction. After the
        invitation the result warns that the Ladungsfrist must be checked again for the new
        day (the invitation is not sent again).

        :raises InvalidInput: the same start, or a re-decision step whose objection window
            does not hold the new day.
        :raises TransitionNotAllowed: the meeting is held or cancelled, or a step on it
            already has a result.
        """
        reason = reason.strip() if reason and reason.strip() else None
        with self.db.write() as session:
            body_row = self._body(session, body)
            meeting = self._meeting(session, body_row, meeting_id, for_update=True)
            catalog, actor = self._meeting_catalog_actor(session, body_row, meeting, user)
            label = meeting_label(catalog, meeting)
            self._require_manage(catalog, actor, label)
            if catalog.lifecycle("meeting").transition("cancel", meeting.state) is None:
                raise TransitionNotAllowed(
                    label,
                    meeting.state,
                    "move",
                    self.engine.meeting_triggers(catalog, meeting.state),
                    "only a planned or invited meeting can be moved",
                )
            old_start = meeting.start
            at = time or local(old_start).time()
            start = dt.datetime.combine(day, at, tzinfo=BERLIN).astimezone(dt.UTC)
            if start == old_start:
                raise InvalidInput(f"{label} already starts then; give another --date or --time")
            papers = [
                self._paper_of(session, body_row, number, for_update=True)
                for number in repository.papers_in_meeting(session, meeting.id)
            ]
            self._require_steps_can(session, catalog, meeting, papers, "schedule", "move")
            moved = list[tuple[str, int]]()
            if day != local(old_start).date():
                for paper in papers:
                    moved += self._move_steps(session, actor, meeting, paper, day, reason)
            meeting.start = start
            if meeting.end is not None:
                meeting.end = meeting.end.astimezone(dt.UTC) + (start - old_start)
            meeting.modified_at = self.clock.now()
            warnings = self._notice_warnings(catalog, meeting, day)
            payload = {
                "from": _iso(old_start),
                "start": _iso(start),
                "end": _iso(meeting.end) if meeting.end else None,
                "reason": reason,
                "steps": [list(s) for s in moved],
                "invited_at": _iso(meeting.invited_at) if meeting.invited_at else None,
                "warnings": list(warnings),
            }
            self._record_meeting(session, meeting, actor, AuditAction.MEETING_MOVED, payload)
            self._sync_meeting_reminders(session, catalog, actor, meeting)
            return MeetingMoved(
                meeting=self._meeting_view(session, meeting, catalog),
                steps=tuple(moved),
                warnings=warnings,
            )

    # -- helpers -------------------------------------------------------------------------------

    def _move_steps(
        self,
        session: Session,
        actor: Actor,
        meeting: Meeting,
        paper: Paper,
        day: dt.date,
        reason: str | None,
    ) -> list[tuple[str, int]]:
        """Schedule the paper's steps in ``meeting`` for ``day`` (audited in the paper's
        stream) and plan its reminders again."""
        catalog = self._catalog(session, paper.definitions_version)
        ctx = self._ctx(session, catalog, actor, paper)
        moved = []
        for step in [s for s in paper.consultations if s.meeting_id == meeting.id]:
            try:
                self._check_window(session, paper, step, day)
            except InvalidInput as exc:
                raise InvalidInput(f"step {step.position} of {paper.number}: {exc}") from exc
            extra: dict[str, Any] = {"reason": reason} if reason else {}
            self.engine.fire_consultation(
                ctx, step, "schedule", date=day, meeting=meeting.id, moved=True, **extra
            )
            step.date = day
            moved.append((paper.number, step.position))
        self._paper_changed(catalog, paper)
        return moved

    def _notice_warnings(self, catalog: Catalog, meeting: Meeting, day: dt.date) -> tuple[str, ...]:
        """After the invitation: whether it still keeps the Ladungsfrist for the new day."""
        if meeting.invited_at is None:
            return ()
        label = meeting_label(catalog, meeting)
        sent = local(meeting.invited_at).date()
        head = f"the invitation to {label} went out on {show(sent)}: check the Ladungsfrist again"
        rule = catalog.deadlines.for_organization(meeting.organization_id).notice
        if rule is None:
            return (f"{head}; the definitions set no Ladungsfrist for {meeting.organization_id}",)
        cal = catalog.calendar()
        name = catalog.organization_name(meeting.organization_id)
        deadline = invitation_deadline(cal, day, rule, body_name=name)
        if satisfies(cal, rule, sent, day):
            kept = f"it keeps the notice for {show(day)} (dispatch by {show(deadline.day)})"
            return (f"{head}; {kept}",)
        later = earliest_meeting(cal, rule, sent - dt.timedelta(days=1))
        late = (
            f"{head}; it is too late for {show(day)}: the invitation had to go out by "
            f"{show(deadline.day)}; invite again with the urgent notice or move the meeting to "
            f"{show(later)} or later"
        )
        return (late,)

    def _meeting(
        self, session: Session, body: BodyRow, meeting_id: int, *, for_update: bool = False
    ) -> Meeting:
        meeting = repository.get_meeting(session, body.id, meeting_id, for_update=for_update)
        if meeting is None:
            known = repository.meeting_ids(session, body.id, limit=8)
            hint = f" (latest: {', '.join(map(str, known))})" if known else ""
            raise NotFoundError(f"no meeting {meeting_id!r} in {body.name}{hint}")
        return meeting

    def _meeting_catalog_actor(
        self, session: Session, body: BodyRow, meeting: Meeting, user: str | None
    ) -> tuple[Catalog, Actor]:
        """The meeting's rules come from its definitions version, the actor from the current."""
        catalog = self._catalog(session, meeting.definitions_version)
        return catalog, self._actor(self._catalog(session, body.definitions_version), user)

    def _meeting_trigger(
        self, session: Session, meeting_id: int, trigger: str, user: str | None, body: str | None
    ) -> tuple[Meeting, Catalog, Actor]:
        body_row = self._body(session, body)
        meeting = self._meeting(session, body_row, meeting_id, for_update=True)
        catalog, actor = self._meeting_catalog_actor(session, body_row, meeting, user)
        self.engine.fire_meeting(self._meeting_ctx(session, catalog, actor, meeting), trigger)
        meeting.modified_at = self.clock.now()
        return meeting, catalog, actor

    def _meeting_ctx(
        self, session: Session, catalog: Catalog, actor: Actor, meeting: Meeting
    ) -> MeetingContext:
        def record(
            action: AuditAction, before: str | None, after: str | None, payload: dict[str, Any]
        ) -> None:
            self._record_meeting(session, meeting, actor, action, payload, before, after)

        return MeetingContext(
            catalog=catalog,
            actor=actor,
            record=record,
            meeting=meeting,
            label=meeting_label(catalog, meeting),
        )

    def _require_manage(self, catalog: Catalog, actor: Actor, target: str) -> None:
        if not catalog.permissions.get(Action.MEETING_MANAGE):
            raise PermissionDenied(
                f"definitions {catalog.version[:12]!r} give no role {Action.MEETING_MANAGE.value}; "
                "add it to the permissions and load the definitions"
            )
        self._require(catalog, actor, Action.MEETING_MANAGE, target)

    def _require_open(self, catalog: Catalog, meeting: Meeting, what: str) -> None:
        """Agendas change while the meeting can still be cancelled (planned or invited)."""
        if catalog.lifecycle("meeting").transition("cancel", meeting.state) is None:
            raise TransitionNotAllowed(
                meeting_label(catalog, meeting),
                meeting.state,
                what,
                self.engine.meeting_triggers(catalog, meeting.state),
                "its agenda is closed",
            )

    def _is_released(self, session: Session, paper: Paper) -> bool:
        catalog = self._catalog(session, paper.definitions_version)
        return paper.frozen and not catalog.lifecycle("paper").state(paper.state).final

    def _require_released(self, session: Session, paper: Paper, label: str) -> None:
        if not self._is_released(session, paper):
            catalog = self._catalog(session, paper.definitions_version)
            raise TransitionNotAllowed(
                label,
                paper.state,
                "put on an agenda",
                self.engine.paper_triggers(catalog, paper.state),
                "only released papers that are not yet decided go on an agenda",
            )

    def _schedule(
        self, session: Session, actor: Actor, meeting: Meeting, paper: Paper, step: Consultation
    ) -> AgendaItem:
        """Schedule ``step`` for the meeting's day and put it on the agenda."""
        catalog = self._catalog(session, paper.definitions_version)
        day = local(meeting.start).date()
        ctx = self._ctx(session, catalog, actor, paper)
        self.engine.fire_consultation(ctx, step, "schedule", date=day, meeting=meeting.id)
        step.date, step.meeting_id = day, meeting.id
        self._paper_changed(catalog, paper)
        return self._add_item(session, actor, meeting, paper.title, step.public, step, None)

    def _unschedule(
        self,
        session: Session,
        actor: Actor,
        meeting: Meeting,
        paper: Paper,
        reason: str,
    ) -> None:
        """Move the paper's steps in ``meeting`` back to planned (``_require_steps_can``
        has checked that they can go)."""
        catalog = self._catalog(session, paper.definitions_version)
        ctx = self._ctx(session, catalog, actor, paper)
        for step in [s for s in paper.consultations if s.meeting_id == meeting.id]:
            self.engine.fire_consultation(
                ctx, step, "unschedule", internal=True, meeting=meeting.id, reason=reason
            )
            step.date, step.meeting_id = None, None
        self._paper_changed(catalog, paper)

    def _require_steps_can(
        self,
        session: Session,
        catalog: Catalog,
        meeting: Meeting,
        papers: list[Paper],
        trigger: str,
        what: str,
    ) -> None:
        """Refuse ``what`` (cancel, move) on the meeting, naming its current state, when a step
        scheduled into it cannot take ``trigger`` (e.g. it already has a result)."""
        goes = {"unschedule": "go back to planned", "schedule": "move with the meeting"}[trigger]
        for paper in papers:
            lifecycle = self._catalog(session, paper.definitions_version).lifecycle("consultation")
            for step in [s for s in paper.consultations if s.meeting_id == meeting.id]:
                if lifecycle.transition(trigger, step.state) is None:
                    raise TransitionNotAllowed(
                        meeting_label(catalog, meeting),
                        meeting.state,
                        what,
                        self.engine.meeting_triggers(catalog, meeting.state),
                        f"step {step.position} of {paper.number} is {step.state!r} and cannot "
                        + goes,
                    )

    def _add_item(
        self,
        session: Session,
        actor: Actor,
        meeting: Meeting,
        title: str,
        public: bool,
        step: Consultation | None,
        note: str | None,
    ) -> AgendaItem:
        """Append an item; after the invitation it gets the next number of its part."""
        now = self.clock.now()
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
        self._record_meeting(session, meeting, actor, AuditAction.AGENDA_ITEM_ADDED, payload)
        return item  # the caller syncs the meeting's reminders once, after all its items

    def _sync_meeting_reminders(
        self, session: Session, catalog: Catalog, actor: Actor, meeting: Meeting
    ) -> None:
        """Keep the meeting's own reminders (its Ladung and escalation) in step with it, in
        the caller's transaction and under the meeting lock every meeting operation holds;
        each change is audited in the meeting's stream."""
        if catalog.deadlines.reminders is None:
            return
        planned = catalog.lifecycle("meeting").initial
        papers = {
            item.consultation.paper.id: item.consultation.paper
            for item in meeting.agenda_items
            if item.consultation is not None
        }
        facts = MeetingFacts(
            id=meeting.id,
            label=meeting_label(catalog, meeting),
            organization_id=meeting.organization_id,
            day=local(meeting.start).date(),
            awaiting_invitation=meeting.state == planned
            and meeting.invited_at is None
            and bool(meeting.agenda_items),
            papers=tuple((p.number, p.title, p.office_id) for _, p in sorted(papers.items())),
        )
        now = self.clock.now()
        changes = reminder_store.apply_meeting_plan(
            session,
            body_id=meeting.body_id,
            meeting_id=meeting.id,
            plans=plan_meeting_reminders(catalog, facts),
            now=now,
        )
        for change in changes:
            self._record_meeting(session, meeting, actor, change.action, change.payload)

    def _record_meeting(
        self,
        session: Session,
        meeting: Meeting,
        actor: Actor,
        action: AuditAction,
        payload: dict[str, Any],
        before: str | None = None,
        after: str | None = None,
    ) -> None:
        append_event(
            session,
            stream=meeting_stream(meeting.id),
            occurred_at=self.clock.now(),
            actor=actor.user_id,
            action=action.value,
            from_state=before,
            to_state=after,
            payload={"meeting": meeting.id, **payload},
        )

    def _meeting_view(
        self, session: Session, meeting: Meeting, catalog: Catalog | None = None
    ) -> MeetingView:
        catalog = catalog or self._catalog(session, meeting.definitions_version)
        return meeting_view(catalog, meeting, self.engine.meeting_triggers(catalog, meeting.state))


def _meeting_lifecycle(catalog: Catalog) -> Lifecycle:
    if "meeting" not in catalog.lifecycles:
        raise InvalidInput(
            f"definitions {catalog.version[:12]!r} of {catalog.body.name} have no meeting "
            "lifecycle; add one (see definitions/_standard/lifecycles.yaml) and load them"
        )
    return catalog.lifecycle("meeting")


def _step(paper: Paper, position: int) -> Consultation:
    for step in paper.consultations:
        if step.position == position:
            return step
    count = len(paper.consultations)
    raise NotFoundError(f"{paper.number} has no step {position} (its path has {count} steps)")


def meeting_label(catalog: Catalog, meeting: Meeting) -> str:
    org = catalog.organizations.get(meeting.organization_id)
    name = org.short_name or org.name if org else meeting.organization_id
    return f"meeting {meeting.id} ({name}, {_when(meeting.start)})"


def _paper_number(item: AgendaItem) -> str | None:
    return item.consultation.paper.number if item.consultation is not None else None


def _when(instant: dt.datetime) -> str:
    return local(instant).strftime("%d.%m.%Y %H:%M")


def _iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat()


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BERLIN)
