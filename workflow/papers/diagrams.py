"""Diagrams as text: a lifecycle (drawn by ``transitions``) and a paper's path.

Both come as Mermaid or Graphviz DOT source; ``render`` turns DOT into SVG or PNG when
Graphviz's ``dot`` program is installed.
"""

from __future__ import annotations

from typing import Any, Literal

from workflow.core.catalog import Lifecycle
from workflow.core.errors import InvalidInput
from workflow.core.i18n import _
from workflow.core.model import DONE_STEP_STATES, OPEN_STEP_STATES, ConsultationView, PaperView

FORMATS = ("mermaid", "dot", "svg", "png")

# Node ids of the paper diagram besides ``s<position>``. Mermaid reserves ``end`` (it closes a
# subgraph and breaks a flowchart as a node id), and an id starting with ``o`` or ``x`` after
# ``--`` is read as a circle or cross edge; these ids avoid both, in Mermaid and DOT alike.
START = "start"
STOP = "stop"


def lifecycle_source(lifecycle: Lifecycle, fmt: str) -> str:
    """The lifecycle as a state diagram: states with their labels, transitions with their
    guards in brackets; the initial state is highlighted, final states are drawn double."""
    from transitions.extensions.diagrams import GraphMachine

    class _Model:
        pass

    engine: Literal["mermaid", "graphviz"] = "mermaid" if fmt == "mermaid" else "graphviz"
    machine = GraphMachine(
        model=_Model(),
        states=[{"name": s.id} for s in lifecycle.states],
        transitions=[
            {
                "trigger": t.trigger,
                "source": list(t.sources),
                "dest": t.dest,
                "conditions": list(t.guards),
            }
            for t in lifecycle.transitions
        ],
        initial=lifecycle.initial,
        auto_transitions=False,
        show_conditions=True,
        title=_("{name} lifecycle").format(name=lifecycle.name),
        graph_engine=engine,
    )
    graph: Any = machine.model.get_graph()  # type: ignore[attr-defined]
    if engine == "mermaid":
        return str(graph.draw(None))
    for state in lifecycle.states:
        if state.final:
            graph.node(state.id, peripheries="2")
    return str(graph.source)


def paper_source(view: PaperView, fmt: str) -> str:
    """The paper's Beratungsfolge: done steps (with their outcome on the edge leaving them),
    the current level highlighted, planned steps dashed, cancelled ones grey; steps on one
    level side by side."""
    levels: dict[int, list[ConsultationView]] = {}
    for step in view.consultations:
        levels.setdefault(step.level, []).append(step)
    ordered = [levels[k] for k in sorted(levels)]
    current = next(
        (i for i, group in enumerate(ordered) if any(s.state in OPEN_STEP_STATES for s in group)),
        None,
    )
    nodes = {s.position: _step_label(s) for s in view.consultations}
    kinds = {
        s.position: _kind(s, current is not None and s in ordered[current])
        for s in view.consultations
    }
    edges: list[tuple[str, str, str]] = []
    for index, group in enumerate(ordered):
        previous = ordered[index - 1] if index else []
        for target in group:
            if not previous:
                edges.append((START, f"s{target.position}", ""))
            for source in previous:
                edges.append((f"s{source.position}", f"s{target.position}", _outcome(source)))
    end_from = ordered[-1] if ordered else []
    for step in end_from:
        edges.append((f"s{step.position}", STOP, _outcome(step)))
    title = f"{view.number}: {view.title}"
    end_label = f"{view.state_label}"
    if fmt == "mermaid":
        return _mermaid(title, nodes, kinds, edges, end_label)
    return _dot(title, nodes, kinds, edges, end_label)


def render(dot_source: str, fmt: str) -> bytes:
    """DOT source as SVG or PNG bytes through Graphviz's ``dot``."""
    import graphviz

    try:
        return bytes(graphviz.Source(dot_source).pipe(format=fmt))
    except graphviz.ExecutableNotFound:
        raise InvalidInput(
            _(
                "the format {fmt} needs Graphviz's 'dot' program (apt install graphviz); "
                "or use the format dot or mermaid"
            ).format(fmt=fmt),
            field="fmt",
        ) from None


def _step_label(step: ConsultationView) -> str:
    when = step.date or step.planned_date
    day = when.strftime("%d.%m.%Y") if when else "ohne Termin"
    public = "Ö" if step.public else "N"
    return f"{step.position}. {step.organization_name} ({step.role.value}, {public}) {day}"


def _kind(step: ConsultationView, current: bool) -> str:
    if step.state in DONE_STEP_STATES:
        return "done"
    if step.state == "cancelled":
        return "cancelled"
    return "current" if current else "planned"


def _outcome(step: ConsultationView) -> str:
    if step.state not in DONE_STEP_STATES:
        return ""
    return step.result_label or (step.outcome.label if step.outcome else step.state)


_MERMAID_STYLE = {
    "done": "fill:#e6f4ea,stroke:#1e7d32",
    "current": "fill:#fff4ce,stroke:#b36b00,stroke-width:3px",
    "planned": "fill:#ffffff,stroke:#666666,stroke-dasharray:4 3",
    "cancelled": "fill:#eeeeee,stroke:#999999,color:#999999",
}


def _mermaid(
    title: str,
    nodes: dict[int, str],
    kinds: dict[int, str],
    edges: list[tuple[str, str, str]],
    end_label: str,
) -> str:
    lines = ["---", f"title: {_mermaid_text(title)}", "---", "flowchart LR"]
    lines.append(f"  {START}((Vorlage))")
    for position, label in nodes.items():
        lines.append(f'  s{position}["{_mermaid_text(label)}"]:::{kinds[position]}')
    lines.append(f'  {STOP}(("{_mermaid_text(end_label)}"))')
    for source, target, label in edges:
        arrow = f'-->|"{_mermaid_text(label)}"|' if label else "-->"
        lines.append(f"  {source} {arrow} {target}")
    for kind, style in _MERMAID_STYLE.items():
        lines.append(f"  classDef {kind} {style}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


_DOT_STYLE = {
    "done": {"style": "rounded,filled", "fillcolor": "#e6f4ea", "color": "#1e7d32"},
    "current": {"style": "rounded,filled,bold", "fillcolor": "#fff4ce", "color": "#b36b00"},
    "planned": {"style": "rounded,dashed", "color": "#666666"},
    "cancelled": {"style": "rounded,filled", "fillcolor": "#eeeeee", "fontcolor": "#999999"},
}


def _dot(
    title: str,
    nodes: dict[int, str],
    kinds: dict[int, str],
    edges: list[tuple[str, str, str]],
    end_label: str,
) -> str:
    import graphviz

    graph = graphviz.Digraph(name="paper", graph_attr={"rankdir": "LR", "label": title})
    graph.attr("node", shape="box", fontname="Helvetica")
    graph.node(START, "Vorlage", shape="circle")
    for position, label in nodes.items():
        graph.node(f"s{position}", label, **_DOT_STYLE[kinds[position]])
    graph.node(STOP, end_label, shape="doublecircle")
    for source, target, label in edges:
        graph.edge(source, target, label=label or None)
    return str(graph.source)
