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

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SCHEMA_DIR = Path(__file__).parent / "schema"
TYPE_URL = re.compile(r"^https://schema\.oparl\.org/(1\.[01])/([A-Za-z]+)$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
VENDOR_KEY = re.compile(r"^[A-Za-z0-9_-]+:")
MAX_URL = 255
#: lengths OParl clients store (meine-stadt-transparent's columns)
LIMITS = {
    "AgendaItem.number": 20,
    "Paper.reference": 50,
    "Consultation.role": 200,
    "File.name": 200,
}
TOMBSTONE_KEYS = frozenset({"id", "type", "created", "modified", "deleted"})
#: the folder of a tree that holds the files' content, not OParl objects
DOWNLOADS = "download"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: where (a file or an id), the JSON path in it, and what."""

    where: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.path or '/'}: {self.message}"


@dataclass(slots=True)
class Report:
    objects: int = 0
    pages: int = 0
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# -- schemas -------------------------------------------------------------------------------


def _rewrite(node: Any) -> Any:
    """``{"type": "object", "schema": "X.json"}`` -> ``{"$ref": "X.json"}``, everywhere."""
    if isinstance(node, dict):
        if node.get("type") == "object" and isinstance(node.get("schema"), str):
            return {"$ref": node["schema"]}
        return {key: _rewrite(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_rewrite(value) for value in node]
    return node


@cache
def schemas(version: str) -> dict[str, dict[str, Any]]:
    """The schema files of one OParl version by type name, as shipped (not rewritten)."""
    folder = SCHEMA_DIR / version
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.json"))
    }


def _format_checker() -> Any:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())

    @checker.checks("date")
    def is_date(value: object) -> bool:
        return not isinstance(value, str) or (DATE.match(value) is not None and _parses(value))

    @checker.checks("date-time")
    def is_date_time(value: object) -> bool:
        return not isinstance(value, str) or (DATE_TIME.match(value) is not None and _parses(value))

    @checker.checks("url")
    def is_url(value: object) -> bool:
        return not isinstance(value, str) or is_absolute_url(value)

    return checker


def _parses(value: str) -> bool:
    try:
        (dt.datetime if "T" in value else dt.date).fromisoformat(value)
    except ValueError:
        return False
    return True


def is_absolute_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@cache
def _validators(version: str) -> dict[str, Any]:
    from jsonschema import Draft7Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT7

    files = {name: _rewrite(schema) for name, schema in schemas(version).items()}
    registry: Registry[Any] = Registry().with_resources(
        (f"{name}.json", DRAFT7.create_resource(schema)) for name, schema in files.items()
    )
    checker = _format_checker()
    return {
        name: Draft7Validator(schema, registry=registry, format_checker=checker)
        for name, schema in files.items()
    }


@cache
def references() -> dict[str, dict[str, str]]:
    """1.1: for each type, its link properties and the type they point at (or externalList)."""
    found: dict[str, dict[str, str]] = {}
    for name, schema in schemas("1.1").items():
        found[name] = {
            prop: spec["references"]
            for prop, spec in schema["properties"].items()
            if isinstance(spec, dict) and "references" in spec
        }
    return found


def type_of(obj: Mapping[str, Any]) -> tuple[str, str] | None:
    """(version, type name) of an OParl object, or None."""
    match = TYPE_URL.match(str(obj.get("type", "")))
    return (match.group(1), match.group(2)) if match else None


# -- single objects ------------------------------------------------------------------------


def embedded(obj: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every OParl object embedded in ``obj`` (at any depth), with its JSON path."""
    for key, value in obj.items():
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            if isinstance(item, dict) and type_of(item) is not None:
                where = f"{path}/{key}" + ("" if index is None else f"/{index}")
                yield where, item
                yield from embedded(item, where)


def check_object(obj: Any, where: str, *, strict: bool = True, rules: bool = True) -> list[Problem]:
    """Schema and per-object rules for ``obj`` and everything embedded in it.

    ``rules=False`` checks the schema only; ``strict`` adds the checks our own export keeps
    (no unknown non-vendor keys, AgendaItem ``order`` from 0 in array order).
    """
    if not isinstance(obj, dict):
        return [Problem(where, "", "is not a JSON object")]
    kind = type_of(obj)
    if kind is None:
        return [Problem(where, "/type", f"{obj.get('type')!r} is not an OParl type URL")]
    version, name = kind
    validator = _validators(version).get(name)
    problems = []
    if validator is None:
        problems.append(Problem(where, "/type", f"OParl {version} has no schema for {name}"))
    else:
        for error in sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path)):
            if obj.get("deleted") is True and error.validator == "required" and not error.path:
                continue  # a tombstone keeps only id, type, created, modified (rules below)
            pointer = "".join(f"/{part}" for part in error.absolute_path)
            problems.append(Problem(where, pointer, _short(error.message)))
    if rules:
        for path, item in [("", obj), *embedded(obj)]:
            problems.extend(_object_rules(item, where, path, strict=strict))
    return problems


