"""The architecture, enforced (docs/architecture.md).

- The packages of ``workflow`` stand in one order (``LAYERS``); a module imports only its own
  package or earlier ones. Imports inside functions and under ``TYPE_CHECKING`` count.
- ``storage`` imports nothing of ``workflow`` but ``workflow.core.model`` and
  ``workflow.core.errors`` (and ``workflow.core.i18n``, for its messages); ``core`` and ``definitions`` import no ``storage``.
- The module graph has no cycle (``graphlib``), inside a package neither.
- No ``_private`` name of one package is imported or used in another.
- Only ``workflow.cli`` uses click and prints; only ``workflow.web`` uses Starlette.
- No module is longer than ``MAX_MODULE_LINES``, no function than ``MAX_FUNCTION_LINES``.
"""

from __future__ import annotations

import ast
import graphlib
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

#: The packages (and top-level modules) of ``workflow``, lowest first. ``storage`` is the
#: SQLAlchemy adapter: below everything that opens a unit of work, above the pure core.
LAYERS = (
    "core",
    "definitions",
    "storage",
    "uow",
    "accounts",
    "bodies",
    "reminders",
    "papers",
    "meetings",
    "decisions",
    "audit",
    "calendar",
    "oparl",
    "service",
    "app",
    "worker",
    "demo",
    "web",
    "cli",
    "__main__",
)
STORAGE_MAY_IMPORT = {"workflow.core.model", "workflow.core.errors", "workflow.core.i18n"}
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
#: Names spelled with a leading underscore that are public API of the libraries we use.
# ``_`` is gettext's translate function (workflow.core.i18n): public by convention
LIBRARY_NAMES = {"_asdict", "_replace", "_fields", "_mapping", "_make", "_t", "_getframe", "_"}


def modules() -> dict[str, Path]:
    found = {}
    for package in ("workflow", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "versions" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def layer(module: str) -> str:
    """``workflow.papers.votes`` -> ``papers``; ``storage.audit`` -> ``storage``."""
    parts = module.split(".")
    if parts[0] == "storage":
        return "storage"
    return parts[1] if len(parts) > 1 else "workflow"


def imported(module: str, path: Path) -> Iterator[tuple[str, list[str]]]:
    """(imported module, names taken from it) of every import statement, anywhere."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def project_edges() -> dict[str, set[str]]:
    """module -> the project modules it imports (``from pkg import mod`` names ``pkg.mod``)."""
    known = modules()
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for target, names in imported(name, path):
            if target.split(".")[0] not in ("workflow", "storage"):
                continue
            for sub in names:
                if f"{target}.{sub}" in known:
                    edges[name].add(f"{target}.{sub}")
                    break
            else:
                edges[name].add(target)
    return edges


def import_violations() -> set[str]:
    found: set[str] = set()
    for name, targets in project_edges().items():
        for target in targets - {name}:
            if name.startswith("storage"):
                if not target.startswith("storage") and target not in STORAGE_MAY_IMPORT:
                    found.add(f"import: {name} -> {target}")
                continue
            mine, theirs = layer(name), layer(target)
            if name == "workflow" or LAYERS.index(theirs) > LAYERS.index(mine):
                found.add(f"import: {name} -> {target}")
    return found


def cycle_violations() -> set[str]:
    """``cycle: A -> B -> … -> A`` for a cycle in the module graph (``graphlib`` names one)."""
    graph = {name: targets - {name} for name, targets in project_edges().items()}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return {"cycle: " + " -> ".join(exc.args[1])}
    return set()


def private_definitions() -> dict[str, set[str]]:
    """layer -> the ``_names`` defined in it (functions, classes, assignments, attributes)."""
    defined: dict[str, set[str]] = {}
    for name, path in modules().items():
        names = defined.setdefault(layer(name), set())
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return {k: {n for n in v if _private(n)} for k, v in defined.items()}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in LIBRARY_NAMES


def private_violations() -> set[str]:
    defined = private_definitions()
    found = set()
    for name, path in modules().items():
        mine = layer(name)
        own = defined.get(mine, set())
        elsewhere = set().union(*(v for k, v in defined.items() if k != mine))
        for target, names in imported(name, path):
            if target.split(".")[0] in ("workflow", "storage") and layer(target) != mine:
                found.update(f"private: {name} imports {target}.{n}" for n in names if _private(n))
        for node in ast.walk(tree(path)):
            if (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and node.attr in elsewhere
                and node.attr not in own
            ):
                found.add(f"private: {name} uses {node.attr}")
    return found


def click_violations() -> set[str]:
    found = set()
    for name, path in modules().items():
        for target, _ in imported(name, path):
            if target.split(".")[0] == "starlette" and not name.startswith("workflow.web"):
                found.add(f"starlette: {name}")
        if name.startswith("workflow.cli"):
            continue
        for target, _ in imported(name, path):
            if target.split(".")[0] == "click":
                found.add(f"click: {name}")
        if "click.echo" in path.read_text(encoding="utf-8") or "print(" in path.read_text(
            encoding="utf-8"
        ):
            found.add(f"click: {name}")
    return found


def size_violations() -> set[str]:
    found = set()
    for name, path in modules().items():
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES:
            found.add(f"size: {name}")
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                    found.add(f"size: {name}.{node.name}")
    return found


RULES = {
    "import": import_violations,
    "cycle": cycle_violations,
    "private": private_violations,
    "click": click_violations,
    "size": size_violations,
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule_holds(rule: str) -> None:
    assert sorted(RULES[rule]()) == []


def test_the_rules_catch_what_they_forbid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each rule finds a planted offence: an upward import (inside a function), a cycle, a
    private name of another package, click outside the CLI, storage importing the workflow,
    and a module too long."""
    files = {
        "workflow/__init__.py": "",
        "workflow/core/__init__.py": "",
        "workflow/core/low.py": "def f():\n    from workflow.papers.high import g\n",
        "workflow/papers/__init__.py": "",
        "workflow/papers/high.py": "import click\nfrom workflow.core.low import f\n_x = 1\n",
        "workflow/cli/page.py": "from starlette.responses import Response\n",
        "workflow/meetings/__init__.py": "",
        "workflow/meetings/m.py": "from workflow.papers import high\nhigh._x\n",
        "storage/__init__.py": "",
        "storage/s.py": "from workflow.papers.high import g\n" + "\n" * MAX_MODULE_LINES,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert import_violations() == {
        "import: workflow.core.low -> workflow.papers.high",
        "import: storage.s -> workflow.papers.high",
    }
    assert cycle_violations() != set()
    assert private_violations() == {"private: workflow.meetings.m uses _x"}
    assert click_violations() == {"click: workflow.papers.high", "starlette: workflow.cli.page"}
    assert size_violations() == {"size: storage.s"}
