"""The outcome of a delivery: sent, released, retried or parked as failed; and a parked
reminder queued again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.audit import append_event, body_stream, delivery_stream, lock_stream, paper_stream
from storage.reminders.payloads import reminder_payload
from storage.reminders.sent import Holder, mark_sent
from storage.schema import Outbox, Reminder, storable_id
from workflow.core.model import (
    AuditAction,
    DeliveryFailure,
    OutboxState,
    RefusedRecipient,
    ReminderState,
)


def finish_delivery(
    session: Session,
    *,
    worker: str,
    token: str,
    now: dt.datetime,
    delivered: Sequence[int],
    failures: Sequence[DeliveryFailure],
    max_attempts: int,
    backoff: dt.timedelta,
    refused: Mapping[int, Sequence[RefusedRecipient]] | None = None,
    released: Sequence[int] = (),
) -> tuple[int, int, int]:
    """Record the outcome of the batch ``worker`` leased under ``token``; return (sent,
    retried, failed). Rows whose lease it lost in the meantime (they carry another token now)
    are left to the worker that holds them now. ``refused`` maps
    delivered outbox ids to the recipients the server refused while it accepted the others.
    ``released`` are leased rows the worker did not try to send (its lease was running out):
    they are deliverable again at once, their attempt not counted.

    A failure of the mail setup (``setup``) queues the message again after ``backoff``
    without counting the attempt: a mail server that is down for hours must not park every
    reminder that fell due meanwhile. Other failures are retried with exponential backoff
    until ``max_attempts``, then parked as failed with a ``reminder_failed`` event.

    The ``reminder_sent`` and ``reminder_failed`` events go to the worker's own chain
    (``delivery_stream``), locked for this transaction: no paper lock is taken, so workers
    finishing batches of the same papers do not wait for each other."""
    stream = delivery_stream(worker)
    lock_stream(session, stream)
    held = Holder(worker, token)
    sent = mark_sent(session, held, now, delivered, stream, refused or {})
    _release(session, held, now, released)
    retried, failed = _record_failures(
        session,
        held=held,
        now=now,
        stream=stream,
        failures=failures,
        max_attempts=max_attempts,
        backoff=backoff,
    )
    return sent, retried, failed


def _release(session: Session, held: Holder, now: dt.datetime, released: Sequence[int]) -> None:
    """Make the released rows that are still ``held`` deliverable at once, their attempt not
    counted."""
    for outbox_id in released:
        row = _held(session, outbox_id, held)
        if row is not None:
            row.state, row.next_attempt_at = OutboxState.QUEUED.value, now
            row.attempts, row.claimed_by, row.claimed_until = row.attempts - 1, None, None


def _record_failures(
    session: Session,
    *,
    held: Holder,
    now: dt.datetime,
    stream: str,
    failures: Sequence[DeliveryFailure],
    max_attempts: int,
    backoff: dt.timedelta,
) -> tuple[int, int]:
    """Queue again or park the failed rows that are still ``held`` (``finish_delivery``);
    return (retried, failed)."""
    retried = failed = 0
    for failure in failures:
        row = _held(session, failure.outbox_id, held)
        if row is None:
            continue
        row.last_error, row.claimed_by, row.claimed_until = failure.error[:2000], None, None
        if failure.setup and not failure.permanent:
            row.state, row.next_attempt_at = OutboxState.QUEUED.value, now + backoff
            row.attempts -= 1
            retried += 1
        elif failure.permanent or row.attempts >= max_attempts:
            _park(session, row, worker=held.worker, now=now, stream=stream)
            failed += 1
        else:
            row.state = OutboxState.QUEUED.value
            row.next_attempt_at = now + backoff * 2 ** (row.attempts - 1)
            retried += 1
    return retried, failed


def _park(session: Session, row: Outbox, *, worker: str, now: dt.datetime, stream: str) -> None:
    """Park a message that failed for good, its reminder failed, with a ``reminder_failed``
    event in the worker's chain ``stream``."""
    row.state = OutboxState.FAILED.value
    reminder = session.get_one(Reminder, row.reminder_id)
    reminder.state, reminder.updated_at = ReminderState.FAILED.value, now
    payload = reminder_payload(reminder, attempts=row.attempts, error=row.last_error)
    append_event(
        session,
        stream=stream,
        occurred_at=now,
        actor=worker,
        action=AuditAction.REMINDER_FAILED.value,
        paper_id=reminder.paper_id,
        payload=payload,
    )


def _held(session: Session, outbox_id: int, held: Holder) -> Outbox | None:
    """The outbox row if it is still ``held`` (the worker's lease under its token), else None."""
    row = session.get(Outbox, outbox_id)
    if (
        row is None
        or row.state != OutboxState.SENDING.value
        or row.claimed_by != held.worker
        or row.lease_token != held.token
    ):
        return None
    return row


def _stream(paper_id: int | None, body_id: str) -> str:
    return paper_stream(paper_id) if paper_id is not None else body_stream(body_id)


def _append(
    session: Session,
    row: Reminder,
    now: dt.datetime,
    actor: str,
    action: AuditAction,
    payload: dict[str, Any],
) -> None:
    append_event(
        session,
        stream=_stream(row.paper_id, row.body_id),
        occurred_at=now,
        actor=actor,
        action=action.value,
        paper_id=row.paper_id,
        payload=payload,
    )


def retry_failed(session: Session, reminder_id: int, *, now: dt.datetime, actor: str) -> bool:
    """Queue a parked reminder's message again (attempts start over); False if not failed."""
    if not storable_id(reminder_id):
        return False
    row = session.get(Reminder, reminder_id, with_for_update=True)
    if row is None or row.state != ReminderState.FAILED.value:
        return False
    outbox = session.scalars(select(Outbox).where(Outbox.reminder_id == row.id)).one()
    outbox.state, outbox.attempts, outbox.next_attempt_at = OutboxState.QUEUED.value, 0, now
    outbox.claimed_by = outbox.claimed_until = None
    row.state, row.updated_at = ReminderState.CLAIMED.value, now
    _append(session, row, now, actor, AuditAction.REMINDER_RETRIED, reminder_payload(row))
    return True
