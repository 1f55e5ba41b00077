"""Reads for the list of open deadlines (``deadlines list``, the ``/fristen`` page, the
calendar feeds): the papers that may still owe a deadline, found through indexed queries on
their open steps, pending co-signatures and open implementation tasks (most of a city's
papers were decided long ago and owe nothing), and what computing their deadlines needs,
loaded for all of them in a few queries as plain rows (no ORM objects)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Boolean, ColumnElement, or_, select, text, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from storage.audit import paper_stream
from storage.schema import AuditEvent, Consultation, CoSignature, ImplementationTask, Meeting, Paper
from workflow.core.model import AuditAction, CoSignatureState, TaskState

PENDING = CoSignatureState.PENDING.value
OPEN_TASK_STATES = tuple(sorted(s.value for s in TaskState if s is not TaskState.IMPLEMENTED))


class _Rare(FunctionElement[bool]):
    """A condition few rows meet (a step in an open state, a pending co-signature). SQLite's
    statistics (``ANALYZE``) keep only the average rows per value of a column, so its planner
    would scan the table for ``state IN (…)``; ``unlikely()`` tells it to use the index.
    PostgreSQL knows the skew from its statistics: the condition as it is."""

    name = "unlikely"
    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is, not ``unlikely(…) = 1``


@compiles(_Rare)
def _rare_default(element: _Rare, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_Rare, "sqlite")
def _rare_sqlite(element: _Rare, compiler: SQLCompiler, **kw: Any) -> str:
    return f"unlikely({compiler.process(element.clauses, **kw)})"


def rare(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return _Rare(condition)


@dataclass(frozen=True, slots=True)
class StepRow:
    """The columns of a step (``consultation``) a deadline is computed from."""

    id: int
    position: int
    organization_id: str
    role: str
    state: str
    date: dt.date | None
    planned_date: dt.date | None
    meeting_id: int | None
    invited: bool  # the invitation of its meeting went out


@dataclass(frozen=True, slots=True)
class CoSignatureRow:
    office_id: str
    state: str


@dataclass(frozen=True, slots=True)
class TaskRow:
    """An implementation task (Beschlusskontrolle) as the report deadlines need it."""

    id: int
    title: str
    office_id: str
    state: str
    due: dt.date | None
    interval_months: int | None
    report_to: str | None


@dataclass(slots=True)
class OwedPaper:
    """A paper that may owe a deadline, with its steps (by position), co-signatures (in
    creation order), implementation tasks (oldest first) and when each office's co-signature
    was last requested."""

    id: int
    number: str
    title: str
    office_id: str
    state: str
    frozen: bool
    definitions_version: str
    consultations: list[StepRow] = field(default_factory=list)
    co_signatures: list[CoSignatureRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    requested: dict[str, dt.datetime] = field(default_factory=dict)


def definitions_versions(session: Session, body_id: str) -> list[str]:
    """The definitions versions the body's papers were created under: one index probe per
    version (a loose index scan over ``ix_paper_body_id_definitions_version``), not a pass
    over every paper."""
    query = text(
        "WITH RECURSIVE v(version) AS ("
        " SELECT (SELECT min(definitions_version) FROM paper WHERE body_id = :body)"
        " UNION ALL"
        " SELECT (SELECT min(definitions_version) FROM paper"
        "  WHERE body_id = :body AND definitions_version > v.version)"
        " FROM v WHERE v.version IS NOT NULL"
        ") SELECT version FROM v WHERE version IS NOT NULL"
    )
    return [str(v) for v in session.scalars(query, {"body": body_id})]


def owing_papers(
    session: Session,
    body_id: str,
    *,
    final_states: Collection[str],
    open_step_states: Collection[str],
    adopted: bool,
    organization: str | None = None,
) -> list[OwedPaper]:
    """The body's papers that may owe a deadline, in creation order: those not in one of
    ``final_states`` with a step in one of ``open_step_states`` that has a date, or with a
    pending co-signature (or, ``adopted``, in state ``adopted``: a first report may be owed),
    and those with an open implementation task that has a due date. ``organization`` keeps
    the papers where that Gremium or office owes one of them. Each with what its deadlines
    are computed from (``load_facts``); the database narrows them down and joins their rows,
    no list of ids goes back and forth."""
    by_org = organization is not None
    tasks = select(ImplementationTask.paper_id).where(
        rare(ImplementationTask.state.in_(OPEN_TASK_STATES)),
        ImplementationTask.due.is_not(None),
        *([ImplementationTask.office_id == organization] if by_org else []),
    )
    owing = [
        select(Consultation.paper_id).where(
            rare(Consultation.state.in_(sorted(open_step_states))),
            or_(Consultation.date.is_not(None), Consultation.planned_date.is_not(None)),
            *([Consultation.organization_id == organization] if by_org else []),
        ),
        select(CoSignature.paper_id).where(
            rare(CoSignature.state == PENDING),
            *([CoSignature.office_id == organization] if by_org else []),
        ),
    ]
    if adopted:
        owing.append(
            select(Paper.id).where(
                Paper.body_id == body_id,
                Paper.state == "adopted",
                *([Paper.office_id == organization] if by_org else []),
            )
        )
    # the body and the final states are checked on the papers found, never on all of them:
    # a condition on every paper would have the database read them all (PostgreSQL)
    scope = union(tasks, *owing)
    columns = (Paper.id, Paper.number, Paper.title, Paper.office_id, Paper.state, Paper.frozen)
    query = select(*columns, Paper.definitions_version)
    query = query.where(Paper.id.in_(scope), Paper.body_id == body_id)
    with _looked_up_by_index(session):
        papers = [OwedPaper(*row) for row in session.execute(query.order_by(Paper.id))]
        load_facts(session, papers, scope)
    finals = set(final_states)
    return [p for p in papers if p.state not in finals or any(map(_owes_report, p.tasks))]


@contextmanager
def _looked_up_by_index(session: Session) -> Iterator[None]:
    """Have PostgreSQL look up the few papers found, and their rows, by index (nested loops)
    in the queries inside: its cost model (a disk seek per lookup) would rather hash all
    100,000 papers and 200,000 steps, though they are in memory and an index leads to each
    row these queries want. The settings are the transaction's before and after."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    keep = "SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin')"
    hashjoin, mergejoin = session.execute(text(keep)).one()
    change = (
        "SELECT set_config('enable_hashjoin', :hash, true),"
        " set_config('enable_mergejoin', :merge, true)"
    )
    session.execute(text(change), {"hash": "off", "merge": "off"})
    try:
        yield
    finally:
        session.execute(text(change), {"hash": hashjoin, "merge": mergejoin})


