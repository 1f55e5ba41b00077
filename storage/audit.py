"""The only writer of the audit table: appends hash-chained events, one chain per stream.

Each event's hash is SHA-256 over the canonical JSON of its fields and the previous hash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import json.encoder
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Result,
    Select,
    String,
    Table,
    bindparam,
    event,
    func,
    insert,
    select,
    type_coerce,
)
from sqlalchemy.orm import ORMExecuteState, Session

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


def meeting_stream(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


DELIVERY_PREFIX = "delivery:"


def delivery_stream(worker: str) -> str:
    """The chain of one reminder worker's deliveries (``reminder_sent``, ``reminder_failed``).

    Only that worker appends to it, so workers never wait for each other's paper locks; each
    event still names its paper (``paper_id``), and ``audit trail`` shows it with the paper."""
    return f"{DELIVERY_PREFIX}{worker}"[:128]


def lock_stream(session: Session, stream: str) -> None:
    """Serialise appends to a stream that has no row to lock (PostgreSQL: a transaction-level
    advisory lock on the stream's name; SQLite serialises every writer anyway). Uncontended
    for delivery streams unless two workers share a name."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(stream))))


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
    pending: list[dict[str, Any]] = session.info.setdefault(_PENDING, [])
    pending.append(
        {
            "stream": stream,
            "seq": event.seq,
            "paper_id": paper_id,
            "occurred_at": occurred_at,
            "actor": actor,
            "action": action,
            "from_state": from_state,
            "to_state": to_state,
            "payload": body,
            "prev_hash": prev,
            "hash": digest,
        }
    )
    session.info["audit_heads"][stream] = (event.seq, digest)
    return event


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
    session.info["audit_heads"][stream] = (seq, prev)


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


class Problem(StrEnum):
    """What is wrong with a chain, as ``verify`` names it."""

    HASH_MISMATCH = "hash mismatch"
    GAP = "missing seq"
    DUPLICATE = "duplicated seq"
    REORDERED = "reordered"
    PREV_HASH_MISMATCH = "prev_hash mismatch"
    SEAL_MISMATCH = "differs from the seal"
    TRUNCATED = "events deleted after"


@dataclass(frozen=True, slots=True)
class ChainBreak:
    stream: str
    seq: int
    problem: Problem
    reason: str


@dataclass(slots=True)
class ChainCheck:
    """The result of one pass over every chain."""

    streams: int = 0
    events: int = 0
    broken: ChainBreak | None = None
    #: stream -> (seq, hash) of the last event read: the heads, when nothing is broken
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: events in sealed chains up to their sealed seq (with a seal)
    sealed_seen: int = 0


def verify_chains(
    session: Session,
    *,
    sealed: Mapping[str, tuple[int, str]] | None = None,
) -> ChainCheck:
    """Recompute every chain from the stored fields, stream by stream in seq order.

    With ``sealed`` (stream -> (seq, hash) from a seal), each sealed head must still be the
    event at that (stream, seq): this catches a chain that was rewritten consistently.
    Stops at the first break, which is then classified by looking at that one stream.
    """
    check = ChainCheck()
    with chain_rows(session) as rows:
        suspect = _scan(rows, check, sealed or {})
    if suspect is not None:  # read again only after the scan has given back the connection
        check.broken = diagnose_stream(session, suspect)
    return check


def _scan(
    rows: Iterable[tuple[Any, ...]], check: ChainCheck, seals: Mapping[str, tuple[int, str]]
) -> str | None:
    """The loop of ``verify_chains``; returns the stream to diagnose, or None."""
    heads = check.heads
    current: str | None = None
    expected, prev, seal_seq, seal_hash, events = 0, GENESIS, 0, "", 0
    hash_of = fast_hash
    try:
        for row in rows:
            stream, seq = row[0], row[1]
            if stream != current:
                if current is not None:
                    if expected <= seal_seq:
                        check.broken = _truncated(current, expected - 1, seal_seq)
                        return None
                    heads[current] = (expected - 1, prev)
                current, expected, prev = stream, 1, GENESIS
                seal_seq, seal_hash = seals.get(stream, (0, ""))
            events += 1
            if seq != expected or row[9] != prev or row[10] != hash_of(*row[:10]):
                return str(stream)
            if seq == seal_seq and row[10] != seal_hash:
                check.broken = ChainBreak(
                    stream,
                    seq,
                    Problem.SEAL_MISMATCH,
                    f"{Problem.SEAL_MISMATCH}: the event at the sealed head has hash "
                    f"{row[10][:12]}, the seal holds {seal_hash[:12]} (the chain was "
                    f"rewritten at or before this event after the seal was taken)",
                )
                return None
            expected, prev = seq + 1, row[10]
    finally:
        check.events, check.streams = events, len(heads) + (current is not None)
    if current is not None:
        if expected <= seal_seq:
            check.broken = _truncated(current, expected - 1, seal_seq)
            return None
        heads[current] = (expected - 1, prev)
    missing = sorted(s for s in seals if s not in heads)
    if missing:
        check.broken = _truncated(missing[0], 0, seals[missing[0]][0])
    check.sealed_seen = sum(min(heads[s][0], q) for s, (q, _) in seals.items() if s in heads)
    return None


def _truncated(stream: str, last: int, sealed_seq: int) -> ChainBreak:
    what = f"the chain ends at event {last}" if last else "the whole chain is gone"
    return ChainBreak(
        stream,
        last + 1,
        Problem.TRUNCATED,
        f"{Problem.TRUNCATED} the seal: sealed up to event {sealed_seq}, but {what}",
    )


def _stream_query(session: Session, stream: str | None = None) -> Select[*tuple[Any, ...]]:
    query = select(
        AuditEvent.stream,
        AuditEvent.seq,
        AuditEvent.paper_id,
        instant_text(session).label("occurred_at"),
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.from_state,
        AuditEvent.to_state,
        AuditEvent.payload,
        AuditEvent.prev_hash,
        AuditEvent.hash,
    ).order_by(AuditEvent.stream, AuditEvent.seq)
    if stream is not None:
        query = query.where(AuditEvent.stream == stream)
    return query


def _stream_rows(session: Session, stream: str | None = None) -> Result[Any]:
    write_pending_events(session)  # a Core read: no do_orm_execute hook writes them first
    # Core, not the ORM: plain rows, streamed (a server-side cursor on PostgreSQL)
    query = _stream_query(session, stream)
    return session.connection().execute(query.execution_options(yield_per=CHUNK_ROWS))


#: rows per round trip when streaming the audit table
CHUNK_ROWS = 5000
_SAVEPOINT = "ratsweg_verify_scan"


@contextlib.contextmanager
def chain_rows(session: Session) -> Iterator[Iterator[tuple[Any, ...]]]:
    """Every event as a plain tuple (the columns ``fast_hash`` takes, then the hash), in
    (stream, seq) order, streamed in constant memory inside the session's transaction.

    On PostgreSQL with libpq 17 the rows come in psycopg's chunked mode (``Cursor.stream``):
    no server-side cursor and no SQLAlchemy row processing, 1.5 to 2.5 times as fast. A scan
    that stops early cancels its query, which aborts the transaction, so the scan runs inside
    a savepoint that is rolled back afterwards; the session can go on reading. SQLite rows
    come from the plain ``sqlite3`` cursor; elsewhere from a Core result with ``yield_per``
    (a server-side cursor on PostgreSQL).
    """
    dialect = session.get_bind().dialect
    if dialect.name == "sqlite":  # the plain driver cursor: no SQLAlchemy row processing
        sql = _stream_query(session).compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}
        )
        plain = session.connection().connection.driver_connection
        assert plain is not None
        cursor = plain.cursor()
        cursor.arraysize = CHUNK_ROWS
        try:
            yield iter(cursor.execute(str(sql)))
        finally:
            cursor.close()
        return
    if not _chunked_stream(session):
        result = _stream_rows(session)
        try:
            yield itertools.chain.from_iterable(result.partitions())
        finally:
            result.close()  # releases the server-side cursor when the scan stops early
        return
    compiled = _stream_query(session).compile(dialect=session.get_bind().dialect)
    driver = session.connection().connection.driver_connection
    assert driver is not None
    driver.execute(f"SAVEPOINT {_SAVEPOINT}")
    cursor = driver.cursor()
    rows = cursor.stream(str(compiled), compiled.params, size=CHUNK_ROWS)
    try:
        yield rows
    finally:
        rows.close()  # cancels the query if the scan stopped early
        cursor.close()
        driver.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
        driver.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")


