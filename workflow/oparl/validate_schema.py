"""The OParl 1.0/1.1 JSON schemas shipped in ``schema/``, their validators and what they say
about types and links. ``workflow.oparl.validate`` describes the checks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SCHEMA_DIR = Path(__file__).parent / "schema"
TYPE_URL = re.compile(r"^https://schema\.oparl\.org/(1\.[01])/([A-Za-z]+)$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


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