def _owes_report(task: TaskRow) -> bool:
    return task.state in OPEN_TASK_STATES and task.due is not None


def owed_paper(session: Session, paper: Paper) -> OwedPaper:
    """One paper as ``owing_papers`` returns it (its tasks and requests not yet loaded)."""
    invited = invited_meetings(session, [paper.id])
    return OwedPaper(
        id=paper.id,
        number=paper.number,
        title=paper.title,
        office_id=paper.office_id,
        state=paper.state,
        frozen=paper.frozen,
        definitions_version=paper.definitions_version,
        consultations=[_step_of(c, c.meeting_id in invited) for c in paper.consultations],
        co_signatures=[CoSignatureRow(c.office_id, c.state) for c in paper.co_signatures],
    )


def _step_of(c: Consultation, invited: bool) -> StepRow:
    return StepRow(
        c.id,
        c.position,
        c.organization_id,
        c.role,
        c.state,
        c.date,
        c.planned_date,
        c.meeting_id,
        invited,
    )


def load_facts(
    session: Session, papers: Sequence[OwedPaper], scope: Any, *, steps: bool = True
) -> None:
    """Fill in the papers' steps and co-signatures (``steps``), their implementation tasks
    and when each pending co-signature was last requested (from the audit trail): a query
    each for all of them. ``scope``: the papers' ids, a list or a subquery (rows of other
    papers than ``papers`` are passed over)."""
    by_id = {p.id: p for p in papers}
    if steps:
        step_columns = (
            Consultation.id,
            Consultation.position,
            Consultation.organization_id,
            Consultation.role,
            Consultation.state,
            Consultation.date,
            Consultation.planned_date,
            Consultation.meeting_id,
        )
        invited = Meeting.invited_at.is_not(None)
        query = (
            select(Consultation.paper_id, *step_columns, invited)
            .outerjoin(Meeting, Meeting.id == Consultation.meeting_id)
            .where(Consultation.paper_id.in_(scope))
        )
        for row in session.execute(query.order_by(Consultation.paper_id, Consultation.position)):
            pid, sid, position, org, role, state, day, planned, meeting, out = row
            step = StepRow(sid, position, org, role, state, day, planned, meeting, bool(out))
            if pid in by_id:
                by_id[pid].consultations.append(step)
        signs = select(CoSignature.paper_id, CoSignature.office_id, CoSignature.state)
        signs = signs.where(CoSignature.paper_id.in_(scope)).order_by(CoSignature.id)
        for pid, office, state in session.execute(signs):
            if pid in by_id:
                by_id[pid].co_signatures.append(CoSignatureRow(office, state))
    task_columns = (
        ImplementationTask.id,
        ImplementationTask.title,
        ImplementationTask.office_id,
        ImplementationTask.state,
        ImplementationTask.due,
        ImplementationTask.interval_months,
        ImplementationTask.report_to,
    )
    tasks = select(ImplementationTask.paper_id, *task_columns)
    tasks = tasks.where(ImplementationTask.paper_id.in_(scope)).order_by(ImplementationTask.id)
    for task in session.execute(tasks):
        if task[0] in by_id:
            by_id[task[0]].tasks.append(TaskRow(*task[1:]))
    pending = select(CoSignature.paper_id).where(
        CoSignature.state == PENDING, CoSignature.paper_id.in_(scope)
    )
    for pid, office, when in co_signature_requests(session, pending):
        if pid in by_id:
            by_id[pid].requested[office] = when


def co_signature_requests(
    session: Session, paper_ids: Any
) -> Iterator[tuple[int, str, dt.datetime]]:
    """(paper, office, when) of each ``co_signature_requested`` event in the chains of the
    papers (their ids: a list or a subquery), in chain order (a later request of an office
    replaces an earlier one)."""
    action = AuditAction.CO_SIGNATURE_REQUESTED.value
    query = (
        select(AuditEvent.paper_id, AuditEvent.stream, AuditEvent.payload, AuditEvent.occurred_at)
        .where(AuditEvent.paper_id.in_(paper_ids), AuditEvent.action == action)
        .order_by(AuditEvent.paper_id, AuditEvent.seq)
    )
    for pid, stream, payload, when in session.execute(query):
        if pid is not None and stream == paper_stream(pid):
            office = json.loads(payload).get("office")
            if isinstance(office, str):
                yield pid, office, when


def invited_meetings(session: Session, paper_ids: Any) -> set[int]:
    """The meetings of the papers' steps (their ids: a list or a subquery) whose invitation
    went out."""
    steps = select(Consultation.meeting_id).where(Consultation.paper_id.in_(paper_ids))
    query = select(Meeting.id).where(Meeting.id.in_(steps), Meeting.invited_at.is_not(None))
    return set(session.scalars(query))
