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

A folder of seals (``ratsweg worker --seal-dir``, ``audit verify --seals``) holds one file per
seal, named by its UTC time (``seal-20250310T090000.000000Z.json``), written to a hidden
temporary file first and linked under its name, so a reader never sees half a seal and no
seal is ever overwritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
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
SEAL_SUFFIX = ".json"


@dataclass(frozen=True, slots=True)
class SealFile:
    """One file of a folder of seals: the seal, or why it cannot be read (one line)."""

    name: str
    seal: Seal | None
    error: str | None = None


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


def seal_file_name(sealed_at: dt.datetime) -> str:
    return "seal-" + sealed_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ") + SEAL_SUFFIX


def write_seal_file(seal: Seal, directory: str | Path) -> Path:
    """Write ``seal`` into ``directory`` under a new name made from its UTC time: a hidden
    temporary file, synced, then linked under that name (never replacing a file; a second
    seal of the same instant gets ``-1``, ``-2``, ... appended).

    :raises OSError: the folder cannot be written.
    """
    folder = Path(directory)
    fd, temporary = tempfile.mkstemp(prefix=".seal-", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dump_seal(seal))
            handle.flush()
            os.fsync(handle.fileno())
        stem = seal_file_name(seal.sealed_at).removesuffix(SEAL_SUFFIX)
        for attempt in range(1000):
            target = folder / f"{stem}{f'-{attempt}' if attempt else ''}{SEAL_SUFFIX}"
            try:
                _claim(temporary, target)
            except FileExistsError:
                continue
            return target
        raise FileExistsError(
            _("too many seals named {stem} in {folder}").format(stem=stem, folder=folder)
        )
    finally:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()


def _claim(temporary: str, target: Path) -> None:
    """Give the written file its name, never replacing one: a hard link (atomic, fails if the
    name is taken); where the file system has none, a rename after checking the name."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise
    except OSError:
        if target.exists():
            raise FileExistsError(target) from None
        Path(temporary).replace(target)


def read_seal_dir(directory: str | Path) -> list[SealFile]:
    """Every ``*.json`` file of a folder (not hidden ones), each read as a seal, by name.

    :raises InvalidInput: the folder cannot be listed, or holds no seal file.
    """
    name = str(directory)
    try:
        entries = sorted(
            e.name
            for e in Path(directory).iterdir()
            if e.name.endswith(SEAL_SUFFIX) and not e.name.startswith(".")
        )
    except NotADirectoryError:
        raise InvalidInput(
            _("{name!r} is not a folder; pass the folder of seal files").format(name=name)
        ) from None
    except OSError as exc:
        raise InvalidInput(
            _("cannot read the folder {name!r}: {reason}").format(
                name=name, reason=exc.strerror or exc
            )
        ) from None
    if not entries:
        raise InvalidInput(
            _(
                "the folder {name!r} holds no seal files (*{SEAL_SUFFIX}); pass the "
                "folder 'ratsweg worker --seal-dir' or 'ratsweg audit seal --output' "
                "writes to"
            ).format(name=name, SEAL_SUFFIX=SEAL_SUFFIX)
        )
    files = []
    for entry in entries:
        try:
            files.append(SealFile(entry, read_seal(Path(directory) / entry)))
        except InvalidInput as exc:
            files.append(SealFile(entry, None, str(exc)))
    return files
