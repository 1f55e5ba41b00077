"""The hash of an audit event: SHA-256 over the canonical JSON of its fields and the previous
hash. ``event_hash`` builds the record as a dict; ``fast_hash`` writes the same JSON out in
key order (tested byte for byte equal)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import json.encoder
from typing import Any

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


_string = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses
_sha256 = hashlib.sha256


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
