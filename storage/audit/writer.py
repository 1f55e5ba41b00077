"""The only writer of the audit table: appends hash-chained events, one chain per stream,
queued in the session and written in one statement before the next one or the commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, event, insert
from sqlalchemy.orm import ORMExecuteState, Session

from storage.audit.hashing import canonical_json, fast_hash, format_instant
from storage.audit.heads import chain_head
from storage.schema import AuditEvent


@dataclass(frozen=True, slots=True)
class AppendedEvent:
    """An appended event as it will be stored (the row's fields, without its id)."""

    stream: str
    seq: int
    paper_id: int | None
    occurred_at: dt.datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str | None
    payload: str
    prev_hash: str
    hash: str


#: session.info key: appended events not yet written, in order (dicts of column values)
_PENDING = "audit_pending"
_AUDIT_TABLE = cast(Table, AuditEvent.__table__)
# Built once: a Core INSERT with a list of parameter sets is one executemany (sqlite3 runs
# it in C; psycopg 3 sends it as one pipeline); no RETURNING, because nothing needs the ids.
_INSERT_EVENTS = insert(_AUDIT_TABLE)
# PostgreSQL, for append_events: the events of one stream, action and instant as arrays, one
# per varying column, in psycopg's binary format (%(...)b): an executemany would be one INSERT
# per row for the server, and the text format quotes every payload with a regex in Python.
_INSERT_EVENT_ARRAYS = (
    "INSERT INTO audit_event (stream, seq, paper_id, occurred_at, actor, action, payload, "
    "prev_hash, hash) SELECT %(stream)s, e.seq, e.paper_id, %(occurred_at)s, %(actor)s, "
    "%(action)s, e.payload, e.prev_hash, e.hash FROM unnest(CAST(%(seqs)b AS integer[]), "
    "CAST(%(paper_ids)b AS integer[]), CAST(%(payloads)b AS text[]), "
    "CAST(%(prev_hashes)b AS text[]), CAST(%(hashes)b AS text[])) WITH ORDINALITY "
    "AS e(seq, paper_id, payload, prev_hash, hash, n) ORDER BY e.n"
)


def append_event(
    session: Session,
    *,
    stream: str,
    occurred_at: dt.datetime,
    actor: str,
    action: str,
    paper_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    payload: Mapping[str, Any] | None = None,
) -> AppendedEvent:
    """Append one event to ``stream`` in the caller's transaction.

    The event is hashed and chained at once, but written together with the other events of
    the unit of work in one statement (``write_pending_events``): before the next statement
    the session executes (so queries see it, as the ORM's autoflush would) and at the latest
    before the commit. An ORM object per event cost a unit-of-work pass and, on SQLite, one
    INSERT ... RETURNING per event (the ORM cannot batch those there).
    """
    seq, prev = chain_head(session, stream)
    body = canonical_json(dict(payload or {}))
    # fast_hash is byte-for-byte event_hash (tested), without building and sorting a dict
    digest = fast_hash(
        stream,
        seq + 1,
        paper_id,
        format_instant(occurred_at),
        actor,
        action,
        from_state,
        to_state,
        body,
        prev,
    )
    event = AppendedEvent(
        stream,
        seq + 1,
        paper_id,
        occurred_at,
        actor,
        action,
        from_state,
        to_state,
        body,
        prev,
        digest,
    )
    _queue(session, event)
    return event


def _queue(session: Session, event: AppendedEvent) -> None:
    """Queue the event's row for ``write_pending_events``; it is now its stream's head."""
    pending: list[dict[str, Any]] = session.info.setdefault(_PENDING, [])
    pending.append(
        {
            "stream": event.stream,
            "seq": event.seq,
            "paper_id": event.paper_id,
            "occurred_at": event.occurred_at,
            "actor": event.actor,
            "action": event.action,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "payload": event.payload,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
    )
    session.info["audit_heads"][event.stream] = (event.seq, event.hash)


def append_events(
    session: Session,
    *,
    stream: str,
    occurred_at: dt.datetime,
    actor: str,
    action: str,
    events: Sequence[tuple[int | None, Mapping[str, Any] | str]],
) -> None:
    """Append many events of one kind to ``stream`` with one multi-row INSERT: each is
    (paper id, payload), the payload a mapping or its ``canonical_json`` already written.
    Hashed exactly as ``append_event`` does (``fast_hash`` is tested equal to
    ``event_hash``); the caller holds the stream's lock."""
    if not events:
        return
    write_pending_events(session)  # events appended one by one go first, in append order
    seq, prev = chain_head(session, stream)
    instant = format_instant(occurred_at)
    rows = []
    for paper_id, payload in events:
        seq += 1
        body = payload if isinstance(payload, str) else canonical_json(dict(payload))
        digest = fast_hash(stream, seq, paper_id, instant, actor, action, None, None, body, prev)
        rows.append(
            {
                "stream": stream,
                "seq": seq,
                "paper_id": paper_id,
                "occurred_at": occurred_at,
                "actor": actor,
                "action": action,
                "from_state": None,
                "to_state": None,
                "payload": body,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    _insert(session, rows, stream=stream, occurred_at=occurred_at, actor=actor, action=action)
    session.info["audit_heads"][stream] = (seq, prev)


def _insert(
    session: Session,
    rows: list[dict[str, Any]],
    *,
    stream: str,
    occurred_at: dt.datetime,
    actor: str,
    action: str,
) -> None:
    """Write the rows of one stream, action and instant (``append_events``) in one statement."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # one statement with one array per varying column: an executemany is one INSERT
        # per row for the server (psycopg pipelines them, but each is parsed and run)
        connection.exec_driver_sql(
            _INSERT_EVENT_ARRAYS,
            {
                "stream": stream,
                "occurred_at": occurred_at.astimezone(dt.UTC),
                "actor": actor,
                "action": action,
                "seqs": [r["seq"] for r in rows],
                "paper_ids": [r["paper_id"] for r in rows],
                "payloads": [r["payload"] for r in rows],
                "prev_hashes": [r["prev_hash"] for r in rows],
                "hashes": [r["hash"] for r in rows],
            },
        )
    else:
        connection.execute(_INSERT_EVENTS, rows)


def write_pending_events(session: Session) -> None:
    """Insert the events appended since the last write, in append order, in one statement."""
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.connection().execute(_INSERT_EVENTS, rows)


@event.listens_for(Session, "do_orm_execute")
def _write_before_statement(state: ORMExecuteState) -> None:
    # Any statement may read audit_event (e.g. the co-signature requests of a paper), so the
    # events appended so far go first, as they did when the ORM autoflushed them.
    if state.session.info.get(_PENDING):
        write_pending_events(state.session)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    write_pending_events(session)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    # Queued events and the heads they moved belong to the rolled-back transaction; a
    # session used again must neither write them later nor chain onto them.
    session.info.pop(_PENDING, None)
    session.info.pop("audit_heads", None)
