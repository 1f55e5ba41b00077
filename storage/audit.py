"""The only writer of the audit table: appends hash-chained events, one chain per stream.

Each event's hash is SHA-256 over the canonical JSON of its fields and the previous hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Result, func, select
from sqlalchemy.orm import Session

from storage.schema import AuditEvent

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def format_instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    stream: str,
    seq: int,
    paper_id: int | None,
    occurred_at: dt.datetime,
    actor: str,
    action: str,
    from_state: str | None,
    to_state: str | None,
    payload: str,
    prev_hash: str,
) -> str:
    record = {
        "stream": stream,
        "seq": seq,
        "paper_id": paper_id,
        "occurred_at": format_instant(occurred_at),
        "actor": actor,
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "payload": payload,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(record).encode("utf-8")).hexdigest()


def paper_stream(paper_id: int) -> str:
    return f"paper:{paper_id}"


def body_stream(body_id: str) -> str:
    return f"body:{body_id}"


def chain_head(session: Session, stream: str) -> tuple[int, str]:
    """The last (seq, hash) of ``stream``, read once per unit of work, then kept in
    ``session.info`` so that later appends neither query nor force a flush."""
    heads: dict[str, tuple[int, str]] = session.info.setdefault("audit_heads", {})
    if stream not in heads:
        with session.no_autoflush:
            row = session.execute(
                select(AuditEvent.seq, AuditEvent.hash)
                .where(AuditEvent.stream == stream)
                .order_by(AuditEvent.seq.desc())
                .limit(1)
            ).first()
        heads[stream] = (row[0], row[1]) if row else (0, GENESIS)
    return heads[stream]


def prime_chain_heads(session: Session, streams: Iterable[str], chunk: int = 500) -> None:
    """Read the heads of many streams at once (one query per ``chunk``) into the cache that
    ``append_event`` uses; for workers that append to hundreds of streams per transaction."""
    heads: dict[str, tuple[int, str]] = session.info.setdefault("audit_heads", {})
    missing = sorted({s for s in streams if s not in heads})
    for start in range(0, len(missing), chunk):
        part = missing[start : start + chunk]
        latest = (
            select(AuditEvent.stream, func.max(AuditEvent.seq).label("seq"))
            .where(AuditEvent.stream.in_(part))
            .group_by(AuditEvent.stream)
            .subquery()
        )
        query = select(AuditEvent.stream, AuditEvent.seq, AuditEvent.hash).join(
            latest, (AuditEvent.stream == latest.c.stream) & (AuditEvent.seq == latest.c.seq)
        )
        with session.no_autoflush:
            for row in session.execute(query):
                heads[row.stream] = (row.seq, row.hash)
    for stream in missing:
        heads.setdefault(stream, (0, GENESIS))


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
) -> AuditEvent:
    """Append one event to ``stream`` in the caller's transaction."""
    seq, prev = chain_head(session, stream)
    body = canonical_json(dict(payload or {}))
    fields: dict[str, Any] = {
        "stream": stream,
        "seq": seq + 1,
        "paper_id": paper_id,
        "occurred_at": occurred_at,
        "actor": actor,
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "payload": body,
        "prev_hash": prev,
    }
    event = AuditEvent(**fields, hash=event_hash(**fields))
    session.add(event)
    session.info["audit_heads"][stream] = (event.seq, event.hash)
    return event


@dataclass(frozen=True, slots=True)
class ChainBreak:
    stream: str
    seq: int
    reason: str


def verify_chains(session: Session) -> tuple[int, int, ChainBreak | None]:
    """Recompute every chain; return (streams, events, first break or None)."""
    streams = events = 0
    current: str | None = None
    expected_seq, prev = 0, GENESIS
    rows = _stream_rows(session)
    try:
        for row in rows:
            events += 1
            if row.stream != current:
                current, expected_seq, prev = row.stream, 1, GENESIS
                streams += 1
            problem = _check_row(row, expected_seq, prev)
            if problem:
                return streams, events, ChainBreak(row.stream, row.seq, problem)
            expected_seq, prev = row.seq + 1, row.hash
    finally:
        rows.close()  # releases the server-side cursor when verification stops early
    return streams, events, None


def _stream_rows(session: Session) -> Result[Any]:
    query = select(
        AuditEvent.stream,
        AuditEvent.seq,
        AuditEvent.paper_id,
        AuditEvent.occurred_at,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.from_state,
        AuditEvent.to_state,
        AuditEvent.payload,
        AuditEvent.prev_hash,
        AuditEvent.hash,
    ).order_by(AuditEvent.stream, AuditEvent.seq)
    return session.execute(query.execution_options(yield_per=5000))


def _check_row(row: Any, expected_seq: int, prev: str) -> str | None:
    if row.seq != expected_seq:
        kind = "missing or deleted" if row.seq > expected_seq else "duplicated"
        return f"event {expected_seq} is {kind} (found {row.seq})"
    if row.prev_hash != prev:
        return "link to the previous event does not match (an event was changed or removed)"
    recomputed = event_hash(
        stream=row.stream,
        seq=row.seq,
        paper_id=row.paper_id,
        occurred_at=row.occurred_at,
        actor=row.actor,
        action=row.action,
        from_state=row.from_state,
        to_state=row.to_state,
        payload=row.payload,
        prev_hash=row.prev_hash,
    )
    if recomputed != row.hash:
        return "content does not match its hash (the event was edited)"
    return None
