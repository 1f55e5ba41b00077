"""The list of open deadlines reads only the papers that may owe one (indexed queries) and
loads their facts in a few queries: its entries are exactly those of the plain computation
(every paper not final, or with tasks, each read and counted on its own), for random papers,
steps, meetings, co-signatures and tasks, under every filter, in both databases."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import event, exists, or_, select, text
from sqlalchemy.orm import Session, selectinload

from storage import deadlines as deadline_store
from storage.audit import append_event, paper_stream
from storage.schema import Consultation, CoSignature, ImplementationTask, Meeting, Paper
from storage.session import Database
from tests.conftest import on_day
from tests.reminder_fixtures import reminder_definitions
from workflow.core.catalog import Catalog
from workflow.core.clock import FixedClock
from workflow.core.deadlines import DeadlineEntry, DeadlineKind, step_deadlines
from workflow.papers.present import co_signing_deadlines
from workflow.reminders.planning import report_deadlines
from workflow.reminders.sync import paper_facts
from workflow.service import WorkflowService

PAPER_STATES = ("draft", "co_signing", "released", "in_consultation", "adopted", "objected")
FINAL_PAPER_STATES = ("rejected", "noted", "withdrawn", "implemented")
STEP_STATES = ("planned", "scheduled", "held", "dropped", "cancelled")
ORGS = ("rat", "ausschuss", "amt1", "amt2")


def reference(service: WorkflowService, now: dt.datetime) -> list[DeadlineEntry]:
    """The deadlines as the list counted them before it scaled: every paper not final under
    every version in use (or with tasks) read with the ORM and counted on its own."""
    with service.db.read() as session:
        catalog = service.bodies.catalog(None)
        final = {s.id for s in catalog.lifecycle("paper").states if s.final}
        has_tasks = exists().where(ImplementationTask.paper_id == Paper.id)
        papers = session.scalars(
            select(Paper)
            .where(or_(Paper.state.not_in(sorted(final)), has_tasks))
            .options(selectinload(Paper.consultations), selectinload(Paper.co_signatures))
            .order_by(Paper.id)
        ).all()
        found = [e for paper in papers for e in _paper_deadlines(session, catalog, paper, now)]
    return sorted(found, key=lambda e: (e.deadline.due, e.paper, e.position or 0))


def _paper_deadlines(
    session: Session, catalog: Catalog, paper: Paper, now: dt.datetime
) -> list[DeadlineEntry]:
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
    final = {s.id for s in catalog.lifecycle("consultation").states if s.final}
    entries = []
    for step in paper.consultations:
        meeting = step.date or step.planned_date
        if step.state in final or meeting is None:
            continue
        name = catalog.organization_name(step.organization_id)
        rules = catalog.deadlines.for_organization(step.organization_id)
        for deadline in step_deadlines(catalog.calendar(), rules, meeting, name):
            if deadline.kind is DeadlineKind.URGENT_INVITATION:
                continue
            if deadline.kind is DeadlineKind.SUBMISSION_CUTOFF and paper.frozen:
                continue
            invited = step.meeting_id and session.get_one(Meeting, step.meeting_id).invited_at
            if deadline.kind is DeadlineKind.INVITATION and invited:
                continue
            entries.append(
                DeadlineEntry(
                    paper=paper.number,
                    title=paper.title,
                    position=step.position,
                    organization_id=step.organization_id,
                    organization_name=name,
                    meeting=meeting,
                    deadline=deadline,
                    overdue=deadline.due <= now,
                    meeting_id=step.meeting_id,
                )
            )
    for office, deadline in co_signing_deadlines(session, catalog, paper).items():
        entries.append(
            DeadlineEntry(
                paper=paper.number,
                title=paper.title,
                position=None,
                organization_id=office,
                organization_name=catalog.organization_name(office),
                meeting=None,
                deadline=deadline,
                overdue=deadline.due <= now,
            )
        )
    return entries + reports


@pytest.fixture
def town(database: Database, clock: FixedClock, tmp_path: Path) -> WorkflowService:
    """Musterstadt with co-signing and report rules, on 20.03.2025."""
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(reminder_definitions(tmp_path), user=None)
    on_day(clock, dt.date(2025, 3, 20), dt.time(9))
    return service


def scramble(service: WorkflowService, seed: int, count: int = 24) -> None:
    """``count`` papers, then their rows set at random: paper and step states, days,
    meetings (some invited), co-signatures (requested or not) and implementation tasks."""
    rng = random.Random(seed)
    numbers = []
    for i in range(count):
        number = service.papers.create_paper(
            user="clerk",
            paper_type="vorlage",
            title=f"Vorlage {seed}-{i}",
            office="amt1",
            date=dt.date(2025, 3, 1),
            route="standard",
            participants=("amt2",) if i % 2 else (),
            planned_dates=[dt.date(2025, 3, 18), dt.date(2025, 3, 27)],
        ).number
        if i % 3:
            service.papers.submit_paper(number, user="clerk")
        numbers.append(number)
    meetings = [
        service.meetings.create_meeting(
            user="session", organization=org, start=dt.datetime(2025, 4, d, 16, tzinfo=dt.UTC)
        ).id
        for org, d in (("rat", 3), ("ausschuss", 8), ("rat", 15))
    ]
    with service.db.write() as session:
        now = dt.datetime(2025, 3, 20, 8, tzinfo=dt.UTC)
        session.get_one(Meeting, meetings[0]).invited_at = now
        for paper in session.scalars(select(Paper).where(Paper.number.in_(numbers))):
            _scramble_paper(session, rng, paper, meetings, now)


def _scramble_paper(
    session: Session, rng: random.Random, paper: Paper, meetings: Sequence[int], now: dt.datetime
) -> None:
    paper.state = rng.choice(PAPER_STATES + FINAL_PAPER_STATES)
    paper.frozen = rng.random() < 0.5
    day = dt.date(2025, 3, 1)
    for step in paper.consultations:
        step.state = rng.choice(STEP_STATES)
        step.organization_id = rng.choice(("rat", "ausschuss"))
        step.planned_date = rng.choice((None, day + dt.timedelta(days=rng.randrange(60))))
        step.date = rng.choice((None, None, day + dt.timedelta(days=rng.randrange(60))))
        step.meeting_id = rng.choice((None, *meetings))
    for sign in paper.co_signatures:
        sign.state = rng.choice(("pending", "pending", "signed", "objected"))
    if rng.random() < 0.3:  # asked (again) for amt1's co-signature as well
        session.add(CoSignature(paper_id=paper.id, office_id="amt1", state="pending"))
        append_event(
            session,
            stream=paper_stream(paper.id),
            occurred_at=now - dt.timedelta(days=rng.randrange(5)),
            actor="clerk",
            action="co_signature_requested",
            paper_id=paper.id,
            payload={"office": "amt1"},
        )
    for n in range(rng.choice((0, 0, 1, 2))):
        session.add(
            ImplementationTask(
                paper_id=paper.id,
                title=f"Aufgabe {n}",
                office_id=rng.choice(("amt1", "amt2")),
                state=rng.choice(("open", "reported", "implemented")),
                due=rng.choice((None, dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(200)))),
                interval_months=rng.choice((None, 3)),
                report_to=rng.choice((None, "rat")),
                created_at=now,
                actor="clerk",
            )
        )


FILTERS: list[dict[str, object]] = [
    {},
    {"overdue": True},
    {"limit": 5},
    {"overdue": True, "limit": 3},
    {"organization": "rat"},
    {"organization": "amt2"},
    {"organization": "amt1", "overdue": True},
    {"office": "amt2"},
    {"user": "clerk2"},
    {"user": "clerk", "office": "amt2"},
    {"user": "session"},
    {"start": dt.date(2025, 3, 20), "end": dt.date(2025, 4, 10)},
]


def _expected(everything: list[DeadlineEntry], filters: dict[str, object]) -> list[DeadlineEntry]:
    offices = {"office": {"amt2"}, "user": {"amt2"}}
    keep = set()
    if filters.get("user") == "clerk2":
        keep = offices["user"]
    elif filters.get("user") == "clerk":
        keep = {"amt1", "amt2"}
    elif filters.get("office"):
        keep = {str(filters["office"])}
    start, end = filters.get("start"), filters.get("end")
    chosen = [
        e
        for e in everything
        if (not filters.get("overdue") or e.overdue)
        and (not filters.get("organization") or e.organization_id == filters["organization"])
        and (not keep or e.organization_id in keep or _office_of(e) in keep)
        and (not isinstance(start, dt.date) or e.deadline.day >= start)
        and (not isinstance(end, dt.date) or e.deadline.day <= end)
    ]
    limit = filters.get("limit")
    return chosen[: int(limit)] if isinstance(limit, int) else chosen


def _office_of(entry: DeadlineEntry) -> str:
    return "amt1"  # every paper of the scenario is written by amt1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_list_is_the_plain_computation(
    town: WorkflowService, clock: FixedClock, seed: int
) -> None:
    scramble(town, seed)
    now = clock.now()
    everything = reference(town, now)
    assert len(everything) >= 10  # the scenario owes deadlines of every kind
    kinds = {e.deadline.kind for e in everything}
    assert {DeadlineKind.SUBMISSION_CUTOFF, DeadlineKind.INVITATION} <= kinds
    assert {DeadlineKind.CO_SIGNING, DeadlineKind.IMPLEMENTATION_REPORT} <= kinds
    assert town.deadlines.list_deadlines() == everything
    for filters in FILTERS:
        listed = town.deadlines.list_deadlines(**filters)  # type: ignore[arg-type]
        assert listed == _expected(everything, filters), filters
    for number in {e.paper for e in everything}:
        mine = [e for e in everything if e.paper == number]
        assert town.deadlines.list_deadlines(paper=number) == mine


def test_the_list_reads_a_few_queries_whatever_the_number_of_papers(
    town: WorkflowService,
) -> None:
    """The queries do not grow with the papers (no query per paper)."""

    def queries() -> int:
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        town.deadlines.list_deadlines()  # the definitions read and kept
        event.listen(town.db.engine, "before_cursor_execute", count)
        try:
            town.deadlines.list_deadlines()
        finally:
            event.remove(town.db.engine, "before_cursor_execute", count)
        return len(statements)

    scramble(town, 4, count=3)
    few = queries()
    scramble(town, 5, count=12)
    assert queries() == few


def test_only_the_papers_that_may_owe_a_deadline_are_read(town: WorkflowService) -> None:
    """A paper with no open step that has a day, no pending co-signature and no open task
    with a due day is not read, whatever its state; an adopted one is where a report rule
    could count its first report; a final one only for its open tasks."""
    scramble(town, 6, count=4)
    with town.db.write() as session:
        for step in session.scalars(select(Consultation)):
            step.state = "held"
        for sign in session.scalars(select(CoSignature)):
            sign.state = "signed"
        for task in session.scalars(select(ImplementationTask)):
            task.state = "implemented"
        papers = session.scalars(select(Paper).order_by(Paper.id)).all()
        for paper in papers:
            paper.state = "released"
        papers[0].state = "adopted"
        papers[1].consultations[0].state = "planned"
        papers[2].state = "rejected"
        body, ids = papers[0].body_id, [p.id for p in papers]
        for paper in papers[2:]:
            session.add(
                ImplementationTask(
                    paper_id=paper.id,
                    title="Bericht",
                    office_id="amt1",
                    state="open",
                    due=dt.date(2025, 6, 1),
                    created_at=paper.created_at,
                    actor="clerk",
                )
            )
    with town.db.read() as session:

        def read(adopted: bool) -> list[int]:
            found = deadline_store.owing_papers(
                session,
                body,
                final_states={"rejected", "noted", "withdrawn", "implemented"},
                open_step_states={"planned", "scheduled"},
                adopted=adopted,
            )
            return [p.id for p in found]

        assert read(adopted=False) == ids[1:]
        assert read(adopted=True) == ids
        # PostgreSQL's planner settings for the lookups are the transaction's again after
        settings = "SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin')"
        if session.get_bind().dialect.name == "postgresql":
            assert tuple(session.execute(text(settings)).one()) == ("on", "on")
