"""``ratsweg paper urgent-decision|object|finalize|supervisory|procedures`` and ``ratsweg
decisions``: one-line errors with exit 1, usage errors with exit 2, JSON and CSV listings."""

from __future__ import annotations

import datetime as dt
import json

from tests.conftest import on_day
from tests.test_cli import run
from tests.test_decisions import adopted
from tests.test_service import released
from workflow.core.clock import FixedClock
from workflow.service import WorkflowService


def test_urgent_decision_prints_the_follow_up_step(
    service: WorkflowService, clock: FixedClock
) -> None:
    number = released(service)
    on_day(clock, dt.date(2025, 3, 12))
    args = ["paper", "urgent-decision", number, "--decided-by", "mayor", "--date", "2025-03-12"]
    result = run(service, *args, "--reason", "eilt", user="session")
    assert result.exit_code == 1
    expected = (
        "GO NRW § 60 Abs. 1 S. 2: der Bürgermeister entscheidet zusammen mit einem "
        "Mitunterzeichner (required); geben Sie --co-signer NAME an"
    )
    assert [line.partition(": ")[2] for line in result.stderr.strip().splitlines()] == [expected]
    result = run(service, *args, "--reason", "eilt", "--co-signer", "RM Schmitz", user="session")
    assert result.exit_code == 0, result.output
    assert "Dringlich entschieden (decided_urgently)" in result.stderr
    assert "Schritt 4: Rat der Stadt Musterstadt" in result.stdout
    procedures = json.loads(run(service, "paper", "procedures", number, "--json").stdout)
    assert procedures[0]["kind"] == "dringlichkeitsentscheidung"


def test_object_usage_and_input_errors(service: WorkflowService, clock: FixedClock) -> None:
    number = adopted(service)
    usage = run(service, "paper", "object", number, "--kind", "veto", "--date", "2025-03-28")
    assert usage.exit_code == 2
    late = run(
        service, "paper", "object", number, "--kind", "widerspruch", "--date", "2025-04-05",
        "--reason", "Gemeinwohl", user="mayor",
    )  # fmt: skip
    assert late.exit_code == 1
    assert "war bis 30.03.2025 zu erheben" in late.stderr
    assert "Traceback" not in late.output
    on_day(clock, dt.date(2025, 3, 28))
    ok = run(
        service, "paper", "object", number, "--kind", "widerspruch", "--date", "2025-03-28",
        "--reason", "Gemeinwohl", user="mayor",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "Widerspruch (Vollzug ausgesetzt) (objected)" in ok.stderr


def test_decisions_open_lists_tasks_as_json_and_csv(
    service: WorkflowService, clock: FixedClock
) -> None:
    number = adopted(service)  # decided on 27.03.2025
    early = run(
        service, "decisions", "task-add", number, "--title", "Bericht", "--office", "amt1",
        "--due", "2025-03-26", user="session",
    )  # fmt: skip
    assert early.exit_code == 1
    assert early.stderr.partition(": ")[2] == (
        "die Aufgabe ist am 26.03.2025 fällig, vor dem Beschluss vom 27.03.2025, den sie "
        "umsetzt; prüfen Sie --due\n"
    )
    added = run(
        service, "decisions", "task-add", number, "--title", "Bericht", "--office", "amt1",
        "--due", "2025-04-01", user="session",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    clock.instant = dt.datetime(2025, 4, 2, 9, tzinfo=dt.UTC)  # the task is now overdue
    rows = json.loads(run(service, "decisions", "open", "--overdue", "--json").stdout)
    assert [(r["paper_number"], r["due"], r["overdue"]) for r in rows] == [
        (number, "2025-04-01", True)
    ]
    ndjson = run(service, "decisions", "open", "--overdue", "--format", "ndjson").stdout
    assert [json.loads(line) for line in ndjson.splitlines()] == rows
    csv = run(service, "decisions", "open", "--format", "csv", "--office", "amt1").stdout
    assert csv.splitlines() == [
        "task,paper,title,office,state,due,every,report_to,status",
        f"1,{number},Bericht,amt1,open,01.04.2025,,,overdue",
    ]
    refused = run(service, "decisions", "implemented", "1", "--text", "x", user="auditor")
    assert refused.exit_code == 1
    assert "keine Berechtigung für implementation.report" in refused.stderr
    done = run(service, "decisions", "implemented", "1", "--text", "erledigt", user="clerk")
    assert done.exit_code == 0, done.output
    assert run(service, "decisions", "open", "--json").stdout.strip() == "[]"
