"""The sections that describe the municipality: body, organizations, paper types, routes and
users; and ``_org_ref``, the check of a reference to an organization that later sections share.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow.core.catalog import (
    Body,
    Organization,
    PaperType,
    RouteStep,
    RoutingTemplate,
    User,
)
from workflow.core.model import (
    PAPER_NUMBER_LENGTH,
    PLAUSIBLE_SEQ,
    ConsultationRole,
    OrganizationKind,
    Role,
    Submitter,
)
from workflow.definitions.checks import (
    _ID,
    _enum,
    _items,
    _raw_ids,
    _record,
    _records,
    _strings,
    _unknown,
)
from workflow.definitions.yaml_reader import _Ctx, _line

#: The most seats a Gremium may have (the largest German council has fewer than 200).
MAX_SEATS = 1000
#: The 16 Länder (Bundesland codes).
STATES = frozenset(
    {"BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"}
)
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
_ORG = {
    "id": "str",
    "name": "str",
    "short_name": "str",
    "kind": "str",
    "seats": "int",
    "meeting_length_minutes": "int",
}
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

#: the bounds of ``meeting_length_minutes``: a quarter of an hour to twelve hours
MEETING_MINUTES = (15, 720)

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
        if seats is not None and not 1 <= seats <= MAX_SEATS:
            message = f"seats must be between 1 and {MAX_SEATS}, got {seats}"
            ctx.add(seats_line, f"{path}.seats", message)
        if kind is OrganizationKind.OFFICE:
            rec["public"] = True
            if seats is not None:
                message = "an office has no seats; remove 'seats' (only Gremien have them)"
                ctx.add(seats_line, f"{path}.seats", message)
        _meeting_length(ctx, item, rec, path, kind)
        if kind is not None:  # kept despite other problems, so references to it can be checked
            orgs[rec["id"]] = Organization(**{**rec, "kind": kind})
    return orgs


def _meeting_length(
    ctx: _Ctx, item: Any, rec: dict[str, Any], path: str, kind: OrganizationKind | None
) -> None:
    """``meeting_length_minutes``: how long a meeting of the Gremium takes when it is planned
    without an end, from a quarter of an hour to twelve hours; offices hold no meetings."""
    minutes = rec.get("meeting_length_minutes")
    if minutes is None:
        return
    where, line = f"{path}.meeting_length_minutes", _line(item, "meeting_length_minutes")
    if kind is OrganizationKind.OFFICE:
        message = "an office holds no meetings; remove 'meeting_length_minutes'"
        ctx.add(line, where, message)
    elif not MEETING_MINUTES[0] <= minutes <= MEETING_MINUTES[1]:
        low, high = MEETING_MINUTES
        message = f"meeting_length_minutes must be from {low} to {high} (minutes), got {minutes}"
        ctx.add(line, where, message)


def _check_numbering(ctx: _Ctx, pattern: str, line: int, path: str) -> bool:
    try:
        parsed = list(string.Formatter().parse(pattern))
        fields = [f for _, f, _, _ in parsed if f is not None]
        bad = [field for field in fields if field not in ("year", "seq", "origin")]
        if bad:
            message = f"numbering may use only {{year}}, {{seq}} and {{origin}}, not {{{bad[0]}}}"
        elif "seq" not in fields:
            message = "numbering must contain {seq}, e.g. 'V/{year}/{seq}'"
        elif "origin" in fields and "year" in fields:
            message = "an Ergänzungsvorlage is numbered from {origin} and {seq}; drop {year}"
        elif re.search(r"[0-9]{4,}", "".join(spec or "" for _, _, spec, _ in parsed)):
            message = "a field width in numbering has more than 3 digits; use e.g. {seq:04d}"
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
    _check_number_lengths(ctx, node, types)
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


def _check_number_lengths(ctx: _Ctx, node: Any, types: Mapping[str, PaperType]) -> None:
    """Every number a paper type gives (in year 9999, up to the plausible sequence number,
    an Ergänzungsvorlage of the longest original) fits the stored paper number."""
    lines = {
        item["id"]: (_line(item, "numbering"), f"paper_types[{index}].numbering")
        for index, item in enumerate(node if isinstance(node, list) else [])
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }
    originals = [t for t in types.values() if not t.is_supplement]
    lengths = [len(t.numbering.format(year=9999, seq=PLAUSIBLE_SEQ)) for t in originals]
    # an original too long is reported itself, not again in its supplements
    longest_original = max((n for n in lengths if n <= PAPER_NUMBER_LENGTH), default=1)
    for kind in types.values():
        origin = "V" * longest_original
        number = kind.numbering.format(year=9999, seq=PLAUSIBLE_SEQ, origin=origin)
        if len(number) > PAPER_NUMBER_LENGTH:
            line, path = lines[kind.id]
            message = (
                f"numbering {kind.numbering!r} gives numbers of up to {len(number)} characters; "
                f"a paper number holds at most {PAPER_NUMBER_LENGTH}: shorten the pattern"
            )
            ctx.add(line, path, message)


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
