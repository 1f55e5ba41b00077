"""The queries of the decisions after the vote: the procedures recorded against a paper's
decision (Dringlichkeitsentscheidungen and objections), the Gremium's next meetings a
follow-up step is planned for, and the implementation tasks of the Beschlusskontrolle."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import ScalarResult, select
from sqlalchemy.orm import Session

from storage.schema import (
    AuditEvent,
    DecisionProcedure,
    ImplementationTask,
    Meeting,
    Paper,
    storable_id,
)
from workflow.core.model import AuditAction, TaskState

#: The meeting states a follow-up step can still be planned into.
_OPEN_MEETING_STATES = ("planned", "invited")


def upcoming_meetings(session: Session, body_id: str, organization: str) -> ScalarResult[Meeting]:
    """The Gremium's planned or invited meetings, earliest first (read as they are needed)."""
    query = (
        select(Meeting)
        .where(Meeting.body_id == body_id, Meeting.organization_id == organization)
        .where(Meeting.state.in_(_OPEN_MEETING_STATES))
        .order_by(Meeting.start)
    )
    return session.scalars(query)


def first_procedure(session: Session, paper_id: int, kind: str) -> DecisionProcedure | None:
    """A procedure of ``kind`` recorded against the paper, if there is one."""
    return session.scalars(
        select(DecisionProcedure).where(
            DecisionProcedure.paper_id == paper_id, DecisionProcedure.kind == kind
        )
    ).first()


def procedures(session: Session, paper_id: int) -> Sequence[DecisionProcedure]:
    """The procedures recorded against the paper, oldest first."""
    return session.scalars(
        select(DecisionProcedure)
        .where(DecisionProcedure.paper_id == paper_id)
        .order_by(DecisionProcedure.id)
    ).all()


def get_task(session: Session, task_id: int) -> ImplementationTask | None:
    """The implementation task ``task_id`` of any municipality."""
    return session.get(ImplementationTask, task_id) if storable_id(task_id) else None


def task_first_due(session: Session, task: ImplementationTask) -> dt.date | None:
    """The first due date the task was given when it was added (its audit event): the day
    its report cycle counts from. None when the event does not name it."""
    payloads = session.scalars(
        select(AuditEvent.payload).where(
            AuditEvent.paper_id == task.paper_id,
            AuditEvent.action == AuditAction.IMPLEMENTATION_TASK_ADDED.value,
        )
    )
    for payload in payloads:
        data = json.loads(payload)
        if data.get("task") == task.id and isinstance(data.get("due"), str):
            return dt.date.fromisoformat(data["due"])
    return None


def task_states(session: Session, paper_id: int) -> Sequence[str]:
    """The states of the paper's implementation tasks."""
    return session.scalars(
        select(ImplementationTask.state).where(ImplementationTask.paper_id == paper_id)
    ).all()


def unfinished_tasks(
    session: Session,
    body_id: str,
    *,
    office_id: str | None = None,
    paper_id: int | None = None,
) -> Sequence[ImplementationTask]:
    """The municipality's tasks not yet implemented, of one office or one paper if given."""
    query = (
        select(ImplementationTask)
        .join(Paper, ImplementationTask.paper_id == Paper.id)
        .where(Paper.body_id == body_id)
        .where(ImplementationTask.state != TaskState.IMPLEMENTED.value)
    )
    if office_id is not None:
        query = query.where(ImplementationTask.office_id == office_id)
    if paper_id is not None:
        query = query.where(ImplementationTask.paper_id == paper_id)
    return session.scalars(query).all()
