"""Load and validate one municipality's definitions (a folder of YAML files) into a ``Catalog``.

Stages: discover the files, parse them (keeping line numbers, rejecting duplicate keys), check
every section, cross-check references, and only then build the frozen catalog. Every problem is
collected and reported at once in a ``DefinitionError``; see docs/definitions.md for the format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import re
import string
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from workflow.core.catalog import (
    CONSULTATION_EFFECTS,
    CONSULTATION_GUARDS,
    LIFECYCLE_NAMES,
    MEETING_EFFECTS,
    MEETING_GUARDS,
    OPTIONAL_LIFECYCLE_NAMES,
    PAPER_EFFECTS,
    PAPER_GUARDS,
    Body,
    Catalog,
    CoSignerRule,
    DecisionRules,
    DelegatedRule,
    Lifecycle,
    LifecycleState,
    LifecycleTransition,
    ObjectionRule,
    OParlMapping,
    Organization,
    PaperType,
    Procedure,
    RouteStep,
    RoutingTemplate,
    UrgentDecisionRule,
    User,
    VotingRule,
)
from workflow.core.deadlines import (
    DayOff,
    DayUnit,
    DeadlineRules,
    LeadTimeRule,
    NonWorkingDayPolicy,
    NoticeEvent,
    NoticeRule,
    ReminderRule,
    ReportRule,
    RuleSet,
    RuleSource,
)
from workflow.core.errors import DefinitionError, NotFoundError, Problem, did_you_mean, not_found
from workflow.core.model import (
    Action,
    ConsultationRole,
    ObjectionKind,
    OrganizationKind,
    Outcome,
    Role,
    Submitter,
)

SECTIONS = (
    "body",
    "organizations",
    "paper_types",
    "routes",
    "users",
    "lifecycles",
    "permissions",
    "deadlines",
    "procedure",
    "decisions",
    "oparl",
)
#: Sections a folder may leave out; the engine's defaults apply then.
OPTIONAL_SECTIONS = frozenset({"deadlines", "procedure", "decisions", "oparl"})
#: The 16 Länder (Bundesland codes).
STATES = frozenset(
    {"BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"}
)
LIFECYCLES_FILE = "lifecycles.yaml"
STANDARD_FOLDER = "_standard"
#: Triggers the engine fires or offers by name; every lifecycle must define them.
REQUIRED_TRIGGERS = {
    "paper": ("submit", "release", "begin_consultation", "adopt", "reject", "note", "withdraw"),
    # "drop" (abgesetzt) is optional: versions stored before it existed must still load.
    "consultation": ("schedule", "hold", "cancel"),
    "meeting": ("invite", "hold", "approve_minutes", "cancel"),
}
GUARDS = {"paper": PAPER_GUARDS, "consultation": CONSULTATION_GUARDS, "meeting": MEETING_GUARDS}
EFFECTS = {"paper": PAPER_EFFECTS, "consultation": CONSULTATION_EFFECTS, "meeting": MEETING_EFFECTS}
#: Permissions a definitions version may lack (stored before they existed): nobody holds them.
OPTIONAL_ACTIONS = frozenset(
    {
        Action.MEETING_MANAGE,
        Action.PAPER_ROUTE,
        Action.IMPLEMENTATION_PLAN,
        Action.IMPLEMENTATION_REPORT,
        Action.CO_SIGNATURE_OVERRULE,
    }
)
#: Where an optional permission absent from a stored version takes its roles from.
_FALLBACK_ACTIONS = {
    Action.PAPER_ROUTE: Action.CONSULTATION_RECORD,
    Action.IMPLEMENTATION_PLAN: Action.CONSULTATION_RECORD,
    Action.IMPLEMENTATION_REPORT: Action.PAPER_EDIT,
}

_ID = re.compile(r"[a-z0-9_]+")
_USER_ID = re.compile(r"[a-z0-9_.-]+")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")  # lifecycle states and triggers
_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "str": ((str,), "a string"),
    "bool": ((bool,), "a boolean (true or false)"),
    "int": ((int,), "an integer"),
    "number": ((int, float), "a number"),
    "list": ((list,), "a list"),
    "map": ((dict,), "a mapping"),
    "str_or_list": ((str, list), "a string or a list of strings"),
}
_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")


# -- parsing ------------------------------------------------------------------------------------


class _Map(dict[str, Any]):
    """A YAML mapping that remembers its own line and the line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class _Seq(list[Any]):
    """A YAML sequence that remembers its own line and the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers (1-based) and reports duplicate or non-string keys."""

    def __init__(self, text: str, ctx: _Ctx) -> None:
        super().__init__(text)
        self.ctx = ctx


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            loader.ctx.add(line, "", f"key {key_node.value!r} is {_describe(key)}; quote it")
            key = str(key_node.value)
        if key in result.key_lines:
            first = result.key_lines[key]
            loader.ctx.add(line, "", f"duplicate key {key!r} (first at line {first})")
            continue
        result.key_lines[key] = line
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(node.start_mark.line + 1)
    for item in node.value:
        result.item_lines.append(item.start_mark.line + 1)
        result.append(loader.construct_object(item, deep=True))
    return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


@dataclass(slots=True)
class _Ctx:
    """Where problems of one file go."""

    file: str
    problems: list[Problem]

    def add(self, line: int | None, path: str, message: str) -> None:
        self.problems.append(Problem(file=self.file, line=line, path=path, message=message))


def _parse(ctx: _Ctx, text: str) -> Any:
    loader = _LineLoader(text, ctx)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        ctx.add(line, "", f"YAML syntax error: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        ctx.add(None, "", f"YAML error: {exc}")
    finally:
        loader.dispose()
    return None


# -- generic checks -----------------------------------------------------------------------------


def _describe(value: Any) -> str:
    if value is None:
        return "an empty value"
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names |= {_Seq: "a list", _Map: "a mapping", list: "a list", dict: "a mapping"}
    return names.get(type(value), f"a {type(value).__name__}")  # dates and times


def _check_type(ctx: _Ctx, value: Any, expected: str, line: int, path: str) -> bool:
    types, name = _TYPES[expected]
    if isinstance(value, types) and not (expected == "int" and isinstance(value, bool)):
        return True
    message = f"expected {name}, got {_describe(value)}"
    if str in types and not isinstance(value, list | dict | None):
        message += "; quote the value (YAML reads yes/no/on/off as booleans)"
    ctx.add(line, path, message)
    return False


def _unknown(value: str, choices: Collection[str]) -> str:
    hint = did_you_mean(value, choices)
    return hint or (f" (allowed: {', '.join(choices)})" if choices else "")


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
            ctx.add(key_line, key_path, f"unknown key {key!r}{_unknown(key, list(spec))}")
        elif _check_type(ctx, value, spec[key], key_line, key_path):
            out[key] = value
    missing = [key for key in required if key not in node]
    for key in missing:
        ctx.add(node.line, path, f"missing required key {key!r}")
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
    try:
        return enum(value)
    except ValueError:
        ctx.add(line, path, f"unknown {what} {value!r}{_unknown(value, [e.value for e in enum])}")
        return None


def _line(node: Any, key: str) -> int:
    """The line of a key in a parsed mapping (the mapping's own line if the key is absent)."""
    return int(node.key_lines.get(key, node.line))


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
    what = section.rstrip("s").replace("_", " ")
    for item, item_line, path in _items(ctx, node, line, section):
        rec = _record(ctx, item, item_line, path, spec, required)
        if rec is None:
            continue
        value, id_line = rec["id"], _line(item, "id")
        if not pattern.fullmatch(value):
            allowed = pattern.pattern.strip("[]+")
            ctx.add(id_line, f"{path}.id", f"{what} id {value!r} may contain only {allowed}")
        elif value in seen:
            message = f"duplicate {what} id {value!r} (first at line {seen[value]})"
            ctx.add(id_line, f"{path}.id", message)
        else:
            seen[value] = id_line
            yield item, rec, path


def _raw_ids(node: Any) -> list[str]:
    """Ids given in a list section, well formed or not (to avoid follow-on problems)."""
    items = node if isinstance(node, list) else []
    return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]


