"""The Fristen of papers: ``paper check`` (can each step still make its meeting?) and the list of
upcoming and overdue deadlines (Vorlagenschluss, Ladung, Mitzeichnung, reports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from storage import papers as paper_store
from storage import trail as trail_store
from storage.schema import (
    Consultation,
    Paper,
)
from workflow.core.deadlines import (
    Deadline,
    DeadlineEntry,
    DeadlineKind,
    StepCheck,
    WorkingCalendar,
    check_path,
    step_deadlines,
)
from workflow.core.errors import (
    InvalidInput,
)
from workflow.core.i18n import _
from workflow.core.model import MAX_PAGE_SIZE
from workflow.papers.fristen import path_steps, release_facts
from workflow.papers.present import co_signing_deadlines
from workflow.reminders.planning import report_deadlines
from workflow.reminders.sync import paper_facts
from workflow.uow import KNOWN_USERS, TRUSTED, Reader, Shared, UnitOfWork


class DeadlineService:
    """Deadlines of papers and their steps."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def check_path(
        self, number: str, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> list[StepCheck]:
        """Each step's deadlines, whether it kept them (the same judgement as ``decisions
        list`` and the decision-trail report), and whether earlier results reach its
        invitation in time.

        The rules are those of the definitions version the paper was created under.
        :raises NotFoundError: no such paper.
        """
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            paper = uow.paper(number)
            catalog = uow.catalog(paper.definitions_version)
            facts = release_facts(trail_store.events_of_papers(uow.session, [paper.id])[paper.id])
            meeting_ids = {c.meeting_id for c in paper.consultations if c.meeting_id}
            invited = {
                m.id: m.invited_at for m in trail_store.meetings_by_id(uow.session, meeting_ids)
            }
            steps = path_steps(catalog, paper, facts, invited, planned=True)
            cal = catalog.calendar()
            planned = catalog.lifecycle("meeting").initial
            checks = check_path(
                cal, catalog.deadlines, steps, released_at=facts.released_at, now=uow.now()
            )
            return [
                self._propose_meeting(uow.session, paper.body_id, cal, planned, check)
                for check in checks
            ]

    @staticmethod
    def _propose_meeting(
        session: Session, body_id: str, cal: WorkingCalendar, planned: str, check: StepCheck
    ) -> StepCheck:
        """Name the Gremium's first planned (not yet invited) meeting on or after the
        earliest date a step flagged as Nachtrag could move to."""
        if check.proposed_date is None:
            return check
        since = cal.end_of_day(check.proposed_date - dt.timedelta(days=1))
        meeting = paper_store.first_meeting_since(
            session, body_id, check.organization_id, planned, since
        )
        if meeting is None:
            return replace(check, message=check.message + "; keine geplante Sitzung ab dann")
        when = meeting.start.astimezone(cal.tz).strftime("%d.%m.%Y %H:%M")
        return replace(
            check,
            proposed_meeting=meeting.id,
            message=f"{check.message}; nächste geplante Sitzung ab dann: Nr. {meeting.id} "
            f"am {when}",
        )

    def list_deadlines(
        self,
        *,
        body: str | None = None,
        paper: str | None = None,
        organization: str | None = None,
        office: str | None = None,
        user: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        overdue: bool = False,
        limit: int | None = None,
        reader: str | Reader | None = TRUSTED,
    ) -> list[DeadlineEntry]:
        """Open deadlines: Vorlagenschluss, Ladung, Mitzeichnung of papers not yet decided, and
        the Beschlusskontrolle reports (each open implementation task's next report, else the
        first report of an adopted paper). Met ones are left out: a Vorlagenschluss once the
        paper is released, a Ladung once the step's meeting is invited.

        ``user`` keeps the papers and co-signatures of the user's offices; a user without
        offices (Sitzungsdienst, auditors) sees every deadline. ``overdue`` keeps the overdue
        ones; ``limit`` (1 to ``MAX_PAGE_SIZE``) the first so many by due date.
        :raises NotFoundError: unknown paper, organization, office or user.
        :raises InvalidInput: the period ends before it starts, or ``limit`` is out of bounds.
        """
        if limit is not None and not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInput(
                _("a list holds 1 to {most} entries, not {limit}").format(
                    most=MAX_PAGE_SIZE, limit=limit
                )
            )
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            entries = open_deadlines(
                uow,
                paper=paper,
                organization=organization,
                office=office,
                user=user,
                start=start,
                end=end,
            )
        entries = [e for e in entries if e.overdue or not overdue]
        return entries[:limit] if limit is not None else entries


