"""The shape of the API: ``WorkflowService`` composes capability services and has no logic of
its own; every public method of a capability service opens exactly one unit of work."""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import pytest

from workflow.service import WorkflowService
from workflow.uow import Shared

ROOT = Path(__file__).parents[1]


def capability_classes() -> list[type]:
    """The classes ``WorkflowService.__init__`` builds its capability services from."""
    found = [
        node.func.id
        for node in ast.walk(ast.parse(inspect.getsource(WorkflowService)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.endswith("Service")
    ]
    module = inspect.getmodule(WorkflowService)
    return [getattr(module, name) for name in found]


def test_workflow_service_only_composes() -> None:
    own = {n for n, v in vars(WorkflowService).items() if inspect.isfunction(v)}
    assert own == {"__init__"}
    init = ast.parse(inspect.getsource(WorkflowService.__init__).strip())
    statements = init.body[0].body  # type: ignore[attr-defined]
    assert all(isinstance(s, ast.Assign | ast.Expr) for s in statements)


def _opens(cls: type, name: str, seen: set[str]) -> int:
    """Units of work ``cls.name`` opens: its own ``with self._shared.write/read(...)`` and
    those of the methods of ``cls`` it calls."""
    if name in seen:
        return 0
    seen.add(name)
    tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(cls, name))))
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            target = func.value
            if (
                func.attr in ("write", "read")
                and isinstance(target, ast.Attribute)
                and target.attr == "_shared"
            ):
                count += 1
            elif (
                isinstance(target, ast.Name)
                and target.id == "self"
                and inspect.isfunction(getattr(cls, func.attr, None))
            ):
                count += _opens(cls, func.attr, seen)
    return count


@pytest.mark.parametrize("cls", capability_classes(), ids=lambda c: c.__name__)
def test_every_public_method_is_one_unit_of_work(cls: type) -> None:
    assert inspect.signature(cls.__init__).parameters["shared"].annotation in (Shared, "Shared")
    methods = [n for n, v in vars(cls).items() if inspect.isfunction(v) and not n.startswith("_")]
    assert methods, f"{cls.__name__} has no public method"
    wrong = {name: n for name in methods if (n := _opens(cls, name, set())) != 1}
    assert wrong == {}, f"public methods of {cls.__name__} opening other than one unit of work"
