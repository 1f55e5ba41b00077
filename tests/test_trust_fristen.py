"""Issue 13, item 12: one judgement of the Fristen, shown alike by ``paper check``, ``decisions
list`` and the decision-trail report (``audit report``). A paper released after a step's
Vorlagenschluss missed it everywhere; the Bürgermeister's Dringlichkeitsentscheidung (no
meeting) and a step taken off the agenda (abgesetzt) have no Vorlagenschluss and no Ladung to
keep, and a dropped step is no Nachtrag. On SQLite and PostgreSQL (the Landau definitions,
which have Fristen)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from click.testing import CliRunner

from tests.test_trail import AUDITOR, CLERK, HEAD, SESSION, at, decided_paper
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.service import WorkflowService

D = dt.date.fromisoformat
STEP_FRISTEN = ("Vorlagenschluss", "Ladung")
Statuses = dict[tuple[str, int], str]


def run_json(service: WorkflowService, *args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--json"], obj=service, env={"RATSWEG_USER": AUDITOR})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def step_statuses(service: WorkflowService, number: str) -> dict[int, str]:
    """Each step's status as ``paper check --json`` gives it."""
    return {s["position"]: s["status"] for s in run_json(service, "paper", "check", number)}


def paper_check(service: WorkflowService, number: str) -> tuple[dict[int, str], Statuses]:
    """Each step's status, and each Frist's, as ``paper check --json`` gives them."""
    steps = run_json(service, "paper", "check", number)
    fristen = {(f["kind"], f["position"]): f["status"] for s in steps for f in s["fristen"]}
    return {s["position"]: s["status"] for s in steps}, fristen


def decisions_list(service: WorkflowService, number: str) -> Statuses:
    """The step Fristen of the paper's (last) decision in ``decisions list --json``."""
    found = [d for d in run_json(service, "decisions", "list") if d["paper"] == number]
    assert found, f"{number} is not listed as a decision"
    return {
        (c["kind"], c["position"]): c["status"]
        for c in found[-1]["deadlines"]
        if c["kind"] in STEP_FRISTEN
    }


def audit_report(service: WorkflowService, number: str) -> Statuses:
    (trail,) = service.trail.paper_report(number, reader=AUDITOR)
    return {
        (c.kind, c.position): c.status.value
        for c in trail.deadlines
        if c.kind in STEP_FRISTEN and c.position is not None
    }


def agreed(service: WorkflowService, number: str) -> tuple[dict[int, str], Statuses]:
    """The step statuses of ``paper check`` and the Fristen every view agrees on (asserted)."""
    steps, checked = paper_check(service, number)
    listed, reported = decisions_list(service, number), audit_report(service, number)
    assert reported == {k: checked[k] for k in reported}, (reported, checked)
    assert listed == {k: reported[k] for k in listed}, (listed, reported)
    return steps, checked


def clock_of(service: WorkflowService) -> FixedClock:
    clock = service.clock
    assert isinstance(clock, FixedClock)
    return clock


def released_stadtrat_paper(
    service: WorkflowService, released: str, dates: tuple[str, str, str]
) -> str:
    clock = clock_of(service)
    clock.instant = at(released, 9)
    number = service.papers.create_paper(
        user=CLERK, paper_type="sitzungsvorlage", title=f"Vorlage {released}",
        office="sozialamt", date=D(released), route="stadtrat",
        planned_dates=[D(d) for d in dates],
    ).number  # fmt: skip
    service.papers.submit_paper(number, user=CLERK)
    service.papers.release_paper(number, user=HEAD)
    return number


def record(service: WorkflowService, number: str, position: int, day: str, outcome: str) -> None:
    clock_of(service).instant = at(day, 20)
    service.results.record_result(
        number, user=SESSION, position=position, outcome=outcome, date=D(day)
    )


def test_a_paper_released_after_the_vorlagenschluss_missed_it_in_every_view(
    landau: WorkflowService,
) -> None:
    """Released on 10.06. for meetings on 11.-13.06.: ``paper check`` said "ok" for step 1
    while ``decisions list`` said versäumt."""
    number = decided_paper(
        landau,
        released="2024-06-10",
        dates=("2024-06-11", "2024-06-12", "2024-06-13"),
        invite="2024-06-12",
    )
    assert decisions_list(landau, number)[("Vorlagenschluss", 1)] == "missed"
    assert step_statuses(landau, number)[1] == "missed"  # was "ok"
    steps, fristen = agreed(landau, number)
    assert steps == {1: "missed", 2: "missed", 3: "missed"}
    assert {p: fristen[("Vorlagenschluss", p)] for p in (1, 2, 3)} == dict.fromkeys(
        (1, 2, 3), "missed"
    )
    assert fristen[("Ladung", 3)] == "missed"  # invited the day before the Stadtrat
    assert fristen[("Ladung", 1)] == "unknown"  # no meeting record for step 1
    (step1,) = [s for s in run_json(landau, "paper", "check", number) if s["position"] == 1]
    assert step1["message"].startswith(
        "versäumt: Vorlagenschluss bis Mi 29.05.2024 (erfolgt Mo 10.06.2024)"
    )