def _short(message: str, limit: int = 240) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _object_rules(obj: dict[str, Any], where: str, path: str, *, strict: bool) -> list[Problem]:
    kind = type_of(obj)
    assert kind is not None
    version, name = kind
    schema = schemas(version).get(name, {})
    required = set(schema.get("required", ()))
    known = set(schema.get("properties", {}))
    if obj.get("deleted") is True:
        return _tombstone_rules(obj, where, path, strict=strict)
    found = [
        Problem(where, f"{path}/{key}", "is missing (every object needs created and modified)")
        for key in ("created", "modified")
        if key not in obj
    ]
    for key, value in obj.items():
        if key not in required and (value is None or value in ("", [], {})):
            found.append(
                Problem(where, f"{path}/{key}", f"is empty ({json.dumps(value)}); leave it out")
            )
        if strict and known and key not in known and not VENDOR_KEY.match(key):
            found.append(Problem(where, f"{path}/{key}", f"is not a property of {name}"))
    found.extend(_lengths(obj, name, where, path))
    start, end = obj.get("start"), obj.get("end")
    if _instants_reversed(start, end):
        found.append(Problem(where, f"{path}/end", f"{end} is before start {start}"))
    if strict and name == "Meeting":
        items = obj.get("agendaItem", [])
        orders = [i.get("order") for i in items if isinstance(i, dict)]
        if orders != list(range(len(orders))):
            found.append(
                Problem(
                    where,
                    f"{path}/agendaItem",
                    f"order is {orders}; number the items 0, 1, 2, ... in array order",
                )
            )
    return found


def _lengths(obj: dict[str, Any], name: str, where: str, path: str) -> Iterator[Problem]:
    """What clients store in columns of fixed length: URLs, numbers, references, names."""
    for key, value in obj.items():
        values = value if isinstance(value, list) else [value]
        limit = LIMITS.get(f"{name}.{key}")
        for index, text in enumerate(values):
            if not isinstance(text, str):
                continue
            at = f"{path}/{key}" + (f"/{index}" if isinstance(value, list) else "")
            if limit is not None and len(text) > limit:
                yield Problem(where, at, f"is longer than {limit} characters")
            elif is_absolute_url(text) and len(text) > MAX_URL:
                yield Problem(where, at, f"is a URL longer than {MAX_URL} characters")


def _tombstone_rules(obj: dict[str, Any], where: str, path: str, *, strict: bool) -> list[Problem]:
    """A deleted object keeps id, type, created and modified; ours carry nothing else."""
    found = [
        Problem(where, f"{path}/{key}", "is missing (a deleted object keeps it)")
        for key in ("id", "created", "modified")
        if key not in obj
    ]
    if strict:
        found.extend(
            Problem(where, f"{path}/{key}", "is more than a deleted object may keep")
            for key in obj
            if key not in TOMBSTONE_KEYS
        )
    return found


