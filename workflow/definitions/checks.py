"""The generic checks every section uses: types, required and unknown keys, ids, enums.

Each reports what is wrong to the file's ``_Ctx`` and returns what is usable.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from workflow.core.errors import did_you_mean
from workflow.core.i18n import N_, _
from workflow.definitions.yaml_reader import _Ctx, _describe, _line, _Map

_ID = re.compile(r"[a-z0-9_]+")
_USER_ID = re.compile(r"[a-z0-9_.-]+")
_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "str": ((str,), N_("a string")),
    "bool": ((bool,), N_("a boolean (true or false)")),
    "int": ((int,), N_("an integer")),
    "number": ((int, float), N_("a number")),
    "list": ((list,), N_("a list")),
    "map": ((dict,), N_("a mapping")),
    "str_or_list": ((str, list), N_("a string or a list of strings")),
}
_E = TypeVar("_E", bound=StrEnum)
#: What one record of a list section is called in a problem.
_RECORD_NAMES = {
    "organizations": N_("organization"),
    "paper_types": N_("paper type"),
    "routes": N_("route"),
    "users": N_("user"),
}


def _check_type(ctx: _Ctx, value: Any, expected: str, line: int, path: str) -> bool:
    types, name = _TYPES[expected]
    if isinstance(value, types) and not (expected == "int" and isinstance(value, bool)):
        return True
    message = _("expected {expected}, got {got}").format(expected=_(name), got=_describe(value))
    if str in types and not isinstance(value, list | dict | None):
        message += _("; quote the value (YAML reads yes/no/on/off as booleans)")
    ctx.add(line, path, message)
    return False


def _unknown(value: str, choices: Collection[str]) -> str:
    hint = did_you_mean(value, choices)
    allowed = _("allowed: {names}").format(names=", ".join(choices))
    return hint or (f" ({allowed})" if choices else "")


def _record(
    ctx: _Ctx, node: Any, line: int, path: str, spec: Mapping[str, str], required: Collection[str]
) -> dict[str, Any] | None:
    """The well-typed fields of one mapping; None if it is no mapping or a required key is bad."""
    if not _check_type(ctx, node, "map", line, path):
        return None
    out: dict[str, Any] = {}
    for key, value in node.items():
        key_line, key_path = node.key_lines[key], f"{path}.{key}"
        if key not in spec:
            message = _("unknown key {key!r}").format(key=key)
            ctx.add(key_line, key_path, message + _unknown(key, list(spec)))
        elif _check_type(ctx, value, spec[key], key_line, key_path):
            out[key] = value
    missing = [key for key in required if key not in node]
    for key in missing:
        ctx.add(node.line, path, _("missing required key {key!r}").format(key=key))
    return None if missing or any(key not in out for key in required) else out


def _items(ctx: _Ctx, node: Any, line: int, path: str) -> Iterator[tuple[Any, int, str]]:
    if _check_type(ctx, node, "list", line, path):
        for index, item in enumerate(node):
            yield item, node.item_lines[index], f"{path}[{index}]"


def _strings(ctx: _Ctx, node: Any, line: int, path: str) -> list[tuple[str, int, str]]:
    """A string or a list of strings, each with its line and path."""
    if isinstance(node, str):
        return [(node, line, path)]
    return [
        (item, item_line, item_path)
        for item, item_line, item_path in _items(ctx, node, line, path)
        if _check_type(ctx, item, "str", item_line, item_path)
    ]


def _enum(ctx: _Ctx, enum: type[_E], value: str, line: int, path: str, what: str) -> _E | None:
    """The enum member ``value`` names; ``what`` (marked with ``N_``) names it in a problem."""
    try:
        return enum(value)
    except ValueError:
        ctx.add(line, path, unknown_value(what, value, [e.value for e in enum]))
        return None


def unknown_value(what: str, value: str, choices: Collection[str]) -> str:
    """ "unknown role 'x' (did you mean 'y'?)": ``what`` is a catalogue id (mark it with
    ``N_``)."""
    text = _("unknown {what} {value!r}").format(what=_(what), value=value)
    return text + _unknown(value, choices)


def _records(
    ctx: _Ctx,
    node: Any,
    line: int,
    section: str,
    spec: Mapping[str, str],
    required: Collection[str],
) -> Iterator[tuple[_Map, dict[str, Any], str]]:
    """The section's well-typed records whose id is well formed and unique."""
    pattern, seen = _USER_ID if section == "users" else _ID, dict[str, int]()
    what = _(_RECORD_NAMES[section])
    for item, item_line, path in _items(ctx, node, line, section):
        rec = _record(ctx, item, item_line, path, spec, required)
        if rec is None:
            continue
        value, id_line = rec["id"], _line(item, "id")
        if not pattern.fullmatch(value):
            allowed = pattern.pattern.strip("[]+")
            message = _("{what} id {value!r} may contain only {allowed}").format(
                what=what, value=value, allowed=allowed
            )
            ctx.add(id_line, f"{path}.id", message)
        elif value in seen:
            message = _("duplicate {what} id {value!r} (first at line {first})").format(
                what=what, value=value, first=seen[value]
            )
            ctx.add(id_line, f"{path}.id", message)
        else:
            seen[value] = id_line
            yield item, rec, path


def _raw_ids(node: Any) -> list[str]:
    """Ids given in a list section, well formed or not (to avoid follow-on problems)."""
    items = node if isinstance(node, list) else []
    return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]


#: The longest period in days (a year) and in months (ten years) a rule may give: larger
#: numbers are typing errors, and would break the date arithmetic of every paper.
MAX_DAYS, MAX_MONTHS = 366, 120


def _at_least(
    ctx: _Ctx,
    node: _Map,
    rec: Mapping[str, Any],
    key: str,
    path: str,
    low: int,
    high: int | None = None,
) -> None:
    if key in rec and rec[key] < low:
        message = _("{key} must be at least {low}, got {value}")
        ctx.add(_line(node, key), f"{path}.{key}", message.format(key=key, low=low, value=rec[key]))
    elif key in rec and high is not None and rec[key] > high:
        message = _("{key} must be at most {high}, got {value}")
        ctx.add(
            _line(node, key), f"{path}.{key}", message.format(key=key, high=high, value=rec[key])
        )
