"""The seal file of ``ratsweg audit seal``: read, write and check it (no database here).

Format (JSON, UTF-8), version 1::

    {
      "format": "ratsweg-audit-seal",
      "format_version": 1,
      "sealed_at": "2025-03-10T09:00:00.000000Z",          # UTC
      "sealed_at_local": "2025-03-10T10:00:00.000000+01:00", # Europe/Berlin
      "actor": "auditor",
      "database": {"dialect": "...", "location": "...", "bodies": ["..."]},
      "chains": 2,
      "events": 12,                                        # sum of the heads' seq
      "heads": [{"stream": "body:x", "seq": 2, "hash": "..."}, ...],   # sorted by stream
      "root_hash": "..."
    }

``root_hash`` is SHA-256 (hex) over the canonical JSON (sorted keys, no spaces, UTF-8) of the
``heads`` list, sorted by stream. Reading a seal recomputes it, so an edited file is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from workflow.core.clock import local
from workflow.core.errors import InvalidInput
from workflow.core.i18n import _
from workflow.core.inputs import loads_json, read_file_bytes
from workflow.core.model import ChainHead, Seal

FORMAT = "ratsweg-audit-seal"
FORMAT_VERSION = 1
_HEX64 = re.compile(r"[0-9a-f]{64}")


def root_hash(heads: Iterable[ChainHead]) -> str:
    listed = [{"stream": h.stream, "seq": h.seq, "hash": h.hash} for h in heads]
    listed.sort(key=lambda h: str(h["stream"]))
    text = json.dumps(listed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal_document(seal: Seal) -> dict[str, Any]:
    utc = seal.sealed_at.astimezone(dt.UTC)
    return {
        "format": FORMAT,
        "format_version": seal.format_version,
        "sealed_at": utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "sealed_at_local": local(utc).isoformat(timespec="microseconds"),
        "actor": seal.actor,
        "database": seal.database,
        "chains": len(seal.heads),
        "events": seal.events,
        "heads": [{"stream": h.stream, "seq": h.seq, "hash": h.hash} for h in seal.heads],
        "root_hash": seal.root_hash,
    }


def dump_seal(seal: Seal) -> str:
    return json.dumps(seal_document(seal), ensure_ascii=False, indent=2) + "\n"


def read_seal(path: str | Path) -> Seal:
    """Parse and check a seal file.

    :raises InvalidInput: unreadable, not a seal, an unknown format version, or edited (the
        root hash does not match the heads).
    """
    name = str(path)
    try:
        document = loads_json(read_file_bytes(path))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            _(
                "seal file {name!r} is not JSON ({exc}); pass the file written by "
                "'ratsweg audit seal'"
            ).format(name=name, exc=exc)
        ) from None
    return parse_seal(document, name)


def parse_seal(document: Any, name: str) -> Seal:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidInput(
            _('{name!r} is not a ratsweg seal file (no "format": "{FORMAT}")').format(
                name=name, FORMAT=FORMAT
            )
        )
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise InvalidInput(
            _(
                "seal file {name!r} has format version {version!r}; this ratsweg reads "
                "version {FORMAT_VERSION}"
            ).format(name=name, version=version, FORMAT_VERSION=FORMAT_VERSION)
        )
    try:
        heads = tuple(_head(h) for h in document["heads"])
        sealed_at = dt.datetime.fromisoformat(str(document["sealed_at"]))
        seal = Seal(
            sealed_at=sealed_at,
            actor=str(document["actor"]),
            database=dict(document["database"]),
            heads=heads,
            root_hash=str(document["root_hash"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            _("seal file {name!r} is damaged: bad or missing field {exc}").format(
                name=name, exc=exc
            )
        ) from None
    if sealed_at.tzinfo is None:
        raise InvalidInput(
            _("seal file {name!r} is damaged: sealed_at has no time zone").format(name=name)
        )
    if root_hash(heads) != seal.root_hash:
        raise InvalidInput(
            _(
                "seal file {name!r} was altered: its root hash does not match its chain "
                "heads; use the original copy"
            ).format(name=name)
        )
    if len({h.stream for h in heads}) != len(heads):
        raise InvalidInput(
            _("seal file {name!r} is damaged: a chain is listed twice").format(name=name)
        )
    if document.get("events") != seal.events or document.get("chains") != len(heads):
        raise InvalidInput(
            _(
                "seal file {name!r} was altered: its event or chain count does not match its heads"
            ).format(name=name)
        )
    return seal


def _head(value: Any) -> ChainHead:
    if not isinstance(value, dict):
        raise TypeError("heads")
    stream, seq, digest = value["stream"], value["seq"], value["hash"]
    if not isinstance(stream, str) or not isinstance(seq, int) or seq < 1:
        raise ValueError("heads")
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise ValueError("heads.hash")
    return ChainHead(stream=stream, seq=seq, hash=digest)