def _instants_reversed(start: object, end: object) -> bool:
    if not (isinstance(start, str) and isinstance(end, str) and _parses(start) and _parses(end)):
        return False
    return dt.datetime.fromisoformat(start) > dt.datetime.fromisoformat(end)


def check_page(page: Any, where: str, *, strict: bool = True, rules: bool = True) -> Report:
    """A list page: ``data`` and ``links`` present, ``links.next`` absolute, every object."""
    report = Report(pages=1)
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        report.problems.append(Problem(where, "/data", "a list page needs a data array"))
        return report
    if not isinstance(page.get("links"), dict):
        report.problems.append(Problem(where, "/links", "a list page needs links ({} is fine)"))
    else:
        following = page["links"].get("next")
        if following is not None and not (
            isinstance(following, str) and is_absolute_url(following)
        ):
            report.problems.append(
                Problem(where, "/links/next", f"{following!r} is not an absolute URL")
            )
    for index, obj in enumerate(page["data"]):
        report.objects += 1
        for problem in check_object(obj, where, strict=strict, rules=rules):
            report.problems.append(
                Problem(problem.where, f"/data/{index}{problem.path}", problem.message)
            )
    return report


# -- trees ---------------------------------------------------------------------------------


def check_tree(
    objects: Iterable[tuple[str, dict[str, Any]]],
    lists: Iterable[tuple[str, dict[str, Any]]],
    contents: Iterable[str] = (),
) -> list[Problem]:
    """Links between objects of a whole tree.

    ``objects``: (where, object) for every object reachable by id (standalone or list data);
    ``lists``: (URL, page) for every list page; ``contents``: URLs of the files' content.
    """
    index: dict[str, dict[str, Any]] = {}
    occurrences: list[tuple[str, dict[str, Any]]] = []
    problems = []
    for where, obj in objects:
        for _, item in [("", obj), *embedded(obj)]:
            if not isinstance(item.get("id"), str):
                continue
            occurrences.append((where, item))
            if index.setdefault(item["id"], item) != item:
                problems.append(
                    Problem(where, "", f"{item['id']} differs from the object at its URL")
                )
    pages = dict(lists)
    problems.extend(
        Problem(url, "/links/next", f"{page['links']['next']!r} does not resolve to a list page")
        for url, page in pages.items()
        if isinstance(page.get("links"), dict)
        and "next" in page["links"]
        and page["links"]["next"] not in pages
    )
    files = set(contents)
    for where, obj in occurrences:
        problems.extend(_links(obj, where, index, pages, files))
    return sorted(set(problems), key=lambda p: (p.where, p.path, p.message))


def _links(
    obj: dict[str, Any],
    where: str,
    index: Mapping[str, dict[str, Any]],
    pages: Mapping[str, Any],
    files: set[str],
) -> Iterator[Problem]:
    kind = type_of(obj)
    if kind is None or kind[0] != "1.1":
        return
    name = kind[1]
    at = f"{where} ({obj.get('id')})"
    for prop, target in references().get(name, {}).items():
        if prop not in obj:
            continue
        values = obj[prop] if isinstance(obj[prop], list) else [obj[prop]]
        for value in values:
            if target == "externalList":
                if value not in pages:
                    yield Problem(at, f"/{prop}", f"{value!r} does not resolve to a list page")
                continue
            linked = index.get(value) if isinstance(value, str) else None
            if linked is None:
                yield Problem(at, f"/{prop}", f"{value!r} does not resolve to an object")
            elif type_of(linked) != ("1.1", target):
                yield Problem(at, f"/{prop}", f"{value!r} is a {linked.get('type')}, not {target}")
            elif linked.get("deleted") is True and obj.get("deleted") is not True:
                yield Problem(at, f"/{prop}", f"{value!r} is deleted; leave the link out")
    if name == "File":
        for prop in ("accessUrl", "downloadUrl"):
            if prop in obj and obj[prop] not in files:
                yield Problem(at, f"/{prop}", f"{obj[prop]!r} does not resolve to a file")
    if name == "Consultation":
        yield from _consultation_links(obj, at, index)
    if name == "AgendaItem" and "consultation" in obj:
        consultation = index.get(obj["consultation"], {})
        if consultation and consultation.get("agendaItem") != obj.get("id"):
            yield Problem(
                at,
                "/consultation",
                f"{obj['consultation']} does not point back (its agendaItem is "
                f"{consultation.get('agendaItem')!r})",
            )


