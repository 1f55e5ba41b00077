"""``ratsweg paper list``: the Vorlagen list's filters, search, sort and pages on the command
line, with one German line for each bad value."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner, Result

from tests.test_paper_list import CLERK, HAUPTAMT, SESSION, make_shelf
from workflow.cli import cli
from workflow.cli.paper_list import SORTS
from workflow.core.model import PaperSort
from workflow.service import WorkflowService


@pytest.fixture
def shelf(landau: WorkflowService) -> dict[str, str]:
    return make_shelf(landau)


def run(service: WorkflowService, *args: str, user: str = CLERK) -> Result:
    return CliRunner().invoke(
        cli, ["paper", "list", *args], obj=service, env={"RATSWEG_USER": user}
    )


def numbers(result: Result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [row["number"] for row in json.loads(result.stdout)]


def test_the_sort_keys_are_the_services() -> None:
    assert tuple(PaperSort) == SORTS


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--type", "mitteilungsvorlage"], "C"),
        (["--state", "draft"], "DC"),
        (["--office", "hauptamt"], "C"),
        (["--organization", "beirat_migration"], "A"),
        (["--year", "2011"], "A"),
        (["--since", "2012-05-01", "--until", "2012-05-31"], "C"),
        (["--state", "draft", "--office", "sozialamt"], "D"),
        (["--mine"], "DBA"),
        (["--waiting"], "D"),
        (["--search", "Kindergarten Nord"], "B"),
        (["--search", "2012/002"], "D"),
        (["--sort", "title"], "CDAB"),
        (["--sort", "title", "--order", "desc"], "BADC"),
        (["--limit", "2", "--page", "2"], "BA"),
        (["--limit", "2", "--offset", "1"], "CB"),
    ],
)
def test_each_option_narrows_or_orders_the_list(
    landau: WorkflowService, shelf: dict[str, str], args: list[str], expected: str
) -> None:
    names = {number: name for name, number in shelf.items()}
    assert "".join(names[n] for n in numbers(run(landau, *args, "--json"))) == expected


def test_waiting_lists_what_the_user_must_do(
    landau: WorkflowService, shelf: dict[str, str]
) -> None:
    assert numbers(run(landau, "--waiting", "--json", user=HAUPTAMT)) == [shelf["B"]]
    assert numbers(run(landau, "--waiting", "--json", user=SESSION)) == [shelf["A"]]


def test_the_table_shows_german_states_and_a_page_note(
    landau: WorkflowService, shelf: dict[str, str]
) -> None:
    result = run(landau, "--limit", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Vorlage", "Art", "Datum", "Status", "Amt", "Betreff"]
    assert lines[2].split()[:4] == [shelf["D"], "sitzungsvorlage", "01.06.2012", "Entwurf"]
    assert result.stderr == "Vorlagen 1–2 von 4; weiter mit --offset 2\n"
    last = run(landau, "--limit", "2", "--page", "2")
    assert last.stderr == "Vorlagen 3–4 von 4\n"


def test_csv_and_json_keep_english_keys(landau: WorkflowService, shelf: dict[str, str]) -> None:
    rows = list(csv.DictReader(io.StringIO(run(landau, "--format", "csv").stdout)))
    assert list(rows[0]) == ["number", "paper_type", "date", "state", "office_id", "title"]
    assert rows[0]["state"] == "draft"
    [row] = json.loads(run(landau, "--type", "mitteilungsvorlage", "--json").stdout)
    assert (row["state"], row["state_label"], row["office_name"]) == (
        "draft",
        "Entwurf",
        "Hauptamt",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--state", "bogus"], "kein Vorlagenstatus 'bogus' (bekannt: draft, co_signing, "),
        (["--type", "vorlagen"], "Vorlagenart 'vorlagen'"),
        (["--office", "stadtrat"], "Amt 'stadtrat'"),
        (["--sort", "size"], "--sort 'size' gibt es nicht; möglich sind date, number, title,"),
        (["--order", "up"], "--order 'up' gibt es nicht; möglich sind asc, desc"),
        (["--limit", "0"], "eine Seite fasst 1 bis 500 Vorlagen, nicht 0"),
        (["--limit", "1000"], "eine Seite fasst 1 bis 500 Vorlagen, nicht 1000"),
        (["--offset", "1", "--page", "2"], "entweder --offset oder --page"),
        (["--page", "0"], "--page zählt ab 1, nicht 0"),
        (["--search", "x" * 201], "der Suchtext hat 201 Zeichen"),
        (["--search", "***"], "enthält kein Wort"),
        (["--sort", "relevance"], "Sortieren nach Relevanz braucht einen Suchtext"),
        (["--since", "2012-02-01", "--until", "2012-01-01"], "der Zeitraum endet"),
    ],
)
def test_bad_values_are_refused_in_one_german_line(
    landau: WorkflowService, shelf: dict[str, str], args: list[str], message: str
) -> None:
    result = run(landau, *args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("Fehler: ") and result.stderr.count("\n") == 1
    assert message in result.stderr, result.stderr


def test_an_unknown_user_lists_nothing(landau: WorkflowService, shelf: dict[str, str]) -> None:
    result = run(landau, "--search", "Feuerwache", user="mallory")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "Benutzer 'mallory' gibt es nicht" in result.stderr