def test_a_paper_released_in_time_kept_its_vorlagenschluss_in_every_view(
    landau: WorkflowService,
) -> None:
    number = decided_paper(
        landau,
        released="2024-01-08",
        dates=("2024-01-22", "2024-01-29", "2024-02-15"),
        invite="2024-02-05",
    )
    steps, fristen = agreed(landau, number)
    assert steps == {1: "ok", 2: "ok", 3: "ok"}
    assert fristen[("Vorlagenschluss", 3)] == fristen[("Ladung", 3)] == "kept"


def test_an_urgent_decision_has_no_vorlagenschluss_and_no_ladung(
    landau: WorkflowService,
) -> None:
    """Decided by the Oberbürgermeister two days after the release: "Vorlagenschluss missed"
    and "Ladung unknown" before; not applicable now, in every view."""
    number = released_stadtrat_paper(
        landau, "2024-06-03", ("2024-06-20", "2024-06-27", "2024-07-11")
    )
    clock_of(landau).instant = at("2024-06-05", 12)
    view = landau.decisions.record_urgent_decision(
        number,
        user=SESSION,
        decided_by="oberbuergermeister",
        co_signer="Beigeordnete Müller",
        date=D("2024-06-05"),
        reason="Fördermittelfrist läuft am 07.06. ab",
    )
    decided = next(c.position for c in view.consultations if c.state == "held")
    listed = decisions_list(landau, number)  # was missed and unknown
    assert listed[("Vorlagenschluss", decided)] == listed[("Ladung", decided)] == "not_applicable"
    assert step_statuses(landau, number)[decided] == "not_applicable"
    steps, fristen = agreed(landau, number)
    assert steps[decided] == "not_applicable"
    assert fristen[("Vorlagenschluss", decided)] == "not_applicable"
    assert fristen[("Ladung", decided)] == "not_applicable"
    assert "missed" not in fristen.values() and "unknown" not in fristen.values()
    (check,) = [s for s in run_json(landau, "paper", "check", number) if s["position"] == decided]
    assert check["message"].startswith("Dringlichkeitsentscheidung ohne Sitzung (GemO § 48)")
    assert {f["legal_basis"] for f in check["fristen"]} == {"GemO § 48"}
    listed = run_json(landau, "decisions", "list")
    assert [d["deadlines_missed"] for d in listed if d["paper"] == number] == [0]
    html = CliRunner().invoke(
        cli, ["audit", "report", number], obj=landau, env={"RATSWEG_USER": AUDITOR}
    )
    assert html.exit_code == 0, html.output
    assert '<span class="not_applicable">nicht anwendbar</span>' in html.stdout


def test_a_dropped_step_is_no_nachtrag_and_its_fristen_do_not_apply(
    landau: WorkflowService,
) -> None:
    """The Hauptausschuss took the paper off its agenda the day after the Stadtvorstand: the
    dropped step was still flagged "nachtrag" and its Fristen judged."""
    number = released_stadtrat_paper(
        landau, "2024-01-08", ("2024-01-22", "2024-01-23", "2024-02-15")
    )
    record(landau, number, 1, "2024-01-22", "empfohlen")
    record(landau, number, 2, "2024-01-23", "abgesetzt")
    path = landau.papers.get_paper(number).consultations
    assert [(c.position, c.organization_id, c.state) for c in path][:3] == [
        (1, "stadtvorstand", "held"),
        (2, "hauptausschuss", "dropped"),
        (3, "hauptausschuss", "planned"),
    ]
    record(landau, number, 3, "2024-01-29", "empfohlen")
    assert step_statuses(landau, number)[2] == "not_applicable"  # was "nachtrag"
    record(landau, number, 4, "2024-02-15", "beschlossen")
    listed = decisions_list(landau, number)
    assert listed[("Vorlagenschluss", 2)] == listed[("Ladung", 2)] == "not_applicable"
    steps, fristen = agreed(landau, number)
    assert steps[2] == "not_applicable"
    assert fristen[("Vorlagenschluss", 2)] == fristen[("Ladung", 2)] == "not_applicable"
    assert "nachtrag" not in steps.values()
    assert fristen[("Vorlagenschluss", 4)] == "kept"
