"""Diagrams: a lifecycle drawn by transitions, and a paper's path, as Mermaid and DOT."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_service import released
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.service import WorkflowService


@pytest.fixture
def clock() -> FixedClock:
    """The results here are dated up to 27.03.2025 (the planned Rat) and recorded after that."""
    return FixedClock(dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC))


def run(service: WorkflowService, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": "auditor"})


def test_paper_graph_marks_done_current_and_planned_steps(service: WorkflowService) -> None:
    number = released(service)
    service.results.record_result(number, user="session", position=1, outcome="vertagt")
    result = run(service, "paper", "graph", number)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("---\ntitle: V/2025/1: Neubau der Feuerwache\n---\nflowchart LR\n")
    assert 's1["1. Hauptausschuss (vorberatung, Ö) 18.03.2025"]:::done' in text
    assert 's2["2. Hauptausschuss (vorberatung, Ö) ohne Termin"]:::current' in text
    assert 's3["3. Rat der Stadt Musterstadt (entscheidung, Ö) 27.03.2025"]:::planned' in text
    assert 's1 -->|"vertagt"| s2' in text
    assert "start --> s1" in text and "s3 --> stop" in text
    assert '  stop(("In Beratung"))' in text
    assert_mermaid_ids_are_not_keywords(text)
    dot = run(service, "paper", "graph", number, "--format", "dot").stdout
    assert dot.startswith("digraph paper {")
    assert "s1 -> s2 [label=vertagt]" in dot
    assert "s3 -> stop" in dot and "end" not in dot
    assert 'style="rounded,dashed"' in dot


# Words Mermaid's flowchart grammar reads as keywords: a node with such an id does not render.
MERMAID_KEYWORDS = {"end", "subgraph", "graph", "flowchart", "style", "class", "classdef"}
MERMAID_KEYWORDS |= {"click", "linkstyle", "direction", "call", "href", "default"}


def assert_mermaid_ids_are_not_keywords(text: str) -> None:
    body = text.split("flowchart LR\n", 1)[1]
    ids: set[str] = set()
    for line in body.splitlines():
        if line.strip().startswith("classDef "):
            continue
        line = re.sub(r'"[^"]*"', "", line)  # labels may say anything
        ids.update(re.findall(r"(?:^\s*|-->(?:\|\|)?\s*)([A-Za-z_]\w*)", line))
    assert {"start", "s1", "s3", "stop"} <= ids
    assert not {i.lower() for i in ids} & MERMAID_KEYWORDS, ids


def test_parallel_steps_are_drawn_side_by_side(service: WorkflowService) -> None:
    from workflow.papers.diagrams import paper_source

    number = released(service)
    view = service.paths.add_consultation(
        number, user="session", organization="rat", role="anhoerung", parallel_to=1, reason="x"
    )
    text = paper_source(view, "mermaid")
    assert "start --> s1" in text and "start --> s2" in text
    assert "s1 --> s3" in text and "s2 --> s3" in text


def test_definitions_graph_draws_the_lifecycle(service: WorkflowService, tmp_path: Path) -> None:
    mermaid = run(service, "definitions", "graph", "--lifecycle", "consultation").stdout
    assert "stateDiagram-v2" in mermaid
    assert "scheduled --> held: hold [previous_steps_done]" in mermaid
    dot = run(service, "definitions", "graph", "--format", "dot").stdout
    assert 'draft -> co_signing [label="submit [has_consultations & has_concluding_step]"]' in dot
    assert "adopted [label" in dot or "adopted" in dot
    bad = run(service, "definitions", "graph", "--lifecycle", "papr")
    assert bad.exit_code == 1 and "meinten Sie 'paper'" in bad.stderr
    png = run(service, "definitions", "graph", "--format", "png")
    assert png.exit_code == 2 and "Fehler: PNG ist binär; geben Sie --output DATEI an" in png.stderr


def test_svg_is_rendered_by_graphviz_or_refused_in_one_line(service: WorkflowService) -> None:
    result = run(service, "definitions", "graph", "--format", "svg")
    if shutil.which("dot"):
        assert result.exit_code == 0 and "<svg" in result.stdout
    else:
        assert result.exit_code == 1
        assert "braucht das Programm 'dot' von Graphviz" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
