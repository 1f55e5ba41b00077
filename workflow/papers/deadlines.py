"""The Fristen of papers: ``paper check`` (can each step still make its meeting?) and the list of
upcoming and overdue deadlines (Vorlagenschluss, Ladung, Mitzeichnung, reports)."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial

from sqlalchemy.orm import Session

from storage import deadlines as deadline_store
from storage import papers as paper_store
from storage import trail as trail_store
from storage.deadlines import PENDING, OwedPaper, StepRow
from workflow.core.catalog import Catalog
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
from workflow.papers.present import pending_co_signing_deadlines
from workflow.reminders.planning import ReportDeadline, report_deadlines
from workflow.reminders.sync import facts_of
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
            return open_deadlines(
                uow,
                paper=paper,
                organization=organization,
                office=office,
                user=user,
                start=start,
                end=end,
                overdue=overdue,
                limit=limit,
            )


def open_deadlines(
    uow: UnitOfWork,
    *,
    paper: str | None = None,
    organization: str | None = None,
    office: str | None = None,
    user: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    overdue: bool = False,
    limit: int | None = None,
) -> list[DeadlineEntry]:
    """``DeadlineService.list_deadlines`` in the caller's unit of work.

    Only the papers that may owe a deadline are read (indexed queries on open steps, pending
    co-signatures and open tasks), with what their deadlines need in a few queries; the
    filters apply to each step before its deadlines are counted, and only the first ``limit``
    entries are built."""
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
    if paper:
        row = deadline_store.owed_paper(uow.session, uow.paper(paper, for_update=False))
        deadline_store.load_facts(uow.session, [row], [row.id], steps=False)
        rows = [row]
    else:
        rows = _candidates(uow, organization)
    counter = _Counter(uow, now)

    def wanted(org_id: str, office_id: str, day: dt.date) -> bool:
        return (
            (not organization or org_id == organization)
            and (not offices or office_id in offices or org_id in offices)
            and (start is None or day >= start)
            and (end is None or day <= end)
        )

    order = itertools.count()  # keeps the order of equal keys: papers, steps, kinds
    found = (
        (key, next(order), make)
        for row in rows
        for key, make in counter.entries(row, wanted)
        if not overdue or key[0] <= now
    )
    chosen = sorted(found) if limit is None else heapq.nsmallest(limit, found)
    return [make() for _key, _order, make in chosen]


def _candidates(uow: UnitOfWork, organization: str | None) -> list[OwedPaper]:
    """The papers that may still owe a deadline: a paper in a state that is final under every
    definitions version in use owes only the reports of its implementation tasks; a step
    only while it is not final (under some version in use) and has a date; the first report
    of an adopted paper only where some version sets ``implementation_report``."""
    body_id = uow.body().id
    catalogs = [
        uow.catalog(version)
        for version in deadline_store.definitions_versions(uow.session, body_id)
    ]
    if not catalogs:
        return []
    final = set.intersection(
        *({s.id for s in c.lifecycle("paper").states if s.final} for c in catalogs)
    )
    steps = [c.lifecycle("consultation").states for c in catalogs]
    step_final = set.intersection(*({s.id for s in states if s.final} for states in steps))
    open_steps = {s.id for states in steps for s in states} - step_final
    return deadline_store.owing_papers(
        uow.session,
        body_id,
        final_states=final,
        open_step_states=open_steps,
        adopted=any(_reports_configured(c) for c in catalogs),
        organization=organization,
    )


def _reports_configured(catalog: Catalog) -> bool:
    rules = catalog.deadlines
    return rules.default.implementation_report is not None or any(
        r.implementation_report is not None for r in rules.organizations.values()
    )


#: A Gremium's deadlines for a meeting day, an office's Mitzeichnung Frist for a request,
#: under a definitions version: its id is the hash of its files, so they never change; kept
#: across requests (pure functions of their key), emptied when they grow past MEMO_SIZE.
_STEP_MEMO: dict[tuple[str, str, dt.date], tuple[Deadline, ...]] = {}
_CO_SIGNING_MEMO: dict[tuple[str, str, dt.datetime], dict[str, Deadline]] = {}
MEMO_SIZE = 20_000

#: an entry's place in the list (due, paper, step) and how to build it once it is chosen
_Found = tuple[tuple[dt.datetime, str, int], Callable[[], DeadlineEntry]]


class _Counter:
    """Counts the deadlines of many papers: each definitions version's states read once, a
    Gremium's deadlines for a meeting day and an office's Mitzeichnung Frist for a request
    counted once (and kept), an entry built only when the list keeps it."""

    def __init__(self, uow: UnitOfWork, now: dt.datetime) -> None:
        self._uow, self._now = uow, now
        self._finals: dict[tuple[str, str], tuple[bool, frozenset[str]]] = {}
        for memo in (_STEP_MEMO, _CO_SIGNING_MEMO):
            if len(memo) > MEMO_SIZE:
                memo.clear()

    def entries(
        self, paper: OwedPaper, wanted: Callable[[str, str, dt.date], bool]
    ) -> Iterator[_Found]:
        """The paper's open deadlines ``wanted`` keeps (by the Gremium or office owing it,
        the paper's office and the due day): steps by position, then co-signatures, then
        reports."""
        catalog = self._uow.catalog(paper.definitions_version)
        office, number, now = paper.office_id, paper.number, self._now
        final, step_final = self._final(catalog, paper)
        if not final:
            for step in paper.consultations:
                meeting = step.date or step.planned_date
                if step.state in step_final or meeting is None:
                    continue
                org = step.organization_id
                for deadline in self._step_deadlines(catalog, paper, org, meeting):
                    if wanted(org, office, deadline.day) and not _met(paper, step, deadline):
                        key = (deadline.due, number, step.position)
                        args = (catalog, paper, org, deadline, now, step, meeting)
                        yield key, partial(_entry, *args)
            for org, deadline in self._co_signing_deadlines(catalog, paper).items():
                if wanted(org, office, deadline.day):
                    key = (deadline.due, number, 0)
                    yield key, partial(_entry, catalog, paper, org, deadline, now)
        if paper.tasks or paper.state == "adopted":  # else it owes no report
            facts = facts_of(catalog, paper, paper.requested, paper.tasks)
            for r in report_deadlines(catalog, facts):
                if wanted(r.office_id, office, r.deadline.day):
                    position = r.step.position if r.step else None
                    key = (r.deadline.due, number, position or 0)
                    yield key, partial(_report_entry, catalog, paper, r, now, position)

    def _final(self, catalog: Catalog, paper: OwedPaper) -> tuple[bool, frozenset[str]]:
        """Whether the paper's state is final, and the final states of its steps."""
        key = (paper.definitions_version, paper.state)
        if key not in self._finals:
            steps = catalog.lifecycle("consultation").states
            self._finals[key] = (
                catalog.lifecycle("paper").state(paper.state).final,
                frozenset(s.id for s in steps if s.final),
            )
        return self._finals[key]

    def _step_deadlines(
        self, catalog: Catalog, paper: OwedPaper, org: str, meeting: dt.date
    ) -> tuple[Deadline, ...]:
        key = (catalog.version, org, meeting)
        found = _STEP_MEMO.get(key)
        if found is None:
            name = catalog.organization_name(org)
            rules = catalog.deadlines.for_organization(org)
            found = _STEP_MEMO[key] = step_deadlines(catalog.calendar(), rules, meeting, name)
        return found

    def _co_signing_deadlines(self, catalog: Catalog, paper: OwedPaper) -> dict[str, Deadline]:
        """The Mitzeichnung Frist of each pending co-signature (``co_signing_deadlines``),
        counted once per office and time of request."""
        found: dict[str, Deadline] = {}
        for c in paper.co_signatures:
            when = paper.requested.get(c.office_id)
            if c.state != PENDING or when is None:
                continue
            key = (catalog.version, c.office_id, when)
            if key not in _CO_SIGNING_MEMO:
                _CO_SIGNING_MEMO[key] = pending_co_signing_deadlines(
                    catalog, [c], {c.office_id: when}
                )
            found.update(_CO_SIGNING_MEMO[key])
        return found


