"""The only writer of the audit table: appends hash-chained events, one chain per stream.

Each event's hash is SHA-256 over the canonical JSON of its fields and the previous hash.

- ``hashing``: the canonical JSON and the hash of an event (``event_hash``, ``fast_hash``);
- ``streams``: the names of the chains and the lock of a chain without a row to lock;
- ``heads``: the head of each chain, cached per unit of work;
- ``writer``: ``append_event`` and ``append_events``, and writing what was appended;
- ``rows``: reading the chains back as plain rows (``chain_rows``);
- ``verify``: recomputing the chains and naming the first break;
- ``coverage``: every municipality, paper and meeting has a chain that reaches its state.

The names below are the package's API, importable from ``storage.audit``.
"""

from __future__ import annotations

from storage.audit.coverage import CoverageGap, coverage_gaps
from storage.audit.hashing import GENESIS, canonical_json, event_hash, fast_hash, format_instant
from storage.audit.heads import chain_head, known_chain_head, prime_chain_heads
from storage.audit.rows import CHUNK_ROWS, chain_rows, hashes_at, instant_text
from storage.audit.streams import (
    DELIVERY_PREFIX,
    body_stream,
    delivery_stream,
    lock_stream,
    meeting_stream,
    paper_stream,
)
from storage.audit.verify import (
    ChainBreak,
    ChainCheck,
    Problem,
    diagnose_stream,
    verify_chains,
    verify_stream,
)
from storage.audit.writer import (
    AppendedEvent,
    append_event,
    append_events,
    write_pending_events,
)

__all__ = [
    "CHUNK_ROWS",
    "DELIVERY_PREFIX",
    "GENESIS",
    "AppendedEvent",
    "ChainBreak",
    "ChainCheck",
    "CoverageGap",
    "Problem",
    "append_event",
    "append_events",
    "body_stream",
    "canonical_json",
    "chain_head",
    "chain_rows",
    "coverage_gaps",
    "delivery_stream",
    "diagnose_stream",
    "event_hash",
    "fast_hash",
    "format_instant",
    "hashes_at",
    "instant_text",
    "known_chain_head",
    "lock_stream",
    "meeting_stream",
    "paper_stream",
    "prime_chain_heads",
    "verify_chains",
    "verify_stream",
    "write_pending_events",
]