# -- sections -----------------------------------------------------------------------------------

_BODY = {
    "id": "str",
    "name": "str",
    "short_name": "str",
    "state": "str",
    "time_zone": "str",
    "ags": "str",
    "ars": "str",
}
#: the first two digits of a Gemeindeschlüssel: the Bundesland
STATE_KEYS = {
    "SH": "01", "HH": "02", "NI": "03", "HB": "04", "NW": "05", "HE": "06", "RP": "07", "BW": "08",
    "BY": "09", "SL": "10", "BE": "11", "BB": "12", "MV": "13", "SN": "14", "ST": "15", "TH": "16",
}  # fmt: skip
_ORG = {"id": "str", "name": "str", "short_name": "str", "kind": "str", "seats": "int"}
_PAPER_TYPE = {
    "id": "str",
    "name": "str",
    "numbering": "str",
    "needs_concluding_step": "bool",
    "supplement_type": "str",
    "concluding_roles": "list",
    "submitted_by": "str",
    "answered": "bool",
    "votes": "bool",
}
_ROUTE = {"id": "str", "name": "str", "legal_basis": "str", "steps": "list"}
_STEP = {"organization": "str", "role": "str", "public": "bool"}
_USER = {"id": "str", "name": "str", "email": "str", "roles": "list", "offices": "list"}
_LIFECYCLE = {"initial": "str", "states": "map", "transitions": "list"}
_STATE = {"label": "str", "final": "bool"}
_TRANSITION = {"trigger": "str", "source": "str_or_list", "dest": "str", "label": "str"}
_TRANSITION_LISTS = {"roles": "list", "guards": "list", "effects": "list"}

Orgs = dict[str, Organization | None]  # None: defined, but unusable (problems reported already)


def _body(ctx: _Ctx, node: Any, line: int) -> Body | None:
    rec = _record(ctx, node, line, "body", _BODY, ("id", "name", "short_name", "state"))
    if rec is None:
        return None
    before = len(ctx.problems)
    if not _ID.fullmatch(rec["id"]):
        ctx.add(_line(node, "id"), "body.id", f"body id {rec['id']!r} may contain only a-z0-9_")
    if rec["state"] not in STATES:
        message = f"unknown state {rec['state']!r}{_unknown(rec['state'], sorted(STATES))}"
        ctx.add(_line(node, "state"), "body.state", message)
    try:
        ZoneInfo(rec.setdefault("time_zone", "Europe/Berlin"))
    except (ZoneInfoNotFoundError, ValueError):
        message = f"unknown time zone {rec['time_zone']!r}; use e.g. 'Europe/Berlin'"
        ctx.add(_line(node, "time_zone"), "body.time_zone", message)
    _municipality_keys(ctx, node, rec)
    return Body(**rec) if len(ctx.problems) == before else None


def _municipality_keys(ctx: _Ctx, node: Any, rec: dict[str, Any]) -> None:
    """``ags``: 8 digits; ``ars``: 12 digits, the AGS with the Verband's 4 digits inserted;
    both begin with the state's number."""
    for key, digits in (("ags", 8), ("ars", 12)):
        value = rec.get(key)
        if value is None:
            continue
        if not re.fullmatch(rf"[0-9]{{{digits}}}", value):
            message = f'{key} {value!r} must be {digits} digits; quote it ("07313000")'
            ctx.add(_line(node, key), f"body.{key}", message)
        elif STATE_KEYS.get(rec["state"], value[:2]) != value[:2]:
            message = (
                f"{key} {value!r} does not begin with {STATE_KEYS[rec['state']]!r}, the number "
                f"of state {rec['state']}"
            )
            ctx.add(_line(node, key), f"body.{key}", message)
    ags, ars = rec.get("ags"), rec.get("ars")
    if ags and ars and len(ars) == 12 and ars[:5] + ars[9:] != ags:
        message = f"ars {ars!r} does not contain ags {ags!r} (digits 1-5 and 10-12)"
        ctx.add(_line(node, "ars"), "body.ars", message)


def _organizations(ctx: _Ctx, node: Any, line: int) -> Orgs:
    orgs: Orgs = dict.fromkeys(_raw_ids(node))
    spec, required = {**_ORG, "public": "bool"}, ("id", "name", "kind")
    for item, rec, path in _records(ctx, node, line, "organizations", spec, required):
        kind = _enum(
            ctx, OrganizationKind, rec["kind"], _line(item, "kind"), f"{path}.kind", "kind"
        )
        seats, seats_line = rec.get("seats"), _line(item, "seats")
        if seats is not None and seats <= 0:
            ctx.add(seats_line, f"{path}.seats", f"seats must be positive, got {seats}")
        if kind is OrganizationKind.OFFICE:
            rec["public"] = True
            if seats is not None:
                message = "an office has no seats; remove 'seats' (only Gremien have them)"
                ctx.add(seats_line, f"{path}.seats", message)
        if kind is not None:  # kept despite other problems, so references to it can be checked
            orgs[rec["id"]] = Organization(**{**rec, "kind": kind})
    return orgs


def _check_numbering(ctx: _Ctx, pattern: str, line: int, path: str) -> bool:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
        bad = [field for field in fields if field not in ("year", "seq", "origin")]
        if bad:
            message = f"numbering may use only {{year}}, {{seq}} and {{origin}}, not {{{bad[0]}}}"
        elif "seq" not in fields:
            message = "numbering must contain {seq}, e.g. 'V/{year}/{seq}'"
        elif "origin" in fields and "year" in fields:
            message = "an Ergänzungsvorlage is numbered from {origin} and {seq}; drop {year}"
        else:
            pattern.format(year=2024, seq=1, origin="V/2024/1")
            return True
    except (ValueError, KeyError, IndexError) as exc:
        message = f"invalid numbering pattern {pattern!r}: {exc}"
    ctx.add(line, path, message)
    return False


