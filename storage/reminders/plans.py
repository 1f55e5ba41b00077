"""Planning: make the stored reminders of a paper or meeting match what is planned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from storage.reminders.payloads import reminder_payload, utc_iso
from storage.reminders.states import PENDING
from storage.schema import Reminder
from workflow.core.model import AuditAction, PlannedReminder, ReminderKind, ReminderState


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the planned and the stored reminders of a paper."""

    action: AuditAction
    payload: dict[str, Any]


def _fill(row: Reminder, plan: PlannedReminder, now: dt.datetime) -> None:
    row.key, row.slot, row.kind = plan.key, plan.slot, plan.kind.value
    row.due_at, row.deadline_at, row.escalate_at = plan.due_at, plan.deadline_at, plan.escalate_at
    row.recipients, row.subject, row.text = list(plan.recipients), plan.subject, plan.text
    row.consultation_id, row.updated_at = plan.consultation_id, now


def apply_plan(
    session: Session,
    *,
    body_id: str,
    paper_id: int,
    plans: Sequence[PlannedReminder],
    now: dt.datetime,
) -> list[Change]:
    """Make the paper's stored reminders match ``plans``: insert new ones, move pending ones
    whose due time changed, cancel pending ones no longer wanted. Reminders already claimed or
    sent are history and stay as they are. A new reminder whose deadline has already passed
    is not planned (an existing one is never dropped for being late)."""
    return _apply(session, Reminder.paper_id == paper_id, body_id, paper_id, plans, now)


def meeting_slots(meeting_id: int) -> tuple[str, ...]:
    """The slots a meeting's reminders can have: its Ladung and the Ladung's escalation."""
    invitation = f"{ReminderKind.INVITATION.value}:m{meeting_id}"
    return invitation, f"{ReminderKind.ESCALATION.value}:{invitation}"


def apply_meeting_plan(
    session: Session,
    *,
    body_id: str,
    meeting_id: int,
    plans: Sequence[PlannedReminder],
    now: dt.datetime,
) -> list[Change]:
    """``apply_plan`` for the reminders of a meeting (rows without a paper, in the slots of
    ``meeting_slots``); called in the meeting's transaction, under the meeting lock."""
    slots = meeting_slots(meeting_id)
    if any(plan.slot not in slots for plan in plans):
        raise ValueError(f"a reminder of meeting {meeting_id} outside its slots {slots}")
    owned = and_(Reminder.paper_id.is_(None), Reminder.slot.in_(slots))
    return _apply(session, owned, body_id, None, plans, now)


def _apply(
    session: Session,
    owned: Any,
    body_id: str,
    paper_id: int | None,
    plans: Sequence[PlannedReminder],
    now: dt.datetime,
) -> list[Change]:
    pending_query = select(Reminder).where(owned, Reminder.state == PENDING)
    if session.get_bind().dialect.name == "postgresql":
        pending_query = pending_query.with_for_update()
    pending = {r.slot: r for r in session.scalars(pending_query)}
    history = {
        r.key: r for r in session.scalars(select(Reminder).where(owned, Reminder.state != PENDING))
    }
    seen_slots = {r.slot for r in history.values()}
    changes: list[Change] = []
    wanted: set[str] = set()
    for plan in plans:
        wanted.add(plan.slot)
        current = pending.get(plan.slot)
        earlier = history.get(plan.key)
        if earlier is not None:
            if earlier.state == ReminderState.CANCELLED.value:  # e.g. a meeting moved back
                changes += _revive(earlier, current, plan, now)
                pending[plan.slot] = earlier
            continue  # otherwise this very reminder was already claimed or sent
        if current is not None:
            if current.key != plan.key:
                before = current.due_at
                _fill(current, plan, now)
                changes.append(
                    Change(
                        AuditAction.REMINDER_MOVED,
                        reminder_payload(current, moved_from=utc_iso(before)),
                    )
                )
            else:
                _fill(current, plan, now)  # same time; recipients or wording may have changed
            continue
        if plan.deadline_at <= now and plan.slot not in seen_slots:
            continue
        row = Reminder(body_id=body_id, paper_id=paper_id, state=PENDING, created_at=now)
        _fill(row, plan, now)
        session.add(row)
        session.flush()
        changes.append(Change(AuditAction.REMINDER_PLANNED, reminder_payload(row)))
    for slot, row in pending.items():
        if slot not in wanted:
            row.state, row.updated_at = ReminderState.CANCELLED.value, now
            changes.append(Change(AuditAction.REMINDER_CANCELLED, reminder_payload(row)))
    return changes


def _revive(
    earlier: Reminder, current: Reminder | None, plan: PlannedReminder, now: dt.datetime
) -> list[Change]:
    """Plan the cancelled reminder ``earlier`` again, as ``plan`` wants its key once more; the
    pending reminder ``current`` in its slot, if any, is cancelled first."""
    changes: list[Change] = []
    if current is not None:
        current.state, current.updated_at = ReminderState.CANCELLED.value, now
        changes.append(Change(AuditAction.REMINDER_CANCELLED, reminder_payload(current)))
    earlier.state = PENDING
    _fill(earlier, plan, now)
    changes.append(Change(AuditAction.REMINDER_PLANNED, reminder_payload(earlier)))
    return changes
