"""Meetings (Sitzungen) and their lifecycle: what the Sitzungsdienst plans, invites to, holds,
cancels and moves.

``MeetingService`` reads meetings and moves them through their lifecycle (the agendas are
``AgendaService``'s, in ``workflow.meetings.agenda``). As everywhere in the service, one public
method is one transaction and returns frozen views, and every change appends its audit events
in that transaction: to the ``meeting:{id}`` stream, and to ``paper:{id}`` where a step of the
paper changes (moved with the meeting, moved back to planned).

Locks are taken in one order everywhere: the meeting row first, then papers by id.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from storage import repository
from storage.schema import AgendaItem, Meeting, Paper
from workflow.core.clock import BERLIN, local, wall_clock
from workflow.core.errors import InvalidInput, TransitionNotAllowed
from workflow.core.i18n import N_, _
from workflow.core.inputs import check_line, check_lines
from workflow.core.labels import Offer
from workflow.core.model import (
    Actor,
    AgendaPart,
    AuditAction,
    MeetingMoved,
    MeetingNotice,
    MeetingView,
)
from workflow.meetings.common import (
    check_meeting_times,
    meeting_catalog_actor,
    meeting_flow,
    present_meeting,
    record_meeting,
    require_manage,
    sync_meeting_reminders,
)
from workflow.meetings.notice import notice_status, notice_warnings
from workflow.papers.steps import check_window, meeting_label
from workflow.papers.tally import shown, stored
from workflow.reminders.sync import paper_changed, sync_paper_reminders
from workflow.uow import KNOWN_USERS, TRUSTED, Reader, Shared, UnitOfWork, actor_of

if TYPE_CHECKING:
    from workflow.core.catalog import Catalog, Lifecycle


class MeetingService:
    """Plan meetings, read them, and move them through their lifecycle."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    # -- reading -------------------------------------------------------------------------------

    def get_meeting(
        self, meeting_id: int, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> MeetingView:
        """:raises NotFoundError: no such meeting in the municipality."""
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            meeting = uow.meeting(meeting_id)
            return present_meeting(uow, meeting)

    def meeting_notice(
        self, meeting_id: int, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> MeetingNotice:
        """The meeting's Ladungsfrist: the last day to send the invitation, the day it went
        out, and warnings (``workflow.meetings.notice.notice_status``).

        :raises NotFoundError: no such meeting in the municipality."""
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            meeting = uow.meeting(meeting_id)
            catalog = uow.catalog(meeting.definitions_version)
            return notice_status(catalog, meeting, local(uow.now()).date())

    def list_meetings(
        self,
        *,
        organization: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        state: str | None = None,
        latest: int | None = None,
        body: str | None = None,
        reader: str | Reader | None = TRUSTED,
    ) -> list[MeetingView]:
        """Meetings by start; ``since`` and ``until`` are local calendar days, both included;
        with ``latest`` only the last that many."""
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            session = uow.session
            body_row = uow.body()
            rows = repository.list_meetings(
                session,
                body_row.id,
                organization=organization,
                start_from=_day_start(since) if since else None,
                start_before=_day_start(until + dt.timedelta(days=1)) if until else None,
                state=state,
                latest=latest,
            )
            return [present_meeting(uow, m) for m in rows]

    # -- planning ----------------------------------------------------------------------------------

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
        :raises InvalidInput: a time without zone, a time its zone skips (the night summer
            time begins), or an end before the start.
        :raises PermissionDenied: the user may not do meeting.manage.
        """
        check_lines((name, location), _("meeting name or location"))
        check_meeting_times(start, end)
        now = self._shared.clock.now()
        start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC) if end else None
        with self._shared.write(user, body) as uow:
            session = uow.session
            body_row = uow.body()
            catalog = uow.catalog(body_row.definitions_version)
            actor = actor_of(catalog, user)
            lifecycle = _meeting_lifecycle(catalog)
            org = catalog.body_organization(organization)
            require_manage(catalog, actor, org.name)
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
            record_meeting(uow, meeting, actor, created, payload, None, meeting.state)
            return present_meeting(uow, meeting, catalog)

    # -- the meeting lifecycle -----------------------------------------------------------------

    def invite_meeting(
        self, meeting_id: int, *, user: str | None, body: str | None = None
    ) -> MeetingView:
        """Send the invitation: number the TOPs Ö 1.. then N 1..; the numbers are final.

        :raises TransitionNotAllowed: not planned, or the agenda is empty.
        """
        with self._shared.write(user, body) as uow:
            session = uow.session
            meeting, catalog, actor = self._meeting_trigger(uow, meeting_id, "invite", user, body)
            numbered: list[list[Any]] = []
            for part in AgendaPart:
                items = [i for i in meeting.agenda_items if i.part == part.value]
                for ordinal, item in enumerate(sorted(items, key=lambda i: i.sort_order), 1):
                    item.number = f"{part.prefix} {ordinal}"
                    numbered.append([item.number, item.title, _paper_number(item)])
            meeting.invited_at = self._shared.clock.now()
            payload = {"items": numbered}
            record_meeting(uow, meeting, actor, AuditAction.AGENDA_NUMBERED, payload)
            sync_meeting_reminders(uow, catalog, actor, meeting)
            # and each paper on the agenda (locked after the meeting, by id): reminders planned
            # per step before the meeting's own one existed are cancelled now at the latest
            for number in repository.papers_in_meeting(session, meeting.id):
                paper = uow.paper(number, for_update=True)
                paper_catalog = uow.catalog(paper.definitions_version)
                sync_paper_reminders(uow, paper_catalog, paper, actor.user_id)
            return present_meeting(uow, meeting, catalog)

    def hold_meeting(
        self, meeting_id: int, *, user: str | None, body: str | None = None
    ) -> MeetingView:
        """Mark the meeting as held (results are recorded per consultation).

        :raises TransitionNotAllowed: the meeting is not invited.
        :raises InvalidInput: the meeting's day is after today.
        """
        with self._shared.write(user, body) as uow:
            meeting, catalog, _actor = self._meeting_trigger(uow, meeting_id, "hold", user, body)
            uow.refuse_future(
                _("meeting {id} takes place on").format(id=meeting.id),
                local(meeting.start).date(),
                _(
                    "mark it held on that day or later; if it met earlier, move it to that "
                    "day first"
                ),
                field=None,
            )
            return present_meeting(uow, meeting, catalog)

    def approve_minutes(
        self, meeting_id: int, *, user: str | None, body: str | None = None
    ) -> MeetingView:
        """Record that the minutes (Niederschrift) of a held meeting were approved."""
        with self._shared.write(user, body) as uow:
            meeting, catalog, _actor = self._meeting_trigger(
                uow, meeting_id, "approve_minutes", user, body
            )
            return present_meeting(uow, meeting, catalog)

    def cancel_meeting(
        self, meeting_id: int, *, user: str | None, reason: str, body: str | None = None
    ) -> MeetingView:
        """Cancel a planned or invited meeting. Its consultations go back to planned: the
        meeting link and the meeting date are removed, the planned date is kept.

        :raises TransitionNotAllowed: the meeting is held, or a step on it has a result.
        """
        check_line(reason, _("reason"))
        if not reason.strip():
            raise InvalidInput(_("cancelling a meeting needs a reason"), field="reason")
        reason = reason.strip()
        with self._shared.write(user, body) as uow:
            meeting = uow.meeting(meeting_id, for_update=True)
            catalog, actor = meeting_catalog_actor(uow, meeting)
            papers = _lock_papers(uow, meeting)
            # Refused before anything changes, with the state the meeting has now.
            cancel = Offer("cancel", catalog.lifecycle("meeting").trigger_label("cancel"))
            self._require_steps_can(uow, catalog, meeting, papers, "unschedule", cancel)
            self._shared.engine.fire_meeting(
                meeting_flow(uow, catalog, actor, meeting), "cancel", reason=reason
            )
            for paper in papers:
                self._unschedule(uow, actor, meeting, paper, reason)
            meeting.modified_at = self._shared.clock.now()
            sync_meeting_reminders(uow, catalog, actor, meeting)
            return present_meeting(uow, meeting, catalog)

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
        day (the invitation is not sent again). ``time`` may carry its UTC offset
        (``tzinfo=dt.timezone(...)``) to say which 02:30 of the night the clocks go back is meant.

        :raises InvalidInput: the same start, a time the clocks skip or show twice that day
            (see ``workflow.core.clock.wall_clock``), or a re-decision step whose objection
            window does not hold the new day.
        :raises TransitionNotAllowed: the meeting is held or cancelled, or a step on it
            already has a result.
        """
        check_line(reason, _("reason"))
        reason = reason.strip() if reason and reason.strip() else None
        with self._shared.write(user, body) as uow:
            meeting = uow.meeting(meeting_id, for_update=True)
            catalog, actor = meeting_catalog_actor(uow, meeting)
            label = meeting_label(catalog, meeting)
            require_manage(catalog, actor, label)
            self._require_movable(catalog, meeting, label)
            old_start = meeting.start
            start = _new_start(old_start, day, time, label)
            papers = _lock_papers(uow, meeting)
            self._require_steps_can(
                uow, catalog, meeting, papers, "schedule", _("move the meeting")
            )
            moved = self._reschedule(uow, actor, meeting, papers, day, start, reason)
            warnings = notice_warnings(catalog, meeting, day)
            payload = _moved_payload(old_start, meeting, reason, moved, stored(warnings))
            record_meeting(uow, meeting, actor, AuditAction.MEETING_MOVED, payload)
            sync_meeting_reminders(uow, catalog, actor, meeting)
            return MeetingMoved(
                meeting=present_meeting(uow, meeting, catalog),
                steps=tuple(moved),
                warnings=tuple(shown(warnings)),
            )

    # -- helpers -------------------------------------------------------------------------------

    def _require_movable(self, catalog: Catalog, meeting: Meeting, label: str) -> None:
        """Only a meeting that can still be cancelled (planned or invited) can be moved."""
        if catalog.lifecycle("meeting").transition("cancel", meeting.state) is None:
            raise TransitionNotAllowed(
                label,
                meeting.state,
                _("move the meeting"),
                self._shared.engine.meeting_triggers(catalog, meeting.state),
                _("only a planned or invited meeting can be moved"),
            )

    def _reschedule(
        self,
        uow: UnitOfWork,
        actor: Actor,
        meeting: Meeting,
        papers: list[Paper],
        day: dt.date,
        start: dt.datetime,
        reason: str | None,
    ) -> list[tuple[str, int]]:
        """Move the meeting to ``start`` on ``day`` and its end by as much; when the day
        changes, its scheduled steps move with it. The moved steps, as (paper, position)."""
        old_start = meeting.start
        moved = list[tuple[str, int]]()
        if day != local(old_start).date():
            for paper in papers:
                moved += self._move_steps(uow, actor, meeting, paper, day, reason)
        meeting.start = start
        if meeting.end is not None:
            meeting.end = meeting.end.astimezone(dt.UTC) + (start - old_start)
        meeting.modified_at = self._shared.clock.now()
        return moved

    def _move_steps(
        self,
        uow: UnitOfWork,
        actor: Actor,
        meeting: Meeting,
        paper: Paper,
        day: dt.date,
        reason: str | None,
    ) -> list[tuple[str, int]]:
        """Schedule the paper's steps in ``meeting`` for ``day`` (audited in the paper's
        stream) and plan its reminders again."""
        session = uow.session
        catalog = uow.catalog(paper.definitions_version)
        ctx = uow.flow(catalog, actor, paper)
        moved = []
        for step in [s for s in paper.consultations if s.meeting_id == meeting.id]:
            try:
                check_window(session, paper, step, day)
            except InvalidInput as exc:
                raise InvalidInput(
                    _("step {position} of {number}: {exc}").format(
                        position=step.position, number=paper.number, exc=exc
                    )
                ) from exc
            extra: dict[str, Any] = {"reason": reason} if reason else {}
            self._shared.engine.fire_consultation(
                ctx, step, "schedule", date=day, meeting=meeting.id, moved=True, **extra
            )
            step.date = day
            moved.append((paper.number, step.position))
        paper_changed(uow, catalog, paper)
        return moved

    def _meeting_trigger(
        self, uow: UnitOfWork, meeting_id: int, trigger: str, user: str | None, body: str | None
    ) -> tuple[Meeting, Catalog, Actor]:
        meeting = uow.meeting(meeting_id, for_update=True)
        catalog, actor = meeting_catalog_actor(uow, meeting)
        self._shared.engine.fire_meeting(meeting_flow(uow, catalog, actor, meeting), trigger)
        meeting.modified_at = self._shared.clock.now()
        return meeting, catalog, actor

    def _unschedule(
        self,
        uow: UnitOfWork,
        actor: Actor,
        meeting: Meeting,
        paper: Paper,
        reason: str,
    ) -> None:
        """Move the paper's steps in ``meeting`` back to planned (``_require_steps_can``
        has checked that they can go)."""
        catalog = uow.catalog(paper.definitions_version)
        ctx = uow.flow(catalog, actor, paper)
        for step in [s for s in paper.consultations if s.meeting_id == meeting.id]:
            self._shared.engine.fire_consultation(
                ctx, step, "unschedule", internal=True, meeting=meeting.id, reason=reason
            )
            step.date, step.meeting_id = None, None
        paper_changed(uow, catalog, paper)

    def _require_steps_can(
        self,
        uow: UnitOfWork,
        catalog: Catalog,
        meeting: Meeting,
        papers: list[Paper],
        trigger: str,
        what: str,
    ) -> None:
        """Refuse ``what`` (cancel, move) on the meeting, naming its current state, when a step
        scheduled into it cannot take ``trigger`` (e.g. it already has a result)."""
        cannot = {
            "unschedule": N_(
                "step {position} of {number} is {state!r} and cannot go back to planned"
            ),
            "schedule": N_(
                "step {position} of {number} is {state!r} and cannot move with the meeting"
            ),
        }[trigger]
        for paper in papers:
            lifecycle = uow.catalog(paper.definitions_version).lifecycle("consultation")
            for step in [s for s in paper.consultations if s.meeting_id == meeting.id]:
                if lifecycle.transition(trigger, step.state) is None:
                    raise TransitionNotAllowed(
                        meeting_label(catalog, meeting),
                        meeting.state,
                        what,
                        self._shared.engine.meeting_triggers(catalog, meeting.state),
                        _(cannot).format(
                            position=step.position,
                            number=paper.number,
                            state=lifecycle.state_label(step.state),
                        ),
                    )


def _meeting_lifecycle(catalog: Catalog) -> Lifecycle:
    if "meeting" not in catalog.lifecycles:
        raise InvalidInput(
            _(
                "definitions {version!r} of {name} have no meeting lifecycle; "
                "add one (see definitions/_standard/lifecycles.yaml) and load them"
            ).format(version=catalog.version[:12], name=catalog.body.name)
        )
    return catalog.lifecycle("meeting")


def _lock_papers(uow: UnitOfWork, meeting: Meeting) -> list[Paper]:
    """The papers with a step scheduled into the meeting, locked (after the meeting) by id."""
    return [
        uow.paper(number, for_update=True)
        for number in repository.papers_in_meeting(uow.session, meeting.id)
    ]


def _new_start(
    old_start: dt.datetime, day: dt.date, time: dt.time | None, label: str
) -> dt.datetime:
    """The meeting's new start: ``day`` at ``time`` (local; default the time it had)."""
    start = wall_clock(day, time or local(old_start).time())
    if start == old_start:
        raise InvalidInput(
            _("{label} already starts then; give another day or time").format(label=label),
            field="day",
        )
    return start


def _moved_payload(
    old_start: dt.datetime,
    meeting: Meeting,
    reason: str | None,
    moved: list[tuple[str, int]],
    warnings: list[str],
) -> dict[str, Any]:
    """What the meeting's stream records of a move."""
    return {
        "from": _iso(old_start),
        "start": _iso(meeting.start),
        "end": _iso(meeting.end) if meeting.end else None,
        "reason": reason,
        "steps": [list(s) for s in moved],
        "invited_at": _iso(meeting.invited_at) if meeting.invited_at else None,
        "warnings": list(warnings),
    }


def _paper_number(item: AgendaItem) -> str | None:
    return item.consultation.paper.number if item.consultation is not None else None


def _iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat()


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BERLIN)
