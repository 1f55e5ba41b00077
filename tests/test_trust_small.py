"""Issue 13, item 19: the small ones. ``paper list --state bogus`` is refused with the known
states; replay names both values of a changed vote label; the report counts "1 Enthaltung"
and shows an overruled objection as overruled. Both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from storage.session import Database
from tests.test_decisions import S
from tests.test_service import create, released
from workflow.cli import cli
from workflow.core.errors import NotFoundError
from workflow.core.model import PaperQuery, VoteCount, VoteKind
from workflow.service import WorkflowService


def run(service: WorkflowService, *args: str, user: str = S) -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": user})


def test_paper_list_refuses_an_unknown_state(service: WorkflowService) -> None:
    number = create(service)
    result = run(service, "paper", "list", "--state", "bogus")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.partition(": ")[2].startswith(
        "kein Vorlagenstatus 'bogus' (bekannt: draft, co_signing, "
    )
    close = run(service, "paper", "list", "--state", "drafts")
    assert close.exit_code == 1 and "(meinten Sie 'draft'?)" in close.stderr
    with pytest.raises(NotFoundError):
        service.papers.list_papers(PaperQuery(state="bogus"))
    listed = run(service, "paper", "list", "--state", "draft", "--json")
    assert listed.exit_code == 0 and number in listed.stdout
    assert run(service, "paper", "list", "--state", "rejected").exit_code == 0  # known, empty


def test_replay_names_both_values_of_a_changed_vote_label(
    service: WorkflowService, database: Database
) -> None:
    number = released(service)
    votes = [VoteCount(yes=4, no=0, abstain=1, label="einstimmig")]
    day = dt.date(2025, 3, 10)
    service.results.record_result(
        number, user=S, position=1, outcome="empfohlen", votes=votes, date=day
    )
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE vote SET label = 'mehrheitlich'"))
    [report] = [r for r in service.audit.replay_audit() if r.paper_number == number]
    assert report.status.value == "mismatch"
    assert report.difference == (
        "Schritt 1 (ausschuss) votes (Abstimmung 1, label): der Prüfpfad ergibt 'einstimmig', "
        "die Datenbank enthält 'mehrheitlich'"
    )


def _report_rows(html: str, section: str) -> list[list[str]]:
    from tests.test_report import Document

    return Document(html).rows(section)


def test_the_report_counts_one_enthaltung_and_shows_an_overruled_objection(
    database: Database,
) -> None:
    from tests.test_co_signing import MONDAY, submitted
    from workflow.core.clock import FixedClock
    from workflow.definitions import resolve_definitions_dir

    service = WorkflowService(database, FixedClock(MONDAY))
    service.bodies.load_definitions(resolve_definitions_dir("herzogenrath"), user=None)
    number = submitted(service)
    service.co_signing.co_sign(
        number, user="amt10.leitung", office="amt10", objection=True, comment="Kosten fehlen"
    )
    service.co_signing.overrule_objection(
        number, user="amt50.leitung", office="amt10", reason="Kosten folgen im Haushalt"
    )
    service.papers.release_paper(number, user="amt50.leitung")
    votes = [
        VoteCount(subject="Vertagungsantrag", kind=VoteKind.PROCEDURAL, yes=3, no=1, abstain=2),
        VoteCount(yes=5, no=1, abstain=1),
    ]
    service.results.record_result(
        number,
        user="sitzungsdienst",
        position=1,
        outcome="beschlossen",
        votes=votes,
        date=MONDAY.date(),
    )
    result = run(service, "audit", "report", number, user="rpa")
    assert result.exit_code == 0, result.output
    html = result.stdout
    assert _report_rows(html, "Beratungsfolge")[0][-1] == "5 Ja, 1 Nein, 1 Enthaltung"
    assert "Vertagungsantrag (Geschäftsordnungsantrag): 3 Ja, 1 Nein, 2 Enthaltungen" in html
    assert "1 Enthaltungen" not in html
    [row] = _report_rows(html, "Mitzeichnungen")
    assert row[:2] == [
        "Amt 10 - Hauptamt",
        "Einwand überstimmt am 10.03.2025 10:00:00 durch amt50.leitung: Kosten folgen im Haushalt",
    ]
    assert "gezeichnet" not in " ".join(row) and "overruled" not in " ".join(row)
