"""Claiming due reminders into the outbox, leasing outbox rows to a delivering worker under a
token new for each lease, and the fence that proves a lease still holds before sending."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from storage.reminders.states import CHANNEL, PENDING, id_in, in_state
from storage.schema import Outbox, Reminder
from storage.types import UTCDateTime
from workflow.core.model import OutboxMessage, OutboxState, ReminderState

#: What a worker needs of an outbox row it leased (``_message`` reads these).
_MESSAGE_COLUMNS = (
    Outbox.id,
    Outbox.key,
    Outbox.channel,
    Outbox.recipients,
    Outbox.subject,
    Outbox.body,
    Outbox.attempts,
)


# -- claim: due reminders -> outbox --------------------------------------------------------------


def claim_due(session: Session, *, now: dt.datetime, limit: int, worker: str) -> int:
    """Claim up to ``limit`` due reminders and write one outbox row each; return how many."""
    due = (
        select(Reminder.id)
        .where(in_state(Reminder.state, PENDING), Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(Reminder)
        .where(Reminder.id.in_(due.scalar_subquery()))
        .values(
            state=ReminderState.CLAIMED.value, claimed_by=worker, claimed_at=now, updated_at=now
        )
        .returning(Reminder.id, Reminder.key, Reminder.recipients, Reminder.subject, Reminder.text)
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(claim).all()
    if rows:
        session.execute(
            insert(Outbox),
            [
                {
                    "reminder_id": r.id,
                    "key": r.key,
                    "channel": CHANNEL,
                    "recipients": r.recipients,
                    "subject": r.subject,
                    "body": r.text,
                    "state": OutboxState.QUEUED.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for r in rows
            ],
        )
    return len(rows)


def _claim_into_leases() -> Any:
    """PostgreSQL, built once: claim due reminders and write their outbox rows, already leased
    to the claiming worker, in one statement; returns what delivery needs. Nothing of a
    reminder passes through Python on the way into the outbox."""
    now = bindparam("now", type_=UTCDateTime())
    worker = bindparam("worker", type_=String())
    token = bindparam("token", type_=String())
    due = (
        select(Reminder.id)
        .where(in_state(Reminder.state, PENDING), Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(bindparam("limit", type_=Integer()))
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    claimed = (
        update(Reminder)
        .where(Reminder.id == due.c.id)
        .values(
            state=ReminderState.CLAIMED.value, claimed_by=worker, claimed_at=now, updated_at=now
        )
        .returning(Reminder.id, Reminder.key, Reminder.recipients, Reminder.subject, Reminder.text)
        .cte("claimed")
    )
    leased = select(
        claimed.c.id,
        claimed.c.key,
        literal(CHANNEL, String()),
        claimed.c.recipients,
        claimed.c.subject,
        claimed.c.text,
        literal(OutboxState.SENDING.value, String()),
        literal(1, Integer()),
        now,
        worker,
        bindparam("until", type_=UTCDateTime()),
        token,
        now,
    )
    columns = ["reminder_id", "key", "channel", "recipients", "subject", "body", "state"]
    columns += ["attempts", "next_attempt_at", "claimed_by", "claimed_until", "lease_token"]
    columns += ["created_at"]
    return insert(Outbox).from_select(columns, leased).returning(*_MESSAGE_COLUMNS)


_CLAIM_INTO_LEASES = _claim_into_leases()


def claim_and_lease(
    session: Session,
    *,
    now: dt.datetime,
    limit: int,
    worker: str,
    lease: dt.timedelta,
    token: str,
) -> tuple[int, list[OutboxMessage]]:
    """One batch for ``worker``: lease what is deliverable (retries that are due, lapsed
    leases) first, as the id order did before, then claim due reminders for the rest of the
    batch, their outbox rows written already leased to ``worker`` under ``token`` (the state
    the lease would give them in this transaction). Returns (claimed, leased messages in id
    order)."""
    messages = lease_outbox(session, now=now, limit=limit, worker=worker, lease=lease, token=token)
    room = limit - len(messages)
    if room <= 0:
        return 0, messages
    if session.get_bind().dialect.name != "postgresql":  # no data-modifying CTEs in SQLite
        claimed = claim_due(session, now=now, limit=room, worker=worker)
        if not claimed:
            return 0, messages
        return claimed, messages + lease_outbox(
            session, now=now, limit=room, worker=worker, lease=lease, token=token
        )
    rows = session.connection().execute(
        _CLAIM_INTO_LEASES,
        {"now": now, "worker": worker, "limit": room, "until": now + lease, "token": token},
    )
    new = sorted((_message(r) for r in rows), key=_by_id)
    return len(new), messages + new


def _message(r: Any) -> OutboxMessage:
    return OutboxMessage(
        id=r.id,
        key=r.key,
        channel=r.channel,
        recipients=tuple(r.recipients),
        subject=r.subject,
        body=r.body,
        attempts=r.attempts,
    )


def _by_id(message: OutboxMessage) -> int:
    return message.id


# -- lease: deliverable outbox rows -> one worker ----------------------------------------------


def lease_outbox(
    session: Session,
    *,
    now: dt.datetime,
    limit: int,
    worker: str,
    lease: dt.timedelta,
    token: str,
) -> list[OutboxMessage]:
    """Lease up to ``limit`` deliverable rows to ``worker`` under ``token``: queued and due,
    or sending with a lapsed lease (whose former holder's fences fail from now on)."""
    ready = or_(
        and_(in_state(Outbox.state, OutboxState.QUEUED.value), Outbox.next_attempt_at <= now),
        and_(in_state(Outbox.state, OutboxState.SENDING.value), Outbox.claimed_until < now),
    )
    ids = (
        select(Outbox.id)
        .where(ready)
        .order_by(Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    take = (
        update(Outbox)
        .where(Outbox.id.in_(ids.scalar_subquery()))
        .values(
            state=OutboxState.SENDING.value,
            claimed_by=worker,
            claimed_until=now + lease,
            lease_token=token,
            attempts=Outbox.attempts + 1,
        )
        .returning(*_MESSAGE_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return sorted((_message(r) for r in session.execute(take)), key=_by_id)


# -- fence: prove the lease before sending -----------------------------------------------------


def fence(
    session: Session, *, now: dt.datetime, ids: Sequence[int], token: str, until: dt.datetime
) -> list[int]:
    """Of the rows ``ids``, those still leased under ``token`` with the lease running past
    ``until``, in one ``UPDATE … RETURNING`` that stamps them ``fenced_at = now``; id order.

    A write, not a read: on PostgreSQL it waits for another worker's lease of the row in
    progress and then sees the new token, and while it holds the row no lease takes it (the
    lease skips locked rows); SQLite runs one writer at a time. So once another worker's lease
    of a row has committed, no fence of the former holder returns it."""
    if not ids:
        return []
    fenced = (
        update(Outbox)
        .where(
            id_in(session, Outbox.id, ids),
            in_state(Outbox.state, OutboxState.SENDING.value),
            Outbox.lease_token == token,
            Outbox.claimed_until > until,
        )
        .values(fenced_at=now)
        .returning(Outbox.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(session.scalars(fenced))
