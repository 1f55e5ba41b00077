"""Reading reminders: lists of a body's reminders with their outbox rows, one by id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.schema import Outbox, Paper, Reminder, storable_id


def list_reminders(
    session: Session,
    *,
    body_id: str,
    states: Sequence[str],
    limit: int | None = None,
    newest_first: bool = False,
) -> list[tuple[Reminder, Outbox | None, str | None]]:
    """Reminders of a body in the given states with their outbox row and paper number,
    earliest due first, or most recently changed first (``newest_first``: the last sent or
    parked ones first); at most ``limit`` rows, all without one."""
    order = (
        (Reminder.updated_at.desc(), Reminder.id.desc())
        if newest_first
        else (Reminder.due_at, Reminder.id)
    )
    query = (
        select(Reminder, Outbox, Paper.number)
        .outerjoin(Outbox, Outbox.reminder_id == Reminder.id)
        .outerjoin(Paper, Paper.id == Reminder.paper_id)
        .where(Reminder.body_id == body_id, Reminder.state.in_(states))
        .order_by(*order)
    )
    if limit is not None:
        query = query.limit(limit)
    return [(r, o, n) for r, o, n in session.execute(query)]


def get_reminder(session: Session, reminder_id: int) -> Reminder | None:
    return session.get(Reminder, reminder_id) if storable_id(reminder_id) else None


def paper_number(session: Session, paper_id: int | None) -> str | None:
    """The number of the paper a reminder is about (None for a meeting's own reminder)."""
    return session.get_one(Paper, paper_id).number if paper_id else None