def _paper_types(ctx: _Ctx, node: Any, line: int) -> dict[str, PaperType]:
    types: dict[str, PaperType] = {}
    required = ("id", "name", "numbering")
    links: list[tuple[str, int, str]] = []
    for item, rec, path in _records(ctx, node, line, "paper_types", _PAPER_TYPE, required):
        before = len(ctx.problems)
        _check_numbering(ctx, rec["numbering"], _line(item, "numbering"), f"{path}.numbering")
        roles_line = _line(item, "concluding_roles")
        entries = _strings(
            ctx, rec.get("concluding_roles", []), roles_line, f"{path}.concluding_roles"
        )
        roles = [_enum(ctx, ConsultationRole, *entry, "role") for entry in entries]
        for role, (value, role_line, role_path) in zip(roles, entries, strict=True):
            if role is not None and not role.concludes:
                message = f"{value!r} does not conclude a path; use entscheidung or kenntnisnahme"
                ctx.add(role_line, role_path, message)
        rec["concluding_roles"] = frozenset(r for r in roles if r is not None)
        submitter = _enum(
            ctx,
            Submitter,
            rec.get("submitted_by", "office"),
            _line(item, "submitted_by"),
            f"{path}.submitted_by",
            "submitter",
        )
        rec["submitted_by"] = submitter or Submitter.OFFICE
        if "supplement_type" in rec:
            links.append((rec["supplement_type"], _line(item, "supplement_type"), path))
        if len(ctx.problems) == before:
            types[rec["id"]] = PaperType(**rec)
    supplement_types = [t.id for t in types.values() if t.is_supplement]
    for target, link_line, path in links:
        kind = types.get(target)
        if kind is None or not kind.is_supplement:
            hint = (
                _unknown(target, supplement_types)
                if supplement_types
                else (
                    "; define a paper type whose numbering uses {origin}, e.g. '{origin}-E{seq:02d}'"
                )
            )
            message = f"supplement_type {target!r} is not an Ergänzungsvorlage type{hint}"
            ctx.add(link_line, f"{path}.supplement_type", message)
    return types


def _org_ref(ctx: _Ctx, orgs: Orgs | None, value: str, line: int, path: str, office: bool) -> None:
    """Check a reference to a deliberating organization (or, with office=True, an office)."""
    if orgs is None or (value in orgs and orgs[value] is None):
        return  # cannot be checked: the organization itself has problems
    wanted = [o.id for o in orgs.values() if o is not None and o.kind.deliberates != office]
    what = "office" if office else "deliberating organization"
    org = orgs.get(value)
    if org is None:
        ctx.add(line, path, f"unknown {what} {value!r}{_unknown(value, wanted)}")
    elif org.kind.deliberates == office:
        article = "an" if office else "a"
        message = f"{value!r} is of kind {org.kind.value}, expected {article} {what}"
        ctx.add(line, path, message + _unknown(value, wanted))


def _step(
    ctx: _Ctx, orgs: Orgs | None, item: Any, line: int, path: str, last: bool
) -> RouteStep | None:
    rec = _record(ctx, item, line, path, _STEP, ("organization", "role"))
    if rec is None:
        return None
    _org_ref(
        ctx, orgs, rec["organization"], _line(item, "organization"), f"{path}.organization", False
    )
    role_line = _line(item, "role")
    role = _enum(ctx, ConsultationRole, rec["role"], role_line, f"{path}.role", "role")
    if role is not None and last and not role.concludes:
        message = f"the last step must be entscheidung or kenntnisnahme, not {role.value}"
        ctx.add(role_line, f"{path}.role", message)
    elif role is not None and not last and role.concludes:
        message = f"only the last step may be {role.value}; make this step a vorberatung"
        ctx.add(role_line, f"{path}.role", message)
    return None if role is None else RouteStep(**{**rec, "role": role})


def _routes(ctx: _Ctx, node: Any, line: int, orgs: Orgs | None) -> dict[str, RoutingTemplate]:
    routes: dict[str, RoutingTemplate] = {}
    for item, rec, path in _records(ctx, node, line, "routes", _ROUTE, ("id", "name", "steps")):
        before, steps_line = len(ctx.problems), _line(item, "steps")
        entries = list(_items(ctx, rec["steps"], steps_line, f"{path}.steps"))
        if not entries:
            ctx.add(steps_line, f"{path}.steps", "a route needs at least one step")
        last = len(entries) - 1
        steps = [_step(ctx, orgs, *entry, last=i == last) for i, entry in enumerate(entries)]
        if len(ctx.problems) == before:
            routes[rec["id"]] = RoutingTemplate(**{**rec, "steps": tuple(steps)})
    return routes


def _users(ctx: _Ctx, node: Any, line: int, orgs: Orgs | None) -> dict[str, User]:
    users: dict[str, User] = {}
    for item, rec, path in _records(ctx, node, line, "users", _USER, ("id", "name", "roles")):
        before, roles_line = len(ctx.problems), _line(item, "roles")
        roles = [
            _enum(ctx, Role, *entry, "role")
            for entry in _strings(ctx, rec["roles"], roles_line, f"{path}.roles")
        ]
        if not rec["roles"]:
            ctx.add(roles_line, f"{path}.roles", "a user needs at least one role")
        offices = _strings(ctx, rec.get("offices", []), _line(item, "offices"), f"{path}.offices")
        for entry in offices:
            _org_ref(ctx, orgs, *entry, office=True)
        if len(ctx.problems) == before:
            rec["roles"] = frozenset(role for role in roles if role is not None)
            rec["offices"] = frozenset(value for value, _, _ in offices)
            users[rec["id"]] = User(**rec)
    return users


def _transition(
    ctx: _Ctx, name: str, item: Any, line: int, path: str, states: Mapping[str, bool]
) -> tuple[LifecycleTransition | None, list[str], str | None]:
    """One transition, plus its sources and dest for the reachability check.

    ``states`` maps each state id to whether it is final.
    """
    rec = _record(ctx, item, line, path, {**_TRANSITION, **_TRANSITION_LISTS}, list(_TRANSITION))
    if rec is None:
        return None, [], None
    before = len(ctx.problems)
    if not _NAME.fullmatch(rec["trigger"]):
        message = f"trigger {rec['trigger']!r} must be a lower-case name such as 'submit'"
        ctx.add(_line(item, "trigger"), f"{path}.trigger", message)
    sources = _strings(ctx, rec["source"], _line(item, "source"), f"{path}.source")
    for state, state_line, state_path in [
        *sources,
        (rec["dest"], _line(item, "dest"), f"{path}.dest"),
    ]:
        if state not in states:
            ctx.add(state_line, state_path, f"unknown state {state!r}{_unknown(state, states)}")
    for state, state_line, state_path in sources:
        if states.get(state):
            ctx.add(state_line, state_path, f"state {state!r} is final; nothing may leave it")
    checks = (("roles", "role", {r.value for r in Role}), ("guards", f"{name} guard", GUARDS[name]))
    named: dict[str, list[str]] = {}
    for key, what, allowed in (*checks, ("effects", f"{name} effect", EFFECTS[name])):
        values = _strings(ctx, rec.get(key, []), _line(item, key), f"{path}.{key}")
        for value, value_line, value_path in values:
            if value not in allowed:
                hint = _unknown(value, sorted(allowed))
                ctx.add(value_line, value_path, f"unknown {what} {value!r}{hint}")
        named[key] = [value for value, _, _ in values]
    source_ids = [state for state, _, _ in sources]
    if len(ctx.problems) > before:
        return None, source_ids, rec["dest"]
    roles = frozenset(Role(role) for role in named["roles"])
    guards, effects = tuple(named["guards"]), tuple(named["effects"])
    rec |= {"sources": tuple(source_ids), "roles": roles, "guards": guards, "effects": effects}
    del rec["source"]
    return LifecycleTransition(**rec), source_ids, rec["dest"]


