"""Checks of single OParl objects and list pages: the schema plus the per-object rules real
clients rely on. ``workflow.oparl.validate`` describes the checks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.core.i18n import _
from workflow.oparl.validate_schema import _parses, _validators, is_absolute_url, schemas, type_of

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
        return [Problem(where, "", _("is not a JSON object"))]
    kind = type_of(obj)
    if kind is None:
        return [
            Problem(
                where,
                "/type",
                _("{obj_get_type!r} is not an OParl type URL").format(obj_get_type=obj.get("type")),
            )
        ]
    version, name = kind
    validator = _validators(version).get(name)
    problems = []
    if validator is None:
        problems.append(
            Problem(
                where,
                "/type",
                _("OParl {version} has no schema for {name}").format(version=version, name=name),
            )
        )
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
        Problem(where, f"{path}/{key}", _("is missing (every object needs created and modified)"))
        for key in ("created", "modified")
        if key not in obj
    ]
    for key, value in obj.items():
        if key not in required and (value is None or value in ("", [], {})):
            found.append(
                Problem(
                    where,
                    f"{path}/{key}",
                    _("is empty ({json}); leave it out").format(json=json.dumps(value)),
                )
            )
        if strict and known and key not in known and not VENDOR_KEY.match(key):
            found.append(
                Problem(where, f"{path}/{key}", _("is not a property of {name}").format(name=name))
            )
    found.extend(_lengths(obj, name, where, path))
    start, end = obj.get("start"), obj.get("end")
    if _instants_reversed(start, end):
        found.append(
            Problem(
                where,
                f"{path}/end",
                _("{end} is before start {start}").format(end=end, start=start),
            )
        )
    if strict and name == "Meeting":
        items = obj.get("agendaItem", [])
        orders = [i.get("order") for i in items if isinstance(i, dict)]
        if orders != list(range(len(orders))):
            found.append(
                Problem(
                    where,
                    f"{path}/agendaItem",
                    _("order is {orders}; number the items 0, 1, 2, ... in array order").format(
                        orders=orders
                    ),
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
                yield Problem(where, at, _("is longer than {limit} characters").format(limit=limit))
            elif is_absolute_url(text) and len(text) > MAX_URL:
                yield Problem(
                    where,
                    at,
                    _("is a URL longer than {MAX_URL} characters").format(MAX_URL=MAX_URL),
                )


def _tombstone_rules(obj: dict[str, Any], where: str, path: str, *, strict: bool) -> list[Problem]:
    """A deleted object keeps id, type, created and modified; ours carry nothing else."""
    found = [
        Problem(where, f"{path}/{key}", _("is missing (a deleted object keeps it)"))
        for key in ("id", "created", "modified")
        if key not in obj
    ]
    if strict:
        found.extend(
            Problem(where, f"{path}/{key}", _("is more than a deleted object may keep"))
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
        report.problems.append(Problem(where, "/data", _("a list page needs a data array")))
        return report
    if not isinstance(page.get("links"), dict):
        report.problems.append(Problem(where, "/links", _("a list page needs links ({} is fine)")))
    else:
        following = page["links"].get("next")
        if following is not None and not (
            isinstance(following, str) and is_absolute_url(following)
        ):
            report.problems.append(
                Problem(
                    where,
                    "/links/next",
                    _("{following!r} is not an absolute URL").format(following=following),
                )
            )
    for index, obj in enumerate(page["data"]):
        report.objects += 1
        for problem in check_object(obj, where, strict=strict, rules=rules):
            report.problems.append(
                Problem(problem.where, f"/data/{index}{problem.path}", problem.message)
            )
    return report
