"""Queries that several capabilities read facts from: when co-signatures were requested, a
paper's implementation tasks, and the chain of Ergänzungsvorlagen a paper belongs to."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import repository
from storage.audit import paper_stream
from storage.papers import in_chain
from storage.schema import ImplementationTask, Paper
from workflow.core.model import AuditAction


def co_signature_requests(session: Session, paper_id: int) -> dict[str, dt.datetime]:
    """When each office's co-signature was last requested (from the audit trail)."""
    requested: dict[str, dt.datetime] = {}
    for event in repository.paper_events(session, paper_stream(paper_id)):
        if event.action == AuditAction.CO_SIGNATURE_REQUESTED.value:
            office = json.loads(event.payload).get("office")
            if isinstance(office, str):
                requested[office] = event.occurred_at
    return requested


def implementation_tasks(session: Session, paper_id: int) -> Sequence[ImplementationTask]:
    """The paper's implementation tasks (Beschlusskontrolle), oldest first."""
    return session.scalars(
        select(ImplementationTask)
        .where(ImplementationTask.paper_id == paper_id)
        .order_by(ImplementationTask.id)
    ).all()


def chain_numbers(session: Session, paper: Paper) -> tuple[str | None, tuple[str, ...]]:
    """The original's number (None for an original) and the chain's numbers in order."""
    rows = session.execute(in_chain(select(Paper.id, Paper.number), paper)).all()
    root_id = paper.origin_id or paper.id
    origin = next(n for i, n in rows if i == root_id) if paper.origin_id else None
    return origin, tuple(n for _, n in rows)