def _consultation_links(
    obj: dict[str, Any], at: str, index: Mapping[str, dict[str, Any]]
) -> Iterator[Problem]:
    item = index.get(obj.get("agendaItem", ""))
    if item is not None and item.get("consultation") != obj.get("id"):
        yield Problem(
            at,
            "/agendaItem",
            f"{obj['agendaItem']} does not point back (its consultation is "
            f"{item.get('consultation')!r})",
        )
    meeting = index.get(obj.get("meeting", ""))
    if meeting is None:
        return
    if item is not None and item.get("id") not in {
        i.get("id") for i in meeting.get("agendaItem", [])
    }:
        yield Problem(at, "/agendaItem", f"{item.get('id')} is not on meeting {meeting['id']}")
    organizations = obj.get("organization", [])
    if organizations and organizations[0] not in meeting.get("organization", []):
        yield Problem(
            at, "/organization", f"{organizations[0]} is not an organization of {meeting['id']}"
        )


# -- directories ---------------------------------------------------------------------------


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
    loaded: list[tuple[str, Any]] = []
    for file in files:
        where = file.relative_to(root).as_posix()
        try:
            loaded.append((where, json.loads(file.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            report.problems.append(Problem(where, "", f"is not readable JSON: {exc}"))
    report.files = len(files)
    if not files:
        report.problems.append(Problem(str(path), "", "holds no JSON files"))
    base = _base_url(loaded)
    objects: list[tuple[str, dict[str, Any]]] = []
    lists: list[tuple[str, dict[str, Any]]] = []
    for where, document in loaded:
        url = f"{base}{where.removesuffix('.json')}" if base else where
        if isinstance(document, dict) and "data" in document:
            page = check_page(document, where, strict=strict, rules=rules)
            report.pages += 1
            report.objects += page.objects
            report.problems.extend(page.problems)
            lists.append((url, document))
            objects.extend((where, o) for o in document["data"] if isinstance(o, dict))
            continue
        if isinstance(document, list):  # a bare array of objects, as some crawlers store them
            for index, obj in enumerate(document):
                report.objects += 1
                report.problems.extend(
                    Problem(p.where, f"/{index}{p.path}", p.message)
                    for p in check_object(obj, where, strict=strict, rules=rules)
                )
            objects.extend((where, o) for o in document if isinstance(o, dict))
            continue
        report.objects += 1
        report.problems.extend(check_object(document, where, strict=strict, rules=rules))
        if isinstance(document, dict):
            objects.append((where, document))
            if base and document.get("id") != url:
                report.problems.append(
                    Problem(where, "/id", f"{document.get('id')!r} is not this file's URL {url}")
                )
    if base and rules:
        documents = set(files)
        contents = [
            f"{base}{p.relative_to(root).as_posix()}"
            for p in root.rglob("*")
            if p.is_file() and p not in documents
        ]
        report.problems.extend(check_tree(objects, lists, contents))
    return report


def _base_url(loaded: Iterable[tuple[str, Any]]) -> str | None:
    """BASE/ when the tree has ``system.json`` whose id is ``BASE/system``."""
    for where, document in loaded:
        if where == "system.json" and isinstance(document, dict):
            system_id = str(document.get("id", ""))
            if system_id.endswith("/system"):
                return system_id.removesuffix("system")
    return None
