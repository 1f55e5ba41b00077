"""Keeping a paper's reminders in step with the paper, in the transaction that changed it.

Every change to a paper ends with ``paper_changed``: the modification time and the reminder
plan (``planning.plan_reminders`` over the paper's facts) applied to the stored reminders,
each change audited in the paper's chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from storage import facts as fact_store
from storage import reminders as reminder_store
from storage.audit import append_event, paper_stream
from storage.deadlines import OwedPaper, StepRow, TaskRow
from storage.schema import Consultation, ImplementationTask, Paper
from workflow.core.catalog import Catalog
from workflow.core.model import OPEN_STEP_STATES, CoSignatureState, TaskState
from workflow.reminders.planning import PaperFacts, StepFacts, TaskFacts, plan_reminders
from workflow.uow import SYSTEM_ACTOR, UnitOfWork


def paper_changed(uow: UnitOfWork, catalog: Catalog, paper: Paper) -> None:
    """What every change to a paper ends with, in its transaction: the modification time
    and the reminders kept in step with the paper's new state."""
    paper.modified_at = uow.now()
    sync_paper_reminders(uow, catalog, paper)


def sync_paper_reminders(
    uow: UnitOfWork, catalog: Catalog, paper: Paper, actor: str | None = None
) -> None:
    """Keep the paper's reminders in step with it, in the unit of work's transaction.

    Called through ``paper_changed`` by every paper-changing action, including meeting
    changes that schedule or unschedule a step, by creating a paper, and by the meeting's
    invitation for the papers on its agenda. The changes are audited as ``actor``'s, by
    default as the user whose change was recorded last in this unit of work.
    """
    if catalog.deadlines.reminders is None:
        return
    session = uow.session
    if any(c.id is None for c in paper.consultations):
        session.flush()
    now = uow.now()
    plans = plan_reminders(catalog, paper_facts(session, catalog, paper))
    changes = reminder_store.apply_plan(
        session, body_id=paper.body_id, paper_id=paper.id, plans=plans, now=now
    )
    for change in changes:
        append_event(
            session,
            stream=paper_stream(paper.id),
            occurred_at=now,
            actor=actor or uow.last_actor or SYSTEM_ACTOR,
            action=change.action.value,
            paper_id=paper.id,
            payload=change.payload,
        )


def paper_facts(session: Session, catalog: Catalog, paper: Paper) -> PaperFacts:
    """What the reminder planner knows of a paper: its steps, pending co-signatures (with
    when they were requested) and open implementation tasks."""
    pending = any(c.state == CoSignatureState.PENDING.value for c in paper.co_signatures)
    requested = fact_store.co_signature_requests(session, paper.id) if pending else {}
    return facts_of(catalog, paper, requested, fact_store.implementation_tasks(session, paper.id))


def facts_of(
    catalog: Catalog,
    paper: Paper | OwedPaper,
    requested: Mapping[str, dt.datetime],
    tasks: Sequence[ImplementationTask | TaskRow],
) -> PaperFacts:
    """``paper_facts`` of a paper whose co-signature requests (by office) and implementation
    tasks (oldest first) were read already."""
    pending = [c for c in paper.co_signatures if c.state == CoSignatureState.PENDING.value]
    steps: Sequence[Consultation | StepRow] = paper.consultations
    return PaperFacts(
        id=paper.id,
        number=paper.number,
        title=paper.title,
        office_id=paper.office_id,
        state=paper.state,
        final=catalog.lifecycle("paper").state(paper.state).final,
        released=paper.frozen,
        steps=tuple(
            StepFacts(
                consultation_id=c.id,
                position=c.position,
                organization_id=c.organization_id,
                role=c.role,
                open=c.state in OPEN_STEP_STATES,
                date=c.date or c.planned_date,
                meeting_id=c.meeting_id,
            )
            for c in sorted(steps, key=lambda c: c.position)
        ),
        pending_co_signatures=tuple(
            (c.office_id, requested[c.office_id]) for c in pending if c.office_id in requested
        ),
        open_tasks=tuple(
            TaskFacts(
                id=t.id,
                title=t.title,
                office_id=t.office_id,
                due=t.due,
                interval_months=t.interval_months,
                report_to=t.report_to,
            )
            for t in tasks
            if t.state != TaskState.IMPLEMENTED.value
        ),
        has_tasks=bool(tasks),
    )
