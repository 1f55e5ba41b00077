"""Write the public record as a static OParl 1.1 tree (``ratsweg oparl export``).

Each object and list page at URL ``BASE/p`` is the file ``OUT_DIR/p.json``; list page n >= 2
is ``LIST/page-n``; file content is ``OUT_DIR/download/...`` under its own name. A static web
server maps a URL to ``$uri.json`` first, then to ``$uri`` (docs/oparl.md).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.core.errors import InvalidInput
from workflow.core.i18n import _
from workflow.oparl.publication import Publication, build_publication, walk

if TYPE_CHECKING:
    from workflow.uow import Shared


@dataclass(frozen=True, slots=True)
class ExportSummary:
    directory: Path
    objects: int
    pages: int
    files: int


def dump(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def export_tree(shared: Shared, out_dir: Path, base_url: str, page_size: int) -> ExportSummary:
    """Write the tree into ``out_dir``, which must not exist or be empty.

    Written next to it first and moved into place at the end, so a failure leaves nothing.
    :raises InvalidInput: ``out_dir`` is a file or a directory with content.
    """
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise InvalidInput(
            _("{out_dir!r} exists and is not an empty directory; choose a new OUT_DIR").format(
                out_dir=str(out_dir)
            )
        )
    parent = out_dir.resolve().parent
    if not parent.is_dir():
        raise InvalidInput(
            _("{parent!r} does not exist; create it or choose another OUT_DIR").format(
                parent=str(parent)
            )
        )
    publication = build_publication(shared, base_url)
    try:
        return _write_tree(publication, parent, out_dir, page_size)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise InvalidInput(
            _(
                "cannot write the OParl tree to {out_dir!r}: "
                "{reason}{where}; choose an OUT_DIR this user may write"
            ).format(out_dir=str(out_dir), reason=exc.strerror or exc, where=where)
        ) from exc


def _write_tree(
    publication: Publication, parent: Path, out_dir: Path, page_size: int
) -> ExportSummary:
    """Write into a folder next to ``out_dir`` and move it into place; nothing is left on a
    failure."""
    staging = Path(tempfile.mkdtemp(prefix=".oparl-", dir=parent))
    try:
        objects = pages = 0
        for path, document in walk(publication, page_size):
            _write(staging / f"{path}.json", dump(document))
            pages += "data" in document
            objects += "data" not in document
        for path, content in publication.contents.items():
            _write(staging / path, content.read())
        if out_dir.exists():
            out_dir.rmdir()
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportSummary(out_dir, objects, pages, len(publication.contents))


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
