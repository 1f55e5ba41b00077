"""Parse one YAML file into mappings and lists that remember their line numbers.

Duplicate and non-string keys and syntax errors are not raised but collected, as a
``Problem`` each, in the file's ``_Ctx``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from workflow.core.errors import Problem
from workflow.core.i18n import N_, _


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
            message = _("key {key!r} is {kind}; quote it")
            loader.ctx.add(line, "", message.format(key=key_node.value, kind=_describe(key)))
            key = str(key_node.value)
        if key in result.key_lines:
            first = result.key_lines[key]
            message = _("duplicate key {key!r} (first at line {first})")
            loader.ctx.add(line, "", message.format(key=key, first=first))
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
        reason = exc.problem or exc.context
        ctx.add(line, "", _("YAML syntax error: {reason}").format(reason=reason))
    except yaml.YAMLError as exc:
        ctx.add(None, "", _("YAML error: {reason}").format(reason=exc))
    except RecursionError:
        ctx.add(None, "", _("lists or mappings nested too deeply"))
    finally:
        loader.dispose()
    return None


_KINDS = {
    bool: N_("a boolean"),
    int: N_("an integer"),
    float: N_("a number"),
    str: N_("a string"),
    _Seq: N_("a list"),
    _Map: N_("a mapping"),
    list: N_("a list"),
    dict: N_("a mapping"),
}


def _describe(value: Any) -> str:
    """What a YAML value is, in words: 'eine Zeichenkette', 'eine Liste', …"""
    if value is None:
        return _("an empty value")
    kind = _KINDS.get(type(value))
    if kind is None:  # dates and times
        return _("a value of type {name}").format(name=type(value).__name__)
    return _(kind)


def _line(node: Any, key: str) -> int:
    """The line of a key in a parsed mapping (the mapping's own line if the key is absent)."""
    return int(node.key_lines.get(key, node.line))