def _lifecycle(ctx: _Ctx, name: str, node: Any, line: int) -> Lifecycle | None:
    path = f"lifecycles.{name}"
    rec = _record(ctx, node, line, path, _LIFECYCLE, list(_LIFECYCLE))
    if rec is None:
        return None
    before, state_nodes, initial = len(ctx.problems), rec["states"], rec["initial"]
    states: list[LifecycleState] = []
    for state_id, state_node in state_nodes.items():
        state_line, state_path = state_nodes.key_lines[state_id], f"{path}.states.{state_id}"
        if not _NAME.fullmatch(state_id):
            ctx.add(state_line, state_path, f"state {state_id!r} must be a lower-case name")
        state = _record(ctx, state_node, state_line, state_path, _STATE, ("label",))
        if state is not None:
            states.append(LifecycleState(id=state_id, **state))
    if not any(state.final for state in states):
        message = "no final state; mark at least one state with 'final: true'"
        ctx.add(_line(node, "states"), f"{path}.states", message)
    if initial not in state_nodes:
        message = f"initial state {initial!r} is not a state{_unknown(initial, state_nodes)}"
        ctx.add(_line(node, "initial"), f"{path}.initial", message)
    finals = dict.fromkeys(state_nodes, False) | {s.id: s.final for s in states}
    transitions, edges = _transitions(ctx, name, node, rec["transitions"], finals)
    reached, todo = {initial}, [initial]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in reached:
                reached.add(target)
                todo.append(target)
    for state_id in state_nodes if initial in state_nodes else ():
        if state_id not in reached:
            message = f"state {state_id!r} cannot be reached from the initial state {initial!r}"
            ctx.add(state_nodes.key_lines[state_id], f"{path}.states.{state_id}", message)
    if len(ctx.problems) > before:
        return None
    return Lifecycle(name=name, initial=initial, states=tuple(states), transitions=transitions)


def _transitions(
    ctx: _Ctx, name: str, node: _Map, items: Any, states: Mapping[str, bool]
) -> tuple[tuple[LifecycleTransition, ...], dict[str, set[str]]]:
    """The lifecycle's transitions and its edges (source -> dests), checking triggers."""
    path, line = f"lifecycles.{name}.transitions", _line(node, "transitions")
    transitions: list[LifecycleTransition] = []
    edges: dict[str, set[str]] = {}
    seen: dict[tuple[str, str], int] = {}
    for item, item_line, item_path in _items(ctx, items, line, path):
        transition, sources, dest = _transition(ctx, name, item, item_line, item_path, states)
        trigger = item.get("trigger") if isinstance(item, dict) else None
        for source in sources:
            edges.setdefault(source, set()).add(str(dest))
            if isinstance(trigger, str) and (trigger, source) in seen:
                first = seen[trigger, source]
                message = f"trigger {trigger!r} from {source!r} is already defined at line {first}"
                ctx.add(item_line, item_path, message)
            elif isinstance(trigger, str):
                seen[trigger, source] = item_line
        if transition is not None:
            transitions.append(transition)
    missing = [t for t in REQUIRED_TRIGGERS[name] if t not in {k for k, _ in seen}]
    if missing:
        ctx.add(line, path, f"missing trigger(s) the engine needs: {', '.join(missing)}")
    return tuple(transitions), edges


def _lifecycles(ctx: _Ctx, node: Any, line: int) -> dict[str, Lifecycle | None]:
    spec = dict.fromkeys((*LIFECYCLE_NAMES, *OPTIONAL_LIFECYCLE_NAMES), "map")
    rec = _record(ctx, node, line, "lifecycles", spec, LIFECYCLE_NAMES)
    if rec is None:
        return {}
    names = [name for name in spec if name in rec]
    return {name: _lifecycle(ctx, name, rec[name], _line(node, name)) for name in names}


def _permissions(ctx: _Ctx, node: Any, line: int) -> dict[Action, frozenset[Role]] | None:
    if not _check_type(ctx, node, "map", line, "permissions"):
        return None
    before = len(ctx.problems)
    permissions: dict[Action, frozenset[Role]] = {}
    for key, value in node.items():
        key_line, path = node.key_lines[key], f"permissions.{key}"
        action = _enum(ctx, Action, key, key_line, path, "action")
        if _check_type(ctx, value, "list", key_line, path):
            roles = [
                _enum(ctx, Role, *entry, "role") for entry in _strings(ctx, value, key_line, path)
            ]
            if action is not None:
                permissions[action] = frozenset(role for role in roles if role is not None)
    permissions.update({a: frozenset() for a in OPTIONAL_ACTIONS if a.value not in node})
    for action, fallback in _FALLBACK_ACTIONS.items():  # versions from before they existed
        if action.value not in node:
            permissions[action] = permissions.get(fallback, frozenset())
    missing = [a.value for a in Action if a.value not in node and a not in OPTIONAL_ACTIONS]
    if missing:
        ctx.add(line, "permissions", f"missing permission(s) for: {', '.join(missing)}")
    return permissions if len(ctx.problems) == before else None


_PROCEDURE = {"voting": "map", "organizations": "map", "outcome_labels": "map"}
_VOTING = {"abstentions": "str", "quorum_share": "number", "legal_basis": "str"}
_ABSTENTIONS = {"not_counted": False, "counted": True}


def _voting_rule(ctx: _Ctx, node: Any, line: int, path: str) -> VotingRule | None:
    rec = _record(ctx, node, line, path, _VOTING, ())
    if rec is None:
        return None
    before = len(ctx.problems)
    abstentions = rec.pop("abstentions", "not_counted")
    if abstentions not in _ABSTENTIONS:
        hint = _unknown(abstentions, list(_ABSTENTIONS))
        ctx.add(
            _line(node, "abstentions"), f"{path}.abstentions", f"unknown rule {abstentions!r}{hint}"
        )
    share = rec.get("quorum_share", 0.5)
    if not 0 < share < 1:
        message = f"quorum_share must be between 0 and 1 (e.g. 0.5), got {share}"
        ctx.add(_line(node, "quorum_share"), f"{path}.quorum_share", message)
    if len(ctx.problems) > before:
        return None
    return VotingRule(abstentions_count=_ABSTENTIONS[abstentions], **rec)


