"""Split the parsed files into sections, check each and build the frozen catalog.

Every problem of every file is collected first and reported at once in a
``DefinitionError``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from workflow.core.catalog import Catalog, DecisionRules, OParlMapping, Procedure
from workflow.core.deadlines import DeadlineRules
from workflow.core.errors import DefinitionError, Problem
from workflow.core.i18n import _
from workflow.definitions.checks import _unknown
from workflow.definitions.deadline_rules import _deadlines
from workflow.definitions.decision_rules import _decisions, _procedure
from workflow.definitions.lifecycles import _lifecycles, _permissions
from workflow.definitions.oparl_mapping import _oparl
from workflow.definitions.sections import _body, _organizations, _paper_types, _routes, _users
from workflow.definitions.yaml_reader import _Ctx, _describe, _Map, _parse

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


_T = TypeVar("_T")


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
                message = _("the file is empty; it must define a section such as 'users:'")
                ctx.add(None, "", message)
            continue
        if not isinstance(data, _Map):
            message = _("expected sections such as 'users:' at the top, got {kind}")
            ctx.add(1, "", message.format(kind=_describe(data)))
            continue
        for key, value in data.items():
            line = data.key_lines[key]
            if key not in SECTIONS:
                message = _("unknown section {key!r}").format(key=key)
                ctx.add(line, key, message + _unknown(key, SECTIONS))
            elif key in sections:
                first = sections[key]
                message = _("section {key!r} is already defined in {where}").format(
                    key=key, where=f"{first[0].file}:{first[2]}"
                )
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
        message = _("missing section {name!r}; add it to a file such as {file}").format(
            name=missing, file=f"{missing}.yaml"
        )
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
