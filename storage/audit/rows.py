"""Reading the chains back: every event's hashed fields as plain rows, streamed in
(stream, seq) order below SQLAlchemy's row processing where the driver allows."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Result,
    Select,
    String,
    func,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.orm import Session

from storage.audit.writer import write_pending_events
from storage.schema import AuditEvent


def instant_text(session: Session) -> ColumnElement[str]:
    """``occurred_at`` as the hash sees it (``format_instant``), formatted by the database:
    reading text is several times faster than building a datetime for every row."""
    if session.get_bind().dialect.name == "postgresql":
        utc = func.timezone("UTC", AuditEvent.occurred_at)
        return func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    # SQLite keeps the UTC instant as text "YYYY-MM-DD HH:MM:SS.ffffff" (storage.types)
    raw = type_coerce(AuditEvent.occurred_at, String)
    return func.replace(raw, " ", "T").op("||")("Z")


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


def stream_rows(session: Session, stream: str | None = None) -> Result[Any]:
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
        result = stream_rows(session)
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


def hashes_at(
    session: Session, positions: Iterable[tuple[str, int]], chunk: int = 400
) -> dict[tuple[str, int], str]:
    """The stored hash of the event at each (stream, seq) that exists, e.g. the heads of seals
    (one query per ``chunk`` positions; a position without an event is left out)."""
    wanted = sorted(set(positions))
    found: dict[tuple[str, int], str] = {}
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        query = select(AuditEvent.stream, AuditEvent.seq, AuditEvent.hash).where(
            tuple_(AuditEvent.stream, AuditEvent.seq).in_(part)
        )
        for stream, seq, digest in session.connection().execute(query):
            found[(stream, seq)] = digest
    return found