def _procedure(ctx: _Ctx, node: Any, line: int, orgs: Orgs | None) -> Procedure | None:
    rec = _record(ctx, node, line, "procedure", _PROCEDURE, ())
    if rec is None:
        return None
    before = len(ctx.problems)
    voting = VotingRule()
    if "voting" in rec:
        voting = (
            _voting_rule(ctx, rec["voting"], _line(node, "voting"), "procedure.voting") or voting
        )
    overrides: dict[str, VotingRule] = {}
    for org_id, value in rec.get("organizations", {}).items():
        org_line = rec["organizations"].key_lines[org_id]
        path = f"procedure.organizations.{org_id}"
        _org_ref(ctx, orgs, org_id, org_line, path, False)
        rule = _voting_rule(ctx, value, org_line, path)
        if rule is not None:
            overrides[org_id] = rule
    labels: dict[str, Outcome] = {}
    for label, value in rec.get("outcome_labels", {}).items():
        label_line = rec["outcome_labels"].key_lines[label]
        path = f"procedure.outcome_labels.{label}"
        if _check_type(ctx, value, "str", label_line, path):
            outcome = _enum(ctx, Outcome, value, label_line, path, "outcome")
            if outcome is not None:
                labels[label.strip().casefold()] = outcome
    if len(ctx.problems) > before:
        return None
    return Procedure(
        voting=voting,
        organizations=MappingProxyType(overrides),
        outcome_labels=MappingProxyType(labels),
    )


# -- deadlines (optional section) ----------------------------------------------------------------

_DEADLINES = {"days_off": "list", "default": "map", "organizations": "map", "reminders": "map"}
_REMINDERS = {"lead_days": "int", "escalate_after_hours": "int", "escalate_to": "str_or_list"}
_ESCALATION_ROLES = ("office_head", "session_office")
_DAY_OFF = {"name": "str", "date": "str", "annual": "str", "easter": "int"}
_RULE_KINDS = (
    "notice",
    "urgent_notice",
    "submission_cutoff",
    "co_signing",
    "implementation_report",
)
_RULE_SET = {"meeting_time": "str", **dict.fromkeys(_RULE_KINDS, "map")}
_SOURCE = {"legal_basis": "str", "note": "str", "verified": "bool"}
_COUNTING = {
    "unit": "str",
    "count_event_day": "bool",
    "count_meeting_day": "bool",
    "event": "str",
    "delivery_days": "int",
    "delivery_unit": "str",
}
_NOTICE = {"days": "int", **_COUNTING, "on_non_working_day": "str", **_SOURCE}
_LEAD_TIME = {"days": "int", "unit": "str", "on_non_working_day": "str", **_SOURCE}
_REPORT = {"months": "int", **_SOURCE}
_NOTICE_REQUIRED = ("days", "unit", "count_event_day", "count_meeting_day", "event")


def _source(rec: Mapping[str, Any]) -> RuleSource:
    return RuleSource(**{key: rec[key] for key in _SOURCE if key in rec})


def _policy(
    ctx: _Ctx, node: _Map, rec: Mapping[str, Any], path: str, unit: DayUnit | None, forward: bool
) -> NonWorkingDayPolicy | None:
    if "on_non_working_day" not in rec:
        return NonWorkingDayPolicy.KEEP
    line, at = _line(node, "on_non_working_day"), f"{path}.on_non_working_day"
    policy = _enum(ctx, NonWorkingDayPolicy, rec["on_non_working_day"], line, at, "policy")
    if policy is not None and unit not in (None, DayUnit.CALENDAR_DAYS):
        message = f"a {unit} rule never ends on a non-working day; remove on_non_working_day"
        ctx.add(line, at, message)
    elif policy is NonWorkingDayPolicy.NEXT_WORKING_DAY and not forward:
        message = "next_working_day would cut the period short; use keep or previous_working_day"
        ctx.add(line, at, message)
    return policy


def _at_least(ctx: _Ctx, node: _Map, rec: Mapping[str, Any], key: str, path: str, low: int) -> None:
    if key in rec and rec[key] < low:
        ctx.add(_line(node, key), f"{path}.{key}", f"{key} must be at least {low}, got {rec[key]}")


def _notice(
    ctx: _Ctx, node: Any, line: int, path: str, base: Mapping[str, Any] | None
) -> tuple[NoticeRule | None, dict[str, Any] | None]:
    """A Ladungsfrist and its record ({} when invalid); an urgent one takes the counting keys
    it does not set from ``base``."""
    required = _NOTICE_REQUIRED if base is None else ("days",)
    rec = _record(ctx, node, line, path, _NOTICE, required)
    if rec is None:
        return None, {}
    before = len(ctx.problems)
    rec = {**{k: v for k, v in (base or {}).items() if k in _COUNTING}, **rec}

    def enum(key: str, kind: type[_E]) -> _E | None:
        if key not in rec:
            return None
        return _enum(ctx, kind, rec[key], _line(node, key), f"{path}.{key}", key.replace("_", " "))

    unit, event = enum("unit", DayUnit), enum("event", NoticeEvent)
    values = {"unit": unit, "event": event, "delivery_unit": enum("delivery_unit", DayUnit)}
    _at_least(ctx, node, rec, "days", path, 1)
    _at_least(ctx, node, rec, "delivery_days", path, 0)
    if rec.get("delivery_days") and event is NoticeEvent.DISPATCH:
        message = "delivery_days applies only to 'event: receipt'; remove it or measure to receipt"
        ctx.add(_line(node, "delivery_days"), f"{path}.delivery_days", message)
    policy = _policy(ctx, node, rec, path, unit, forward=False)
    if len(ctx.problems) > before or policy is None:
        return None, {}
    fields = {k: v for k, v in rec.items() if k in _COUNTING or k == "days"} | {
        k: v for k, v in values.items() if v is not None
    }
    rule = NoticeRule(**fields, on_non_working_day=policy, source=_source(rec))
    return rule, rec


def _lead_time(ctx: _Ctx, node: Any, line: int, path: str, forward: bool) -> LeadTimeRule | None:
    rec = _record(ctx, node, line, path, _LEAD_TIME, ("days", "unit"))
    if rec is None:
        return None
    before = len(ctx.problems)
    unit = _enum(ctx, DayUnit, rec["unit"], _line(node, "unit"), f"{path}.unit", "unit")
    _at_least(ctx, node, rec, "days", path, 0)
    policy = _policy(ctx, node, rec, path, unit, forward)
    if len(ctx.problems) > before or unit is None or policy is None:
        return None
    return LeadTimeRule(days=rec["days"], unit=unit, on_non_working_day=policy, source=_source(rec))


def _report(ctx: _Ctx, node: Any, line: int, path: str) -> ReportRule | None:
    rec = _record(ctx, node, line, path, _REPORT, ("months",))
    if rec is None:
        return None
    before = len(ctx.problems)
    _at_least(ctx, node, rec, "months", path, 1)
    return (
        ReportRule(months=rec["months"], source=_source(rec))
        if len(ctx.problems) == before
        else None
    )


def _meeting_time(ctx: _Ctx, value: str, line: int, path: str) -> dt.time | None:
    try:
        return dt.datetime.strptime(value, "%H:%M").time()
    except ValueError:
        ctx.add(line, path, f"meeting_time {value!r} is not a time; use HH:MM, e.g. '18:00'")
        return None


