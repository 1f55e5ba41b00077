"""Check OParl objects and whole trees: the OParl 1.0/1.1 JSON schemas plus the rules real
clients rely on.

Schema recipe: the files in ``schema/<version>/`` are registered by file name in a
``referencing.Registry`` and checked with a Draft 7 validator. In 1.1 the non-standard
``{"type": "object", "schema": "X.json"}`` is rewritten to ``{"$ref": "X.json"}`` first, so
embedded objects (File, Consultation, AgendaItem, ...) are checked too. ``date``,
``date-time`` (with an offset, no ``Z``, no fractions) and ``url`` are checked strictly.

Rules beyond the schema, for every object, embedded ones included:
- ``created`` and ``modified`` are present; a deleted object (``deleted: true``) keeps
  ``id``, ``type``, ``created`` and ``modified`` and (``strict``) nothing else;
- no ``null``, ``""``, ``[]`` or ``{}`` on an optional property;
- ``start`` is not after ``end`` (Meeting, AgendaItem); every URL is at most 255
  characters, AgendaItem ``number`` at most 20, Paper ``reference`` 50, Consultation
  ``role`` and File ``name`` 200 (what clients store);
- a Meeting's AgendaItems have ``order`` 0, 1, 2, ... in array order (``strict``).

Rules for a tree (``check_tree``), where every object can be reached by its id:
- every link to an object resolves to an object of the referenced type (not a deleted
  one), every list link to
  a list page; ``links.next`` is absolute and resolves;
- AgendaItem and Consultation point at each other, and the consultation's first
  organization is one of the meeting's.

The schema files are OParl/spec's (CC BY-SA 4.0); see ``schema/SOURCES.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.core.errors import InvalidInput
from workflow.core.i18n import _
from workflow.core.inputs import loads_json, read_file_bytes
from workflow.oparl.validate_object import (
    LIMITS,
    MAX_URL,
    TOMBSTONE_KEYS,
    Problem,
    Report,
    check_object,
    check_page,
    embedded,
)
from workflow.oparl.validate_schema import is_absolute_url, references, schemas, type_of
from workflow.oparl.validate_tree import check_tree

__all__ = [
    "DOWNLOADS",
    "LIMITS",
    "MAX_URL",
    "TOMBSTONE_KEYS",
    "Problem",
    "Report",
    "check_object",
    "check_page",
    "check_tree",
    "embedded",
    "is_absolute_url",
    "references",
    "schemas",
    "type_of",
    "validate_path",
]

#: the folder of a tree that holds the files' content, not OParl objects
DOWNLOADS = "download"


def validate_path(path: Path, *, strict: bool = True, rules: bool = True) -> Report:
    """Check one JSON file, or every ``*.json`` file under a directory.

    In a tree with a System object (``system.json``), each file's URL is its path under the
    System's base URL (``a/b.json`` is ``BASE/a/b``): then every standalone object's id must
    be its URL, and every link must resolve inside the tree. Files under ``download/`` are
    the files' content (``BASE/download/...``), not OParl objects.
    """
    report = Report()
    root = path.parent if path.is_file() else path
    files = [path] if path.is_file() else sorted(path.rglob("*.json"))
    files = [f for f in files if f.relative_to(root).parts[0] != DOWNLOADS]
    loaded = _load(files, root, report)
    report.files = len(files)
    if not files:
        report.problems.append(Problem(str(path), "", _("holds no JSON files")))
    walk = _Walk(report, _base_url(loaded), strict=strict, rules=rules)
    for where, document in loaded:
        walk.document(where, document)
    if walk.base and rules:
        documents = set(files)
        contents = [
            f"{walk.base}{p.relative_to(root).as_posix()}"
            for p in root.rglob("*")
            if p.is_file() and p not in documents
        ]
        report.problems.extend(check_tree(walk.objects, walk.lists, contents))
    return report


def _load(files: list[Path], root: Path, report: Report) -> list[tuple[str, Any]]:
    """(path under ``root``, parsed JSON) of each file; one that cannot be read is a problem."""
    loaded: list[tuple[str, Any]] = []
    for file in files:
        where = file.relative_to(root).as_posix()
        try:
            loaded.append((where, loads_json(read_file_bytes(file))))
        except (InvalidInput, UnicodeDecodeError, json.JSONDecodeError) as exc:
            report.problems.append(
                Problem(where, "", _("is not readable JSON: {exc}").format(exc=exc))
            )
    return loaded


@dataclass(slots=True)
class _Walk:
    """The documents of one ``validate_path`` run, each checked into ``report``; the objects
    and list pages are kept for ``check_tree``."""

    report: Report
    base: str | None
    strict: bool
    rules: bool
    objects: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lists: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def document(self, where: str, document: Any) -> None:
        url = f"{self.base}{where.removesuffix('.json')}" if self.base else where
        if isinstance(document, dict) and "data" in document:
            self.list_page(where, url, document)
        elif isinstance(document, list):  # a bare array of objects, as some crawlers store them
            self.array(where, document)
        else:
            self.standalone(where, url, document)

    def list_page(self, where: str, url: str, document: dict[str, Any]) -> None:
        page = check_page(document, where, strict=self.strict, rules=self.rules)
        self.report.pages += 1
        self.report.objects += page.objects
        self.report.problems.extend(page.problems)
        self.lists.append((url, document))
        self.objects.extend((where, o) for o in document["data"] if isinstance(o, dict))

    def array(self, where: str, document: list[Any]) -> None:
        for index, obj in enumerate(document):
            self.report.objects += 1
            self.report.problems.extend(
                Problem(p.where, f"/{index}{p.path}", p.message)
                for p in check_object(obj, where, strict=self.strict, rules=self.rules)
            )
        self.objects.extend((where, o) for o in document if isinstance(o, dict))

    def standalone(self, where: str, url: str, document: Any) -> None:
        self.report.objects += 1
        self.report.problems.extend(
            check_object(document, where, strict=self.strict, rules=self.rules)
        )
        if isinstance(document, dict):
            self.objects.append((where, document))
            if self.base and document.get("id") != url:
                self.report.problems.append(
                    Problem(
                        where,
                        "/id",
                        _("{document_get_id!r} is not this file's URL {url}").format(
                            document_get_id=document.get("id"), url=url
                        ),
                    )
                )


def _base_url(loaded: Iterable[tuple[str, Any]]) -> str | None:
    """BASE/ when the tree has ``system.json`` whose id is ``BASE/system``."""
    for where, document in loaded:
        if where == "system.json" and isinstance(document, dict):
            system_id = str(document.get("id", ""))
            if system_id.endswith("/system"):
                return system_id.removesuffix("system")
    return None
