"""The reads of ``decisions list`` and ``audit report``: decided steps by meeting day, and what
the deadline checks need of many papers at once (their events, meetings and Einsprüche)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from storage.audit import paper_stream
from storage.schema import AuditEvent, Consultation, DecisionProcedure, Meeting, Paper
from workflow.core.model import ObjectionKind

#: papers whose events are read with one statement
CHUNK = 500


def decided_steps(
    session: Session,
    body_id: str,
    *,
    deciding: Sequence[str],
    rejecting: Sequence[str],
    concluding_roles: Sequence[str],
    organization: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    paper_type: str | None = None,
    outcome: str | None = None,
) -> Sequence[Consultation]:
    """Dated steps whose outcome is one of ``deciding``, or one of ``rejecting`` in a step of
    a concluding role; with votes, paper, path and co-signatures loaded; by day, paper, step."""
    step = Consultation
    statement = (
        select(step)
        .join(Paper, Paper.id == step.paper_id)
        .where(Paper.body_id == body_id, step.date.is_not(None))
        .where(
            or_(
                step.outcome.in_(deciding),
                step.outcome.in_(rejecting) & step.role.in_(concluding_roles),
            )
        )
        .options(
            selectinload(step.votes),
            selectinload(step.paper).selectinload(Paper.consultations),
            selectinload(step.paper).selectinload(Paper.co_signatures),
        )
        .order_by(step.date, Paper.id, step.position)
    )
    if organization:
        statement = statement.where(step.organization_id == organization)
    if since:
        statement = statement.where(step.date >= since)
    if until:
        statement = statement.where(step.date <= until)
    if paper_type:
        statement = statement.where(Paper.paper_type == paper_type)
    if outcome:
        statement = statement.where(step.outcome == outcome)
    return session.scalars(statement).all()


def events_of_papers(session: Session, paper_ids: Sequence[int]) -> dict[int, list[AuditEvent]]:
    """Each paper's own audit events in chain order (by paper id; 0 for none)."""
    events: dict[int, list[AuditEvent]] = {i: [] for i in paper_ids}
    for start in range(0, len(paper_ids), CHUNK):
        part = [paper_stream(i) for i in paper_ids[start : start + CHUNK]]
        query = (
            select(AuditEvent)
            .where(AuditEvent.stream.in_(part))
            .order_by(AuditEvent.paper_id, AuditEvent.seq)
        )
        for event in session.scalars(query):
            events.setdefault(event.paper_id or 0, []).append(event)
    return events


def meetings_by_id(session: Session, meeting_ids: Iterable[int]) -> Sequence[Meeting]:
    return session.scalars(select(Meeting).where(Meeting.id.in_(set(meeting_ids)))).all()


def einspruch_dates(session: Session, paper_ids: Sequence[int]) -> dict[int, dt.date]:
    """The day of each paper's first Einspruch."""
    found: dict[int, dt.date] = {}
    query = select(DecisionProcedure).where(
        DecisionProcedure.paper_id.in_(paper_ids),
        DecisionProcedure.kind == ObjectionKind.EINSPRUCH.value,
    )
    for row in session.scalars(query.order_by(DecisionProcedure.id)):
        found.setdefault(row.paper_id, row.date)
    return found


def stream_rows(session: Session, statement: Any, chunk: int = 2000) -> Any:
    """The rows of ``statement``, fetched ``chunk`` at a time (constant memory)."""
    return session.execute(statement.execution_options(yield_per=chunk))