def _rule_set(
    ctx: _Ctx,
    node: Any,
    line: int,
    path: str,
    inherited_notice: Mapping[str, Any] | None,
    kind: OrganizationKind | None,
) -> tuple[RuleSet | None, dict[str, Any] | None]:
    """One organization's rules (or the defaults, kind None) and its raw notice record."""
    rec = _record(ctx, node, line, path, _RULE_SET, ())
    if rec is None:
        return None, {}
    before = len(ctx.problems)
    for key in rec:
        office_rule = key == "co_signing"
        if kind is not None and kind.deliberates == office_rule:
            what = "offices" if kind is OrganizationKind.OFFICE else "Gremien"
            allowed = "co_signing" if what == "offices" else "every rule but co_signing"
            message = f"{key!r} does not apply to {what} (kind {kind.value}); use {allowed}"
            ctx.add(_line(node, key), f"{path}.{key}", message)
    where = {key: (rec[key], _line(node, key), f"{path}.{key}") for key in rec}
    meeting_time = _meeting_time(ctx, *where["meeting_time"]) if "meeting_time" in rec else None
    notice, notice_rec = _notice(ctx, *where["notice"], None) if "notice" in rec else (None, None)
    base = notice_rec if "notice" in rec else inherited_notice  # {}: invalid, already reported
    urgent = None
    if "urgent_notice" in rec and base:
        urgent = _notice(ctx, *where["urgent_notice"], base)[0]
    elif "urgent_notice" in rec and base is None:
        message = "urgent_notice needs a notice rule to take its counting from; add 'notice'"
        ctx.add(where["urgent_notice"][1], where["urgent_notice"][2], message)
    submission = (
        _lead_time(ctx, *where["submission_cutoff"], False) if "submission_cutoff" in rec else None
    )
    co_signing = _lead_time(ctx, *where["co_signing"], True) if "co_signing" in rec else None
    report = (
        _report(ctx, *where["implementation_report"]) if "implementation_report" in rec else None
    )
    if len(ctx.problems) > before:
        return None, notice_rec
    rules = RuleSet(
        meeting_time=meeting_time,
        notice=notice,
        urgent_notice=urgent,
        submission_cutoff=submission,
        co_signing=co_signing,
        implementation_report=report,
    )
    return rules, notice_rec


def _day_off(ctx: _Ctx, node: Any, line: int, path: str) -> DayOff | None:
    rec = _record(ctx, node, line, path, _DAY_OFF, ("name",))
    if rec is None:
        return None
    given = [key for key in ("date", "annual", "easter") if key in rec]
    if len(given) != 1:
        ctx.add(
            line, path, "give exactly one of date ('2025-12-24'), annual ('12-24') or easter (-48)"
        )
        return None
    key = given[0]
    value, at, key_line = rec[key], f"{path}.{key}", _line(node, key)
    try:
        if key == "date":
            return DayOff(name=rec["name"], date=dt.date.fromisoformat(value))
        if key == "annual":
            day = dt.datetime.strptime(f"2000-{value}", "%Y-%m-%d").date()  # 2000: 02-29 exists
            return DayOff(name=rec["name"], annual=(day.month, day.day))
    except ValueError:
        example = "YYYY-MM-DD, e.g. '2025-12-24'" if key == "date" else "MM-DD, e.g. '12-24'"
        ctx.add(key_line, at, f"{key} {value!r} is not a valid date; use {example}")
        return None
    if not -100 <= value <= 100:
        ctx.add(key_line, at, f"easter offset {value} is outside -100..100 days")
        return None
    return DayOff(name=rec["name"], easter_offset=value)


def _reminders(
    ctx: _Ctx,
    node: Any,
    line: int,
    users: Collection[str] | None,
    orgs: Orgs | None = None,
) -> ReminderRule:
    """``deadlines.reminders``: lead time and escalation (who, after how many hours).

    An escalation target is ``office_head`` (the heads of the office concerned),
    ``session_office``, another role (every user holding it), an office id (every user of the
    office), a user id or an e-mail address."""
    path = "deadlines.reminders"
    rec = _record(ctx, node, line, path, _REMINDERS, ())
    if rec is None:
        return ReminderRule()
    _at_least(ctx, node, rec, "lead_days", path, 0)
    _at_least(ctx, node, rec, "escalate_after_hours", path, 0)
    targets = _strings(
        ctx, rec.get("escalate_to", []), _line(node, "escalate_to"), f"{path}.escalate_to"
    )
    roles = dict.fromkeys([*_ESCALATION_ROLES, *(r.value for r in Role)])
    offices = (
        None
        if orgs is None
        else [i for i, o in orgs.items() if o is None or o.kind is OrganizationKind.OFFICE]
    )
    for value, at_line, at in targets:
        known = (
            users is None
            or value in users
            or value in roles
            or "@" in value
            or offices is None
            or value in offices
        )
        if not known:
            choices = list(dict.fromkeys([*roles, *(offices or ()), *(users or ())]))
            message = (
                f"unknown escalation target {value!r}{_unknown(value, choices)}; use office_head, "
                "session_office, another role, an office id, a user id or an e-mail address"
            )
            ctx.add(at_line, at, message)
    if ("escalate_after_hours" in rec) != bool(targets):
        message = "escalate_after_hours and escalate_to go together; give both or neither"
        ctx.add(line, path, message)
    return ReminderRule(
        lead_days=rec.get("lead_days", 2),
        escalate_after_hours=rec.get("escalate_after_hours"),
        escalate_to=tuple(value for value, _, _ in targets),
    )


def _deadlines(
    ctx: _Ctx, node: Any, line: int, orgs: Orgs | None, users: Collection[str] | None = None
) -> DeadlineRules | None:
    rec = _record(ctx, node, line, "deadlines", _DEADLINES, ())
    if rec is None:
        return None
    before = len(ctx.problems)
    reminders = (
        _reminders(ctx, rec["reminders"], _line(node, "reminders"), users, orgs)
        if "reminders" in rec
        else None
    )
    days_off_line = _line(node, "days_off")
    entries = _items(ctx, rec.get("days_off", []), days_off_line, "deadlines.days_off")
    days_off = [_day_off(ctx, *entry) for entry in entries]
    default, notice = RuleSet(), None
    if "default" in rec:
        built, notice = _rule_set(
            ctx, rec["default"], _line(node, "default"), "deadlines.default", None, None
        )
        default = built or default
    organizations: dict[str, RuleSet] = {}
    org_nodes = rec.get("organizations") or _Map(line)
    for org_id, value in org_nodes.items():
        org_line, path = org_nodes.key_lines[org_id], f"deadlines.organizations.{org_id}"
        org = orgs.get(org_id) if orgs is not None else None
        if orgs is not None and org_id not in orgs:
            message = f"unknown organization {org_id!r}{_unknown(org_id, list(orgs))}"
            ctx.add(org_line, path, message)
        rules = _rule_set(ctx, value, org_line, path, notice, org.kind if org else None)[0]
        if rules is not None:
            organizations[org_id] = rules
    if len(ctx.problems) > before:
        return None
    return DeadlineRules(
        default=default,
        organizations=MappingProxyType(organizations),
        days_off=tuple(d for d in days_off if d is not None),
        reminders=reminders,
    )


# -- decisions (optional section) ----------------------------------------------------------------

_DECISIONS = {
    "urgent_decision": "map",
    "objections": "map",
    "committee_objections_to": "str",
    "delegated": "map",
}
_URGENT = {"follow_up": "str", "co_signer": "str", "legal_basis": "str"}
_OBJECTION = {
    "legal_basis": "str",
    "within_days": "int",
    "earliest_days": "int",
    "latest_days": "int",
    "repeatable": "bool",
}
_DELEGATED = {"days": "int", "escalate_to": "str", "members_share": "number", "legal_basis": "str"}
_FOLLOW_UPS = (ConsultationRole.GENEHMIGUNG.value, ConsultationRole.KENNTNISNAHME.value)