def _chunked_stream(session: Session) -> bool:
    if session.get_bind().dialect.driver != "psycopg":
        return False
    import psycopg

    capabilities = getattr(psycopg, "capabilities", None)  # psycopg 3.2+
    return capabilities is not None and bool(capabilities.has_stream_chunked())


def verify_stream(session: Session, stream: str) -> tuple[int, ChainBreak | None]:
    """Recompute one chain: its event count and its first break (None: intact)."""
    expected, prev, count, intact = 1, GENESIS, 0, True
    result = _stream_rows(session, stream)
    try:
        for row in cast("Iterable[tuple[Any, ...]]", result):
            count += 1
            if row[1] != expected or row[9] != prev or row[10] != fast_hash(*row[:10]):
                intact = False
                break
            expected, prev = row[1] + 1, row[10]
    finally:
        result.close()  # releases the server-side cursor before the diagnosis reads again
    return count, None if intact else diagnose_stream(session, stream)


def diagnose_stream(session: Session, stream: str) -> ChainBreak:
    """Name the first broken event of one stream and what is wrong with it."""
    rows = list(_stream_rows(session, stream))
    by_hash = {row.hash: row for row in rows}
    expected_seq, prev = 1, GENESIS
    for index, row in enumerate(rows):
        if row.seq > expected_seq:
            return ChainBreak(
                stream,
                expected_seq,
                Problem.GAP,
                f"{Problem.GAP}: event {expected_seq} is missing or deleted "
                f"(the chain jumps from {expected_seq - 1} to {row.seq})",
            )
        if row.seq < expected_seq:
            return ChainBreak(
                stream, row.seq, Problem.DUPLICATE, f"{Problem.DUPLICATE}: event {row.seq} twice"
            )
        own = _row_hash(row) == row.hash
        if row.prev_hash != prev:
            later = by_hash.get(row.prev_hash)
            if later is not None and later.seq > row.seq:
                return ChainBreak(
                    stream,
                    row.seq,
                    Problem.REORDERED,
                    f"{Problem.REORDERED}: the event stored as {row.seq} follows the one stored "
                    f"as {later.seq} (events were swapped or moved)",
                )
            if own or index == 0:
                return ChainBreak(
                    stream,
                    row.seq,
                    Problem.PREV_HASH_MISMATCH,
                    f"{Problem.PREV_HASH_MISMATCH}: the event does not link to event "
                    f"{row.seq - 1} (that event was changed or replaced, with a new hash)",
                )
        if not own:
            return ChainBreak(
                stream,
                row.seq,
                Problem.HASH_MISMATCH,
                f"{Problem.HASH_MISMATCH}: content does not match its hash (the event was edited)",
            )
        expected_seq, prev = row.seq + 1, row.hash
    raise AssertionError(f"stream {stream} was reported broken but verifies")