def _deadline_met(session: Session, paper: Paper, step: Consultation, deadline: Deadline) -> bool:
    """Whether ``deadline`` of an open step no longer waits for anything: the Vorlagenschluss
    once the paper is released (the submission is in), the Ladung once the step's meeting is
    invited. The urgent Ladung is an alternative to the Ladung, never a deadline of its own."""
    if deadline.kind is DeadlineKind.URGENT_INVITATION:
        return True
    if deadline.kind is DeadlineKind.SUBMISSION_CUTOFF:
        return paper.frozen
    if deadline.kind is DeadlineKind.INVITATION and step.meeting_id is not None:
        meeting = paper_store.find_meeting(session, step.meeting_id)
        return meeting is not None and meeting.invited_at is not None
    return False


def open_deadlines(
    uow: UnitOfWork,
    *,
    paper: str | None = None,
    organization: str | None = None,
    office: str | None = None,
    user: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[DeadlineEntry]:
    """``DeadlineService.list_deadlines`` in the caller's unit of work."""
    if start and end and start > end:
        raise InvalidInput(
            _("the period ends before it starts: {start} is after {end}").format(
                start=start.isoformat(), end=end.isoformat()
            ),
            field="end",
        )
    now = uow.now()
    current = uow.catalog()
    offices = set(current.user(user).offices) if user else set()
    if office:
        offices = {current.office(office).id} | (offices if user else set())
    if organization:
        current.organization(organization)
    rows = [uow.paper(paper, for_update=False)] if paper else _candidates(uow)
    entries = [
        entry
        for row in rows
        for entry in _paper_deadlines(uow, row, now)
        if (not organization or entry.organization_id == organization)
        and (not offices or row.office_id in offices or entry.organization_id in offices)
        and (start is None or entry.deadline.day >= start)
        and (end is None or entry.deadline.day <= end)
    ]
    return sorted(entries, key=lambda e: (e.deadline.due, e.paper, e.position or 0))


def _candidates(uow: UnitOfWork) -> Sequence[Paper]:
    """The papers that may still owe a deadline: a paper in a state that is final under every
    definitions version in use owes only the reports of its implementation tasks."""
    body_id = uow.body().id
    finals = [
        {s.id for s in uow.catalog(version).lifecycle("paper").states if s.final}
        for version in paper_store.definitions_versions(uow.session, body_id)
    ]
    final = set.intersection(*finals) if finals else set()
    return paper_store.papers_with_deadlines(uow.session, body_id, final)


def _paper_deadlines(uow: UnitOfWork, paper: Paper, now: dt.datetime) -> list[DeadlineEntry]:
    session = uow.session
    catalog = uow.catalog(paper.definitions_version)
    reports = [
        DeadlineEntry(
            paper=paper.number,
            title=paper.title,
            position=r.step.position if r.step else None,
            organization_id=r.office_id,
            organization_name=catalog.organization_name(r.office_id),
            meeting=None,
            deadline=r.deadline,
            overdue=r.deadline.due <= now,
            task=r.task.id if r.task else None,
        )
        for r in report_deadlines(catalog, paper_facts(session, catalog, paper))
    ]
    if catalog.lifecycle("paper").state(paper.state).final:
        return reports
    cal, rules = catalog.calendar(), catalog.deadlines
    final = {s.id for s in catalog.lifecycle("consultation").states if s.final}
    found: list[tuple[str, int | None, dt.date | None, Deadline, int | None]] = []
    for step in paper.consultations:
        meeting = step.date or step.planned_date
        if step.state in final or meeting is None:
            continue
        name = catalog.organization_name(step.organization_id)
        for deadline in step_deadlines(
            cal, rules.for_organization(step.organization_id), meeting, name
        ):
            if not _deadline_met(session, paper, step, deadline):
                found.append(
                    (step.organization_id, step.position, meeting, deadline, step.meeting_id)
                )
    for office, deadline in co_signing_deadlines(session, catalog, paper).items():
        found.append((office, None, None, deadline, None))
    return [
        DeadlineEntry(
            paper=paper.number,
            title=paper.title,
            position=position,
            organization_id=org_id,
            organization_name=catalog.organization_name(org_id),
            meeting=meeting,
            deadline=deadline,
            overdue=deadline.due <= now,
            meeting_id=meeting_id,
        )
        for org_id, position, meeting, deadline, meeting_id in found
    ] + reports