def _urgent(ctx: _Ctx, node: Any, line: int) -> UrgentDecisionRule | None:
    path = "decisions.urgent_decision"
    rec = _record(ctx, node, line, path, _URGENT, ("follow_up", "co_signer"))
    if rec is None:
        return None
    follow_up, co_signer = rec["follow_up"], rec["co_signer"]
    if follow_up not in _FOLLOW_UPS:
        message = f"follow_up {follow_up!r} must be one of {', '.join(_FOLLOW_UPS)}"
        ctx.add(_line(node, "follow_up"), f"{path}.follow_up", message)
        return None
    policy = _enum(ctx, CoSignerRule, co_signer, _line(node, "co_signer"), path, "co_signer")
    if policy is None:
        return None
    role = ConsultationRole(follow_up)
    return UrgentDecisionRule(follow_up=role, co_signer=policy, legal_basis=rec.get("legal_basis"))


def _objection(ctx: _Ctx, kind: str, node: Any, line: int) -> ObjectionRule | None:
    path = f"decisions.objections.{kind}"
    parsed = _enum(ctx, ObjectionKind, kind, line, path, "objection kind")
    if parsed is ObjectionKind.EINSPRUCH:
        ctx.add(line, path, "configure the Einspruch per committee under decisions.delegated")
        return None
    rec = _record(ctx, node, line, path, _OBJECTION, ())
    if rec is None or parsed is None:
        return None
    before = len(ctx.problems)
    for key in ("within_days", "earliest_days", "latest_days"):
        _at_least(ctx, node, rec, key, path, 0)
    low, high = rec.get("earliest_days"), rec.get("latest_days")
    if low is not None and high is not None and low > high:
        message = f"earliest_days {low} is after latest_days {high}"
        ctx.add(_line(node, "earliest_days"), f"{path}.earliest_days", message)
    return ObjectionRule(kind=parsed, **rec) if len(ctx.problems) == before else None


def _delegated(
    ctx: _Ctx, org_id: str, node: Any, line: int, orgs: Orgs | None
) -> DelegatedRule | None:
    path = f"decisions.delegated.{org_id}"
    _org_ref(ctx, orgs, org_id, line, path, False)
    rec = _record(ctx, node, line, path, _DELEGATED, ("days", "escalate_to"))
    if rec is None:
        return None
    before = len(ctx.problems)
    _at_least(ctx, node, rec, "days", path, 1)
    _org_ref(
        ctx, orgs, rec["escalate_to"], _line(node, "escalate_to"), f"{path}.escalate_to", False
    )
    share = rec.get("members_share", 0.2)
    if not 0 < share <= 1:
        message = f"members_share must be above 0 and at most 1 (e.g. 0.2), got {share}"
        ctx.add(_line(node, "members_share"), f"{path}.members_share", message)
    return DelegatedRule(**rec) if len(ctx.problems) == before else None


def _decisions(ctx: _Ctx, node: Any, line: int, orgs: Orgs | None) -> DecisionRules | None:
    """Dringlichkeitsentscheidung, objections and Einspruchsfristen (domain.md 2.4, 2.6)."""
    rec = _record(ctx, node, line, "decisions", _DECISIONS, ())
    if rec is None:
        return None
    before = len(ctx.problems)
    urgent = None
    if "urgent_decision" in rec:
        urgent = _urgent(ctx, rec["urgent_decision"], _line(node, "urgent_decision"))
    objections: dict[ObjectionKind, ObjectionRule] = {}
    for kind, value in rec.get("objections", {}).items():
        rule = _objection(ctx, kind, value, rec["objections"].key_lines[kind])
        if rule is not None:
            objections[rule.kind] = rule
    council = rec.get("committee_objections_to")
    if council is not None:
        where = _line(node, "committee_objections_to")
        _org_ref(ctx, orgs, council, where, "decisions.committee_objections_to", False)
    delegated: dict[str, DelegatedRule] = {}
    for org_id, value in rec.get("delegated", {}).items():
        rule_d = _delegated(ctx, org_id, value, rec["delegated"].key_lines[org_id], orgs)
        if rule_d is not None:
            delegated[org_id] = rule_d
    if len(ctx.problems) > before:
        return None
    return DecisionRules(
        urgent=urgent,
        objections=MappingProxyType(objections),
        committee_objections_to=council,
        delegated=MappingProxyType(delegated),
    )


# -- oparl (optional section) -------------------------------------------------------------------

_OPARL = {"organizations": "map", "paper_types": "map", "roles": "map", "office": "str"}


def _oparl(
    ctx: _Ctx,
    node: Any,
    line: int,
    orgs: Orgs | None,
    paper_types: Mapping[str, PaperType] | None,
) -> OParlMapping | None:
    """The mapping of imported OParl data: organizations, paper types, roles, default office."""
    rec = _record(ctx, node, line, "oparl", _OPARL, ())
    if rec is None:
        return None
    before = len(ctx.problems)
    organizations: dict[str, str] = {}
    for key, value in rec.get("organizations", {}).items():
        key_line, path = rec["organizations"].key_lines[key], f"oparl.organizations.{key}"
        if _check_type(ctx, value, "str", key_line, path):
            if orgs is not None and value not in orgs:
                ctx.add(key_line, path, f"unknown organization {value!r}{_unknown(value, orgs)}")
            organizations[key] = value
    types: dict[str, str] = {}
    for key, value in rec.get("paper_types", {}).items():
        key_line, path = rec["paper_types"].key_lines[key], f"oparl.paper_types.{key}"
        if _check_type(ctx, value, "str", key_line, path):
            if paper_types is not None and value not in paper_types:
                hint = _unknown(value, list(paper_types))
                ctx.add(key_line, path, f"unknown paper type {value!r}{hint}")
            types[key.strip().casefold()] = value
    roles: dict[str, ConsultationRole] = {}
    for key, value in rec.get("roles", {}).items():
        key_line, path = rec["roles"].key_lines[key], f"oparl.roles.{key}"
        if _check_type(ctx, value, "str", key_line, path):
            role = _enum(ctx, ConsultationRole, value, key_line, path, "role")
            if role is not None:
                roles[key.strip().casefold()] = role
    office = rec.get("office")
    if office is not None:
        _org_ref(ctx, orgs, office, _line(node, "office"), "oparl.office", True)
    if len(ctx.problems) > before:
        return None
    return OParlMapping(
        organizations=MappingProxyType(organizations),
        paper_types=MappingProxyType(types),
        roles=MappingProxyType(roles),
        office=office,
    )


# -- public API ---------------------------------------------------------------------------------


