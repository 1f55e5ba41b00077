"""The lifecycles (states and transitions of papers, consultations and meetings) and the
permissions, both usually in ``lifecycles.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from workflow.core.catalog import (
    CONSULTATION_EFFECTS,
    CONSULTATION_GUARDS,
    LIFECYCLE_NAMES,
    MEETING_EFFECTS,
    MEETING_GUARDS,
    OPTIONAL_LIFECYCLE_NAMES,
    PAPER_EFFECTS,
    PAPER_GUARDS,
    Lifecycle,
    LifecycleState,
    LifecycleTransition,
)
from workflow.core.model import Action, Role
from workflow.definitions.checks import _check_type, _enum, _items, _record, _strings, _unknown
from workflow.definitions.yaml_reader import _Ctx, _line, _Map

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

_NAME = re.compile(r"[a-z_][a-z0-9_]*")  # lifecycle states and triggers
_LIFECYCLE = {"initial": "str", "states": "map", "transitions": "list"}
_STATE = {"label": "str", "final": "bool"}
_TRANSITION = {"trigger": "str", "source": "str_or_list", "dest": "str", "label": "str"}
_TRANSITION_LISTS = {"roles": "list", "guards": "list", "effects": "list"}


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
    _check_ways_out(ctx, path, state_nodes, finals, edges, reached)
    if len(ctx.problems) > before:
        return None
    return Lifecycle(name=name, initial=initial, states=tuple(states), transitions=transitions)


def _check_ways_out(
    ctx: _Ctx,
    path: str,
    state_nodes: _Map,
    finals: Mapping[str, bool],
    edges: Mapping[str, set[str]],
    reached: set[str],
) -> None:
    """Every reachable state that is not final has a way to a final state: it can be left
    (no dead end), and leaving it does not only lead round a cycle of states (no trap)."""
    if not any(finals.values()):
        return  # reported already: no final state
    leads_out = {state for state, final in finals.items() if final}
    changed = True
    while changed:
        changed = False
        for source, targets in edges.items():
            if source not in leads_out and targets & leads_out:
                leads_out.add(source)
                changed = True
    for state_id in state_nodes:
        if state_id not in reached or state_id in leads_out:
            continue
        exits = edges.get(state_id, set()) - {state_id}
        if not exits:
            message = (
                f"state {state_id!r} can never be left; add a transition from it "
                "or mark it 'final: true'"
            )
        else:
            trap = ", ".join(sorted(exits))
            message = (
                f"no final state can be reached from state {state_id!r} (it only leads to "
                f"{trap}); add a transition that leads to a final state"
            )
        ctx.add(state_nodes.key_lines[state_id], f"{path}.states.{state_id}", message)


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
