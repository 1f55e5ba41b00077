"""``paper create --planned``: planned dates of the route's steps, in path order or by position;
one-line errors and nothing created on a mistake. SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from tests.test_cli import run
from workflow.service import WorkflowService

CREATE = (
    "paper",
    "create",
    "--type",
    "vorlage",
    "--title",
    "Feuerwache",
    "--office",
    "amt1",
    "--route",
    "standard",
    "--date",
    "01.03.2025",
    "--json",
)


def planned_of(service: WorkflowService, *planned: str) -> list[str | None]:
    args = [a for value in planned for a in ("--planned", value)]
    result = run(service, *CREATE, *args, user="clerk")
    assert result.exit_code == 0, result.output
    paper = json.loads(result.stdout)
    shown = json.loads(run(service, "paper", "show", paper["number"], "--json").stdout)
    assert [c["planned_date"] for c in shown["consultations"]] == [
        c["planned_date"] for c in paper["consultations"]
    ]
    return [c["planned_date"] for c in paper["consultations"]]


def test_planned_dates_in_path_order(service: WorkflowService) -> None:
    assert planned_of(service, "2025-03-18", "27.03.2025") == ["2025-03-18", "2025-03-27"]
    assert planned_of(service, "-", "2025-03-27") == [None, "2025-03-27"]


def test_planned_date_by_position(service: WorkflowService) -> None:
    assert planned_of(service, "2=2025-03-27") == [None, "2025-03-27"]
    assert planned_of(service, "2=27.03.2025", "1=18.03.2025") == ["2025-03-18", "2025-03-27"]


def test_planned_dates_are_audited_with_the_paper(service: WorkflowService) -> None:
    planned_of(service, "2025-03-18", "2025-03-27")
    (created,) = [e for e in service.audit.audit_trail("V/2025/1") if e.action == "paper_created"]
    assert "2025-03-27" in json.dumps(created.payload)


@pytest.mark.parametrize(
    ("planned", "message"),
    [
        (
            ["2025-03-18"],
            (
                "Fehler: --planned nennt 1 Termin(e) in der Reihenfolge der Beratungsfolge, aber die "
                "Beratungsfolge 'standard' hat 2 Schritte; geben Sie je Schritt einen an (- für "
                "keinen) oder verwenden Sie POS=DATUM\n"
            ),
        ),
        (
            ["2025-03-18", "2025-03-19", "2025-03-20"],
            (
                "Fehler: --planned nennt 3 Termin(e) in der Reihenfolge der Beratungsfolge, aber die "
                "Beratungsfolge 'standard' hat 2 Schritte; geben Sie je Schritt einen an (- für "
                "keinen) oder verwenden Sie POS=DATUM\n"
            ),
        ),
        (
            ["3=2025-03-18"],
            "Fehler: --planned 3=…: die Beratungsfolge 'standard' hat nur 2 Schritte\n",
        ),
        (["1=2025-03-18", "1=2025-03-19"], "Fehler: --planned nennt Schritt 1 zweimal\n"),
        (
            ["1=2025-03-18", "2025-03-19"],
            (
                "Fehler: --planned: geben Sie entweder ein DATUM (oder -) je Schritt in der "
                "Reihenfolge der Beratungsfolge an oder POS=DATUM, nicht beides\n"
            ),
        ),
    ],
)
def test_count_and_form_mistakes_are_one_line_and_create_nothing(
    service: WorkflowService, planned: list[str], message: str
) -> None:
    args = [a for value in planned for a in ("--planned", value)]
    result = run(service, *CREATE, *args, user="clerk")
    assert (result.exit_code, result.stderr) == (1, message)
    assert service.papers.list_papers().items == ()


def test_planned_without_route_is_refused(service: WorkflowService) -> None:
    args = [a for a in CREATE if a not in ("--route", "standard")]
    result = run(service, *args, "--planned", "2025-03-18", user="clerk")
    assert (result.exit_code, result.stderr) == (
        1,
        (
            "Fehler: --planned gibt Daten der Schritte einer Beratungsfolge an; geben Sie auch "
            "--route ID an\n"
        ),
    )
    assert service.papers.list_papers().items == ()


@pytest.mark.parametrize("value", ["31.06.2012", "2025-13-01", "x=2025-03-18", "0=2025-03-18"])
def test_a_bad_date_or_position_is_a_usage_error(service: WorkflowService, value: str) -> None:
    result = run(service, *CREATE, "--planned", value, user="clerk")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"Ungültiger Wert für '--planned': '{value}'" in result.stderr
    assert service.papers.list_papers().items == ()
