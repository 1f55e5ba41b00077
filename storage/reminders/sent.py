"""Marking delivered messages sent: outbox rows, their reminders and the ``reminder_sent``
events, in as few statements as the database allows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, JSON, Integer, String, any_, bindparam, case, literal, update
from sqlalchemy.orm import Session

from storage.audit import append_events
from storage.reminders.payloads import refused_json, sent_payload, utc_iso
from storage.reminders.states import id_in, in_state
from storage.schema import Outbox, Reminder
from storage.types import UTCDateTime
from workflow.core.model import AuditAction, OutboxState, RefusedRecipient, ReminderState


class Holder(NamedTuple):
    """Who holds a lease: the worker and the token of that lease."""

    worker: str
    token: str


def _outbox_sent(now: Any) -> dict[str, Any]:
    """What marking a message sent changes on its outbox row (PostgreSQL and SQLite path)."""
    return {
        "state": OutboxState.SENT.value,
        "sent_at": now,
        "claimed_until": None,
        "last_error": None,
    }


#: What a ``reminder_sent`` event needs of the reminder (besides the outbox row's attempts).
_SENT_REMINDER_COLUMNS = (
    Reminder.id,
    Reminder.paper_id,
    Reminder.key,
    Reminder.kind,
    Reminder.recipients,
    Reminder.due_at,
)


def _mark_sent_statement() -> Any:
    """PostgreSQL, built once: mark the leased outbox rows sent (only while this worker holds
    the lease, under the lease's token) and their reminders sent, in one statement; returns
    what the events need."""
    now = bindparam("now", type_=UTCDateTime())
    sent = (
        update(Outbox)
        .where(
            Outbox.id == any_(bindparam("ids", type_=ARRAY(Integer))),
            in_state(Outbox.state, OutboxState.SENDING.value),
            Outbox.claimed_by == bindparam("worker", type_=String()),
            Outbox.lease_token == bindparam("token", type_=String()),
        )
        .values(_outbox_sent(now))
        .returning(Outbox.reminder_id, Outbox.attempts)
        .cte("sent")
    )
    return (
        update(Reminder)
        .where(Reminder.id == sent.c.reminder_id)
        .values(state=ReminderState.SENT.value, sent_at=now, updated_at=now)
        .returning(*_SENT_REMINDER_COLUMNS, sent.c.attempts)
    )


_MARK_SENT = _mark_sent_statement()


def mark_sent(
    session: Session,
    held: Holder,
    now: dt.datetime,
    ids: Sequence[int],
    stream: str,
    refused: Mapping[int, Sequence[RefusedRecipient]],
) -> int:
    """Mark the delivered rows that are still ``held`` (by the worker, under the token of its
    lease) sent, with their reminders, and append their ``reminder_sent`` events to
    ``stream``; return how many were marked."""
    if not ids:
        return 0
    worker, token = held
    refused_of = _store_refused(session, held, ids, refused) if refused else {}
    rows: Sequence[Any]  # (reminder id, paper id, key, kind, recipients, due_at, attempts)
    if session.get_bind().dialect.name == "postgresql":
        rows = (
            session.connection()
            .execute(_MARK_SENT, {"ids": list(ids), "worker": worker, "token": token, "now": now})
            .all()
        )
    else:
        rows = _mark_sent_in_two_statements(session, held, now, ids)
        if not rows:
            return 0
    append_events(
        session,
        stream=stream,
        occurred_at=now,
        actor=worker,
        action=AuditAction.REMINDER_SENT.value,
        events=_sent_events(rows, refused_of),
    )
    return len(rows)


def _mark_sent_in_two_statements(
    session: Session, held: Holder, now: dt.datetime, ids: Sequence[int]
) -> list[tuple[Any, ...]]:
    """``_MARK_SENT`` for SQLite (no data-modifying CTEs): the outbox rows, then their
    reminders (no second statement when none of the rows is ``held`` any more)."""
    done = session.execute(
        update(Outbox)
        .where(
            id_in(session, Outbox.id, ids),
            in_state(Outbox.state, OutboxState.SENDING.value),
            Outbox.claimed_by == held.worker,
            Outbox.lease_token == held.token,
        )
        .values(_outbox_sent(now))
        .returning(Outbox.reminder_id, Outbox.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    if not done:
        return []
    attempts = {r.reminder_id: r.attempts for r in done}
    return [
        (*r, attempts[r.id])
        for r in session.execute(
            update(Reminder)
            .where(id_in(session, Reminder.id, list(attempts)))
            .values(state=ReminderState.SENT.value, sent_at=now, updated_at=now)
            .returning(*_SENT_REMINDER_COLUMNS)
            .execution_options(synchronize_session=False)
        )
    ]


def _sent_events(
    rows: Sequence[Any], refused_of: Mapping[int, Sequence[RefusedRecipient]]
) -> list[tuple[int | None, str]]:
    """(paper id, payload) of each marked row's ``reminder_sent`` event, by reminder id."""
    return [
        (
            paper_id,
            sent_payload(
                reminder_id,
                key,
                kind,
                utc_iso(due_at),
                recipients,
                attempts_made,
                refused_of.get(reminder_id, ()),
            ),
        )
        for reminder_id, paper_id, key, kind, recipients, due_at, attempts_made in sorted(rows)
    ]


def _store_refused(
    session: Session,
    held: Holder,
    ids: Sequence[int],
    refused: Mapping[int, Sequence[RefusedRecipient]],
) -> dict[int, Sequence[RefusedRecipient]]:
    """Store the refused recipients on those of the delivered rows that are still ``held``,
    in one statement (before they are marked sent); return them by reminder id.
    Only a batch with refusals runs it: ``_MARK_SENT`` stays as it is for the others."""
    delivered = set(ids)
    values = {
        outbox_id: literal(refused_json(recipients), JSON())
        for outbox_id, recipients in refused.items()
        if recipients and outbox_id in delivered
    }
    if not values:
        return {}
    rows = session.execute(
        update(Outbox)
        .where(
            id_in(session, Outbox.id, list(values)),
            in_state(Outbox.state, OutboxState.SENDING.value),
            Outbox.claimed_by == held.worker,
            Outbox.lease_token == held.token,
        )
        .values(refused=case(values, value=Outbox.id))
        .returning(Outbox.id, Outbox.reminder_id)
        .execution_options(synchronize_session=False)
    )
    return {r.reminder_id: refused[r.id] for r in rows}
