"""Verifying the chains: recompute every hash, compare with a seal, name the first break."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from sqlalchemy.orm import Session

from storage.audit.hashing import GENESIS, fast_hash
from storage.audit.rows import chain_rows, stream_rows


class Problem(StrEnum):
    """What is wrong with a chain, as ``verify`` names it."""

    HASH_MISMATCH = "hash mismatch"
    GAP = "missing seq"
    DUPLICATE = "duplicated seq"
    REORDERED = "reordered"
    PREV_HASH_MISMATCH = "prev_hash mismatch"
    SEAL_MISMATCH = "differs from the seal"
    TRUNCATED = "events deleted after"
    MISSING_CHAIN = "missing chain"
    CUT_TAIL = "chain behind the database"


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


def verify_stream(session: Session, stream: str) -> tuple[int, ChainBreak | None]:
    """Recompute one chain: its event count and its first break (None: intact)."""
    expected, prev, count, intact = 1, GENESIS, 0, True
    result = stream_rows(session, stream)
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
    rows = list(stream_rows(session, stream))
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