def content_version(files: Mapping[str, str]) -> str:
    """SHA-256 over the sorted (file name, text) pairs: the catalog's version."""
    canonical = json.dumps(sorted(files.items()), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _split_sections(
    files: Mapping[str, str], problems: list[Problem]
) -> tuple[dict[str, tuple[_Ctx, Any, int]], bool]:
    """Each section's file, value and line; and whether some file could not be parsed."""
    sections: dict[str, tuple[_Ctx, Any, int]] = {}
    unreadable = False
    for name in sorted(files):
        ctx, before = _Ctx(name, problems), len(problems)
        data = _parse(ctx, files[name])
        if data is None:
            unreadable = unreadable or len(problems) > before
            if len(problems) == before:
                ctx.add(None, "", "the file is empty; it must define a section such as 'users:'")
            continue
        if not isinstance(data, _Map):
            ctx.add(1, "", f"expected sections such as 'users:' at the top, got {_describe(data)}")
            continue
        for key, value in data.items():
            line = data.key_lines[key]
            if key not in SECTIONS:
                ctx.add(line, key, f"unknown section {key!r}{_unknown(key, SECTIONS)}")
            elif key in sections:
                first = sections[key]
                message = f"section {key!r} is already defined in {first[0].file}:{first[2]}"
                ctx.add(line, key, message)
            else:
                sections[key] = (ctx, value, line)
    return sections, unreadable


def catalog_from_files(files: Mapping[str, str], source: str) -> Catalog:
    """Validate the given definition files (name -> YAML text) and build their catalog."""
    problems: list[Problem] = []
    sections, unreadable = _split_sections(files, problems)  # unreadable: may hold the missing
    for missing in (n for n in SECTIONS if n not in sections and n not in OPTIONAL_SECTIONS):
        if unreadable:
            break
        message = f"missing section {missing!r}; add it to a file such as {missing}.yaml"
        problems.append(Problem(file=source, line=None, path=missing, message=message))

    body = _build("body", sections, _body)
    orgs = _build("organizations", sections, _organizations)
    paper_types = _build("paper_types", sections, _paper_types)
    routes = _build("routes", sections, lambda c, n, li: _routes(c, n, li, orgs))
    users = _build("users", sections, lambda c, n, li: _users(c, n, li, orgs))
    lifecycles = _build("lifecycles", sections, _lifecycles)
    permissions = _build("permissions", sections, _permissions)
    procedure = _build("procedure", sections, lambda c, n, li: _procedure(c, n, li, orgs))
    deadlines = _build("deadlines", sections, lambda c, n, li: _deadlines(c, n, li, orgs, users))
    decisions = _build("decisions", sections, lambda c, n, li: _decisions(c, n, li, orgs))
    oparl = _build("oparl", sections, lambda c, n, li: _oparl(c, n, li, orgs, paper_types))
    if problems:
        raise DefinitionError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    assert body and orgs is not None and paper_types is not None and routes is not None
    assert users is not None and lifecycles is not None and permissions is not None
    return Catalog(
        version=content_version(files),
        source=source,
        files=MappingProxyType(dict(sorted(files.items()))),
        body=body,
        organizations=_frozen(orgs),
        paper_types=MappingProxyType(paper_types),
        routes=MappingProxyType(routes),
        users=MappingProxyType(users),
        lifecycles=_frozen(lifecycles),
        permissions=MappingProxyType(permissions),
        procedure=procedure or Procedure(),
        deadlines=deadlines or DeadlineRules(),
        decisions=decisions or DecisionRules(),
        oparl=oparl or OParlMapping(),
    )


def _build(
    name: str,
    sections: Mapping[str, tuple[_Ctx, Any, int]],
    build: Callable[[_Ctx, Any, int], _T],
) -> _T | None:
    entry = sections.get(name)
    return build(entry[0], entry[1], entry[2]) if entry is not None else None


def _frozen(mapping: Mapping[str, _T | None]) -> Mapping[str, _T]:
    return MappingProxyType({key: value for key, value in mapping.items() if value is not None})


def read_definition_files(directory: str | os.PathLike[str]) -> dict[str, str]:
    """The folder's ``*.yaml`` files by name, falling back to ``../_standard/lifecycles.yaml``."""
    folder = Path(directory)
    if not folder.is_dir():
        raise _folder_error(folder, "is not a folder; pass a municipality folder such as landau")
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise _folder_error(folder, "contains no *.yaml definition files")
    files: dict[str, str] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            files[path.name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(path.name, None, "", f"not valid UTF-8: {exc.reason}"))
    for path in sorted(folder.glob("*.yml")):
        problems.append(Problem(path.name, None, "", "ignored: rename it to end in .yaml"))
    if LIFECYCLES_FILE not in files:
        standard = folder.parent / STANDARD_FOLDER / LIFECYCLES_FILE
        if standard.is_file():
            files[LIFECYCLES_FILE] = standard.read_text(encoding="utf-8")
        else:
            message = (
                f"no {LIFECYCLES_FILE} here and no {standard}; "
                f"copy definitions/{STANDARD_FOLDER}/{LIFECYCLES_FILE} into {folder}"
            )
            problems.append(Problem(LIFECYCLES_FILE, None, "", message))
    if problems:
        raise DefinitionError(problems)
    return dict(sorted(files.items()))


def _folder_error(folder: Path, what: str) -> DefinitionError:
    return DefinitionError([Problem(str(folder), None, "", f"{str(folder)!r} {what}")])


def load_catalog(directory: str | os.PathLike[str]) -> Catalog:
    """Read, validate and build the catalog of one municipality folder."""
    folder = Path(directory)
    files = read_definition_files(folder)
    try:
        return catalog_from_files(files, str(folder))
    except DefinitionError as exc:
        if (folder / LIFECYCLES_FILE).exists():
            raise
        shared = f"{STANDARD_FOLDER}/{LIFECYCLES_FILE}"  # name the file the author must edit
        problems = [
            replace(p, file=shared) if p.file == LIFECYCLES_FILE else p for p in exc.problems
        ]
        raise DefinitionError(problems) from None


def check_definitions(directory: str | os.PathLike[str]) -> list[Problem]:
    """Every problem in the folder's definitions; [] when they are valid."""
    try:
        load_catalog(directory)
    except DefinitionError as exc:
        return exc.problems
    return []


def shipped_definitions_root() -> Path:
    """The ``definitions`` folder shipped with ratsweg.

    It sits beside the ``workflow`` package, both in a source checkout and in site-packages
    (it is installed as package data); the import system's search path is the fallback.
    """
    candidates = [Path(__file__).resolve().parents[2] / "definitions"]
    spec = importlib.util.find_spec("definitions")
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) for p in spec.submodule_search_locations]
    for candidate in candidates:
        if (candidate / STANDARD_FOLDER).is_dir():
            return candidate
    raise NotFoundError("the shipped definitions folder is not installed; reinstall ratsweg")


def list_shipped_municipalities() -> list[str]:
    """Names of the municipality folders shipped with ratsweg."""
    root = shipped_definitions_root()
    return sorted(
        p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
    )


def resolve_definitions_dir(name_or_path: str) -> Path:
    """An existing folder as given, else the shipped municipality of that name."""
    given = Path(name_or_path)
    if given.is_dir():
        return given
    shipped = shipped_definitions_root() / name_or_path
    if name_or_path and not name_or_path.startswith("_") and shipped.is_dir():
        return shipped
    choices = list_shipped_municipalities()
    raise not_found("definitions folder or shipped municipality", name_or_path, choices)
