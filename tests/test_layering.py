"""Import rules: the core does not depend on its adapters (see docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
#: module -> project modules it may import
ALLOWED = {
    "workflow.model": set(),
    "workflow.errors": set(),
    "workflow.clock": set(),
    "workflow.deadlines": set(),
    "workflow.catalog": {"workflow.deadlines", "workflow.errors", "workflow.model"},
    "workflow.definitions": {
        "workflow.catalog",
        "workflow.deadlines",
        "workflow.errors",
        "workflow.model",
    },
    "workflow.engine": {"workflow.catalog", "workflow.errors", "workflow.model"},
    "workflow.views": {"workflow.catalog", "workflow.model"},
    "workflow.votes": {"workflow.errors", "workflow.model"},
    "workflow.minutes": {"workflow.errors", "workflow.model", "workflow.votes"},
    "workflow.diagrams": {"workflow.catalog", "workflow.errors", "workflow.model"},
    "workflow.reminders": {"workflow.catalog", "workflow.deadlines", "workflow.model"},
    "workflow.notify": {"workflow.errors", "workflow.model"},
    "workflow.ical": {"workflow.deadlines", "workflow.model"},
    "workflow.calendars": {"workflow.*", "storage.*"},
    "workflow.cli_calendar": {"workflow.*"},
    "workflow.replay": {"workflow.catalog", "workflow.model"},
    "workflow.worker": {"workflow.errors", "workflow.model", "workflow.notify", "workflow.service"},
    "workflow.service": {"workflow.*", "storage.*"},
    "workflow.meeting": {"workflow.*", "storage.*"},
    "workflow.decisions": {"workflow.*", "storage.*"},
    "workflow.chain": {"workflow.*", "storage.*"},
    "workflow.cosigning": {"workflow.*", "storage.*"},
    "workflow.paper_rules": {"workflow.*", "storage.*"},
    "workflow.attachment": {"workflow.*", "storage.*"},
    "workflow.service_base": {"workflow.*", "storage.*"},
    "workflow.trail": {"workflow.*", "storage.*"},
    "workflow.compliance": {"workflow.deadlines"},
    "workflow.report": {
        "workflow.clock",
        "workflow.compliance",
        "workflow.errors",
        "workflow.model",
        "workflow.trail",
    },
    "workflow.app": {"workflow.*", "storage.*"},
    "workflow.demo": {"workflow.*"},
    "workflow.output": {"workflow.clock"},
    "workflow.seal": {"workflow.clock", "workflow.errors", "workflow.model"},
    "workflow.cli": {"workflow.*"},
    "workflow.cli_meeting": {"workflow.*"},
    "workflow.cli_audit": {"workflow.*"},
    "workflow.cli_decisions": {"workflow.*"},
    "workflow.cli_oparl": {"workflow.*"},
    "workflow.oparl_source": {"workflow.errors"},
    "workflow.oparl_results": {"workflow.catalog", "workflow.model"},
    "workflow.oparl_plan": {"workflow.*"},
    "workflow.oparl_generate": {"workflow.definitions", "workflow.errors", "workflow.oparl_source"},
    "workflow.oparl_import": {"workflow.*", "storage.*"},
    "workflow.cli_chain": {"workflow.*"},
    "workflow.cli_attachment": {"workflow.*"},
    "workflow.oparl": set(),
    "workflow.oparl.validate": set(),
    "workflow.oparl.publication": {"workflow.*", "storage.*"},
    "workflow.oparl.export": {"workflow.errors", "workflow.oparl.publication", "workflow.service"},
    "workflow.oparl.server": {
        "workflow.errors",
        "workflow.oparl.export",
        "workflow.oparl.publication",
        "workflow.service",
    },
    "workflow.__main__": {"workflow.cli"},
    "workflow": set(),
}
STORAGE_ALLOWED = {"storage.*", "workflow.model", "workflow.errors"}


def project_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] in ("workflow", "storage"))
    return found


def allowed(target: str, rules: set[str]) -> bool:
    return any(
        target == r or (r.endswith(".*") and (target == r[:-2] or target.startswith(r[:-1])))
        for r in rules
    )


def modules() -> list[tuple[str, Path]]:
    found = []
    for package in ("workflow", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "versions" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found.append((name.removesuffix(".__init__"), path))
    return found


@pytest.mark.parametrize(("name", "path"), modules(), ids=[m for m, _ in modules()])
def test_module_imports_follow_the_layers(name: str, path: Path) -> None:
    rules = STORAGE_ALLOWED if name.startswith("storage") else ALLOWED[name]
    wrong = sorted(t for t in project_imports(path) if t != name and not allowed(t, rules))
    assert wrong == [], f"{name} may not import {wrong}"


def test_only_cli_and_output_print() -> None:
    offenders = [
        name
        for name, path in modules()
        if name
        not in (
            "workflow.cli",
            "workflow.cli_meeting",
            "workflow.cli_audit",
            "workflow.cli_decisions",
            "workflow.cli_oparl",
            "workflow.cli_chain",
            "workflow.cli_attachment",
            "workflow.cli_calendar",
            "workflow.output",
        )
        and "click.echo" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
