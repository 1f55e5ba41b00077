"""The head (last seq and hash) of each chain, cached per unit of work in ``session.info``."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from storage.audit.hashing import GENESIS
from storage.schema import AuditEvent

# Built once (a bound parameter for the stream): the chain head is read with Core on the
# session's connection, which skips the ORM's per-statement work; no autoflush is needed,
# because a stream with events queued in this session already has its head cached.
_HEAD = (
    select(AuditEvent.seq, AuditEvent.hash)
    .where(AuditEvent.stream == bindparam("stream"))
    .order_by(AuditEvent.seq.desc())
    .limit(1)
)


def chain_head(session: Session, stream: str) -> tuple[int, str]:
    """The last (seq, hash) of ``stream``, read once per unit of work, then kept in
    ``session.info`` so that later appends neither query nor force a flush."""
    heads: dict[str, tuple[int, str]] = session.info.setdefault("audit_heads", {})
    if stream not in heads:
        row = session.connection().execute(_HEAD, {"stream": stream}).first()
        heads[stream] = (row[0], row[1]) if row else (0, GENESIS)
    return heads[stream]


def known_chain_head(session: Session, stream: str, seq: int | None, digest: str | None) -> None:
    """Keep a head that the caller read in its own query (e.g. with the locked paper), unless
    this unit of work already knows a newer one (its own appended events)."""
    heads: dict[str, tuple[int, str]] = session.info.setdefault("audit_heads", {})
    if stream not in heads:
        heads[stream] = (seq, digest) if seq is not None and digest is not None else (0, GENESIS)


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