def _met(paper: OwedPaper, step: StepRow, deadline: Deadline) -> bool:
    """Whether ``deadline`` of an open step no longer waits for anything: the Vorlagenschluss
    once the paper is released (the submission is in), the Ladung once the step's meeting is
    invited. The urgent Ladung is an alternative to the Ladung, never a deadline of its
    own."""
    if deadline.kind is DeadlineKind.URGENT_INVITATION:
        return True
    if deadline.kind is DeadlineKind.SUBMISSION_CUTOFF:
        return paper.frozen
    if deadline.kind is DeadlineKind.INVITATION and step.meeting_id is not None:
        return step.invited
    return False


def _entry(
    catalog: Catalog,
    paper: OwedPaper,
    org: str,
    deadline: Deadline,
    now: dt.datetime,
    step: StepRow | None = None,
    meeting: dt.date | None = None,
) -> DeadlineEntry:
    return DeadlineEntry(
        paper=paper.number,
        title=paper.title,
        position=step.position if step else None,
        organization_id=org,
        organization_name=catalog.organization_name(org),
        meeting=meeting,
        deadline=deadline,
        overdue=deadline.due <= now,
        meeting_id=step.meeting_id if step else None,
    )


def _report_entry(
    catalog: Catalog,
    paper: OwedPaper,
    report: ReportDeadline,
    now: dt.datetime,
    position: int | None,
) -> DeadlineEntry:
    return replace(
        _entry(catalog, paper, report.office_id, report.deadline, now),
        position=position,
        task=report.task.id if report.task else None,
    )
