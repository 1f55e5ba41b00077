"""Reminder rows and the outbox: the storage side of planning, claiming and delivery.

Concurrency (see docs/architecture.md, "Reminders"):
- planning runs in the transaction that changes the paper, which already holds the paper's
  lock; it locks the paper's *pending* reminders (``FOR UPDATE`` on PostgreSQL), so a worker's
  claim either happened before (the row is no longer pending and is left alone) or waits;
- a claim and its outbox rows are one transaction (``BEGIN IMMEDIATE`` on SQLite); on
  PostgreSQL one statement that claims ``FOR UPDATE SKIP LOCKED`` and inserts the outbox rows
  already leased to the claiming worker (``claim_and_lease``);
- delivery leases outbox rows (``claimed_until``); a lease that runs out makes the row
  deliverable again, so a killed worker's messages are sent by another one;
- marking sent appends the hash-chained ``reminder_sent`` events to the worker's own delivery
  chain under a lock of that chain only, so workers never wait for paper locks; recipients the
  SMTP server refused while it accepted the others are stored on the outbox row and named in
  the event.
"""

from __future__ import annotations

import datetime as dt
import json
import json.encoder
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from storage.audit import (
    append_event,
    append_events,
    body_stream,
    delivery_stream,
    lock_stream,
    paper_stream,
)
from storage.schema import Outbox, Paper, Reminder
from storage.types import UTCDateTime
from workflow.core.model import (
    AuditAction,
    DeliveryFailure,
    OutboxMessage,
    OutboxState,
    PlannedReminder,
    RefusedRecipient,
    ReminderKind,
    ReminderState,
)