def _row_hash(row: Any) -> str:
    return fast_hash(
        row.stream,
        row.seq,
        row.paper_id,
        row.occurred_at,
        row.actor,
        row.action,
        row.from_state,
        row.to_state,
        row.payload,
        row.prev_hash,
    )


_string = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses
_sha256 = hashlib.sha256


def instant_text(session: Session) -> ColumnElement[str]:
    """``occurred_at`` as the hash sees it (``format_instant``), formatted by the database:
    reading text is several times faster than building a datetime for every row."""
    if session.get_bind().dialect.name == "postgresql":
        utc = func.timezone("UTC", AuditEvent.occurred_at)
        return func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    # SQLite keeps the UTC instant as text "YYYY-MM-DD HH:MM:SS.ffffff" (storage.types)
    raw = type_coerce(AuditEvent.occurred_at, String)
    return func.replace(raw, " ", "T").op("||")("Z")


def fast_hash(
    stream: str,
    seq: int,
    paper_id: int | None,
    occurred_at: str,
    actor: str,
    action: str,
    from_state: str | None,
    to_state: str | None,
    payload: str,
    prev_hash: str,
) -> str:
    """``event_hash`` without building a dict: the canonical JSON written out in key order.

    ``occurred_at`` is the text ``format_instant`` gives. Byte for byte the same JSON as
    ``canonical_json`` (tests compare the two)."""
    text = (
        f'{{"action":{_string(action)},"actor":{_string(actor)},'
        f'"from_state":{"null" if from_state is None else _string(from_state)},"occurred_at":{_string(occurred_at)},'
        f'"paper_id":{"null" if paper_id is None else paper_id},'
        f'"payload":{_string(payload)},"prev_hash":{_string(prev_hash)},"seq":{seq},'
        f'"stream":{_string(stream)},"to_state":{"null" if to_state is None else _string(to_state)}}}'
    )
    return _sha256(text.encode("utf-8")).hexdigest()
