"""The optional ``oparl`` section: how imported OParl data maps onto the definitions."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from workflow.core.catalog import OParlMapping, PaperType
from workflow.core.i18n import N_
from workflow.core.model import ConsultationRole
from workflow.definitions.checks import _check_type, _enum, _record, unknown_value
from workflow.definitions.sections import Orgs, _org_ref
from workflow.definitions.yaml_reader import _Ctx, _line

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
                ctx.add(key_line, path, unknown_value(N_("organization"), value, list(orgs)))
            organizations[key] = value
    types: dict[str, str] = {}
    for key, value in rec.get("paper_types", {}).items():
        key_line, path = rec["paper_types"].key_lines[key], f"oparl.paper_types.{key}"
        if _check_type(ctx, value, "str", key_line, path):
            if paper_types is not None and value not in paper_types:
                message = unknown_value(N_("paper type"), value, list(paper_types))
                ctx.add(key_line, path, message)
            types[key.strip().casefold()] = value
    roles: dict[str, ConsultationRole] = {}
    for key, value in rec.get("roles", {}).items():
        key_line, path = rec["roles"].key_lines[key], f"oparl.roles.{key}"
        if _check_type(ctx, value, "str", key_line, path):
            role = _enum(ctx, ConsultationRole, value, key_line, path, N_("role"))
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