PENDING = ReminderState.PENDING.value
CHANNEL = "email"
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


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the planned and the stored reminders of a paper."""

    action: AuditAction
    payload: dict[str, Any]


def in_state(column: Any, state: str) -> Any:
    """``column = 'state'`` with the state written into the SQL text, not bound.

    The sweep's partial indexes (revision 0009) hold only pending reminders and queued or
    sending outbox rows, and the planner may use one only when the statement names the same
    constant. psycopg prepares a statement after its fifth execution on a connection, and
    PostgreSQL may then switch to a generic plan that cannot see a bound parameter's value:
    with the state bound, the lease read every row of the outbox for each batch once the
    plan went generic (about 18 ms per batch at 50,000 sent messages)."""
    return column == literal_column(f"'{state}'", String())


def _payload(row: Reminder, **extra: Any) -> dict[str, Any]:
    return {
        "reminder": row.id,
        "key": row.key,
        "kind": row.kind,
        "due_at": row.due_at.astimezone(dt.UTC).isoformat(),
        "recipients": list(row.recipients),
    } | extra


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
                if current is not None:
                    current.state, current.updated_at = ReminderState.CANCELLED.value, now
                    changes.append(Change(AuditAction.REMINDER_CANCELLED, _payload(current)))
                earlier.state = PENDING
                _fill(earlier, plan, now)
                pending[plan.slot] = earlier
                changes.append(Change(AuditAction.REMINDER_PLANNED, _payload(earlier)))
            continue  # otherwise this very reminder was already claimed or sent
        if current is not None:
            if current.key != plan.key:
                before = current.due_at
                _fill(current, plan, now)
                changes.append(
                    Change(AuditAction.REMINDER_MOVED, _payload(current, moved_from=_iso(before)))
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
        changes.append(Change(AuditAction.REMINDER_PLANNED, _payload(row)))
    for slot, row in pending.items():
        if slot not in wanted:
            row.state, row.updated_at = ReminderState.CANCELLED.value, now
            changes.append(Change(AuditAction.REMINDER_CANCELLED, _payload(row)))
    return changes


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


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
        now,
    )
    columns = ["reminder_id", "key", "channel", "recipients", "subject", "body", "state"]
    columns += ["attempts", "next_attempt_at", "claimed_by", "claimed_until", "created_at"]
    return insert(Outbox).from_select(columns, leased).returning(*_MESSAGE_COLUMNS)


_CLAIM_INTO_LEASES = _claim_into_leases()


def claim_and_lease(
    session: Session, *, now: dt.datetime, limit: int, worker: str, lease: dt.timedelta
) -> tuple[int, list[OutboxMessage]]:
    """One batch for ``worker``: lease what is deliverable (retries that are due, lapsed
    leases) first, as the id order did before, then claim due reminders for the rest of the
    batch, their outbox rows written already leased to ``worker`` (the state the lease would
    give them in this transaction). Returns (claimed, leased messages in id order)."""
    messages = lease_outbox(session, now=now, limit=limit, worker=worker, lease=lease)
    room = limit - len(messages)
    if room <= 0:
        return 0, messages
    if session.get_bind().dialect.name != "postgresql":  # no data-modifying CTEs in SQLite
        claimed = claim_due(session, now=now, limit=room, worker=worker)
        if not claimed:
            return 0, messages
        return claimed, messages + lease_outbox(
            session, now=now, limit=room, worker=worker, lease=lease
        )
    rows = session.connection().execute(
        _CLAIM_INTO_LEASES, {"now": now, "worker": worker, "limit": room, "until": now + lease}
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


# -- delivery: lease, then sent / retry / failed -------------------------------------------------


def lease_outbox(
    session: Session, *, now: dt.datetime, limit: int, worker: str, lease: dt.timedelta
) -> list[OutboxMessage]:
    """Lease up to ``limit`` deliverable rows: queued and due, or sending with a lapsed lease."""
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
            attempts=Outbox.attempts + 1,
        )
        .returning(*_MESSAGE_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return sorted((_message(r) for r in session.execute(take)), key=_by_id)


def _id_in(session: Session, column: Any, ids: Sequence[int]) -> Any:
    """``column IN ids``; on PostgreSQL as ``= ANY(:ids)`` with one array parameter, so a
    batch of hundreds of ids is one short statement instead of hundreds of parameters."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def finish_delivery(
    session: Session,
    *,
    worker: str,
    now: dt.datetime,
    delivered: Sequence[int],
    failures: Sequence[DeliveryFailure],
    max_attempts: int,
    backoff: dt.timedelta,
    refused: Mapping[int, Sequence[RefusedRecipient]] | None = None,
    released: Sequence[int] = (),
) -> tuple[int, int, int]:
    """Record a leased batch's outcome; return (sent, retried, failed). Rows whose lease this
    worker lost in the meantime are left to the worker that holds them now. ``refused`` maps
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
    sent = _mark_sent(session, worker, now, delivered, stream, refused or {})
    retried = failed = 0
    for outbox_id in released:
        row = _held(session, outbox_id, worker)
        if row is not None:
            row.state, row.next_attempt_at = OutboxState.QUEUED.value, now
            row.attempts, row.claimed_by, row.claimed_until = row.attempts - 1, None, None
    for failure in failures:
        row = _held(session, failure.outbox_id, worker)
        if row is None:
            continue
        row.last_error, row.claimed_by, row.claimed_until = failure.error[:2000], None, None
        if failure.setup and not failure.permanent:
            row.state, row.next_attempt_at = OutboxState.QUEUED.value, now + backoff
            row.attempts -= 1
            retried += 1
        elif failure.permanent or row.attempts >= max_attempts:
            row.state = OutboxState.FAILED.value
            reminder = session.get_one(Reminder, row.reminder_id)
            reminder.state, reminder.updated_at = ReminderState.FAILED.value, now
            payload = _payload(reminder, attempts=row.attempts, error=row.last_error)
            append_event(
                session,
                stream=stream,
                occurred_at=now,
                actor=worker,
                action=AuditAction.REMINDER_FAILED.value,
                paper_id=reminder.paper_id,
                payload=payload,
            )
            failed += 1
        else:
            row.state = OutboxState.QUEUED.value
            row.next_attempt_at = now + backoff * 2 ** (row.attempts - 1)
            retried += 1
    return sent, retried, failed


def _held(session: Session, outbox_id: int, worker: str) -> Outbox | None:
    """The outbox row if ``worker`` still holds its lease, else None."""
    row = session.get(Outbox, outbox_id)
    if row is None or row.state != OutboxState.SENDING.value or row.claimed_by != worker:
        return None
    return row


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
    the lease) and their reminders sent, in one statement; returns what the events need."""
    now = bindparam("now", type_=UTCDateTime())
    sent = (
        update(Outbox)
        .where(
            Outbox.id == any_(bindparam("ids", type_=ARRAY(Integer))),
            in_state(Outbox.state, OutboxState.SENDING.value),
            Outbox.claimed_by == bindparam("worker", type_=String()),
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


def _mark_sent(
    session: Session,
    worker: str,
    now: dt.datetime,
    ids: Sequence[int],
    stream: str,
    refused: Mapping[int, Sequence[RefusedRecipient]],
) -> int:
    if not ids:
        return 0
    refused_of = _store_refused(session, worker, ids, refused) if refused else {}
    rows: Sequence[Any]  # (reminder id, paper id, key, kind, recipients, due_at, attempts)
    if session.get_bind().dialect.name == "postgresql":
        rows = (
            session.connection()
            .execute(_MARK_SENT, {"ids": list(ids), "worker": worker, "now": now})
            .all()
        )
    else:
        done = session.execute(
            update(Outbox)
            .where(
                _id_in(session, Outbox.id, ids),
                in_state(Outbox.state, OutboxState.SENDING.value),
                Outbox.claimed_by == worker,
            )
            .values(_outbox_sent(now))
            .returning(Outbox.reminder_id, Outbox.attempts)
            .execution_options(synchronize_session=False)
        ).all()
        if not done:
            return 0
        attempts = {r.reminder_id: r.attempts for r in done}
        rows = [
            (*r, attempts[r.id])
            for r in session.execute(
                update(Reminder)
                .where(_id_in(session, Reminder.id, list(attempts)))
                .values(state=ReminderState.SENT.value, sent_at=now, updated_at=now)
                .returning(*_SENT_REMINDER_COLUMNS)
                .execution_options(synchronize_session=False)
            )
        ]
    events = [
        (
            paper_id,
            sent_payload(
                reminder_id,
                key,
                kind,
                _iso(due_at),
                recipients,
                attempts_made,
                refused_of.get(reminder_id, ()),
            ),
        )
        for reminder_id, paper_id, key, kind, recipients, due_at, attempts_made in sorted(rows)
    ]
    append_events(
        session,
        stream=stream,
        occurred_at=now,
        actor=worker,
        action=AuditAction.REMINDER_SENT.value,
        events=events,
    )
    return len(rows)


def _store_refused(
    session: Session,
    worker: str,
    ids: Sequence[int],
    refused: Mapping[int, Sequence[RefusedRecipient]],
) -> dict[int, Sequence[RefusedRecipient]]:
    """Store the refused recipients on those of the delivered rows that ``worker`` still
    holds, in one statement (before they are marked sent); return them by reminder id.
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
            _id_in(session, Outbox.id, list(values)),
            in_state(Outbox.state, OutboxState.SENDING.value),
            Outbox.claimed_by == worker,
        )
        .values(refused=case(values, value=Outbox.id))
        .returning(Outbox.id, Outbox.reminder_id)
        .execution_options(synchronize_session=False)
    )
    return {r.reminder_id: refused[r.id] for r in rows}


def refused_json(refused: Sequence[RefusedRecipient]) -> list[dict[str, Any]]:
    """Refused recipients as stored on the outbox row and in the ``reminder_sent`` event."""
    return [{"address": r.address, "code": r.code, "reply": r.reply} for r in refused]


_string = json.encoder.encode_basestring  # what canonical_json uses (ensure_ascii=False)


def sent_payload(
    reminder: int,
    key: str,
    kind: str,
    due_at: str,
    recipients: Sequence[str],
    attempts: int,
    refused: Sequence[RefusedRecipient] = (),
) -> str:
    """The canonical JSON (``storage.audit.canonical_json``) of a ``reminder_sent`` payload,
    written out in key order: the dict, its sorting and the generic encoder cost more than
    the rest of the event. Tested equal to ``canonical_json`` of the same payload. The
    ``refused`` entry (``refused_json``) is there only when the server refused recipients,
    so the payloads (and hashes) of complete deliveries are what they always were."""
    text = (
        f'{{"attempts":{attempts},"due_at":{_string(due_at)},"key":{_string(key)},'
        f'"kind":{_string(kind)},"recipients":[{",".join(map(_string, recipients))}],'
    )
    if refused:
        entries = ",".join(
            f'{{"address":{_string(r.address)},"code":{int(r.code)},"reply":{_string(r.reply)}}}'
            for r in refused
        )
        text += f'"refused":[{entries}],'
    return f'{text}"reminder":{reminder}}}'


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
    row = session.get(Reminder, reminder_id, with_for_update=True)
    if row is None or row.state != ReminderState.FAILED.value:
        return False
    outbox = session.scalars(select(Outbox).where(Outbox.reminder_id == row.id)).one()
    outbox.state, outbox.attempts, outbox.next_attempt_at = OutboxState.QUEUED.value, 0, now
    outbox.claimed_by = outbox.claimed_until = None
    row.state, row.updated_at = ReminderState.CLAIMED.value, now
    _append(session, row, now, actor, AuditAction.REMINDER_RETRIED, _payload(row))
    return True


# -- reading ---------------------------------------------------------------------------------------


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
    return session.get(Reminder, reminder_id)
