"""Issue 13, item 13: a result is recorded by its enum value, by the label `ratsweg definitions
outcomes` shows, or by a label of the municipality (procedure.outcome_labels), on the command
line and in a minutes file. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_minutes import invited_meeting, write
from tests.test_service import released
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.errors import InvalidInput
from workflow.core.model import Outcome
from workflow.meetings.minutes import read_minutes_file
from workflow.service import WorkflowService

S = "session"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC))


def outcomes(service: WorkflowService, number: str) -> list[str | None]:
    view = service.papers.get_paper(number)
    return [c.outcome.value if c.outcome else None for c in view.consultations]


def test_the_shown_label_records_its_outcome(service: WorkflowService) -> None:
    number = released(service)
    service.results.record_result(
        number, user=S, position=1, outcome="mit Änderungen empfohlen", amended_text="Neu"
    )
    view = service.results.record_result(
        number, user=S, position=2, outcome="geändert beschlossen", amended_text="Neuer"
    )
    assert view.state == "adopted"
    assert outcomes(service, number) == ["mit_aenderungen_empfohlen", "geaendert_beschlossen"]


def test_every_shown_label_is_understood(service: WorkflowService) -> None:
    catalog = service.bodies.catalog(None)
    for outcome in Outcome:
        assert catalog.procedure.outcome(outcome.label) is outcome
        assert catalog.procedure.outcome(outcome.value) is outcome
    # the municipality's labels keep their documented case-insensitive match
    assert catalog.procedure.outcome("Einstimmig beschlossen") is Outcome.BESCHLOSSEN


def test_a_near_label_is_refused_with_the_label_to_use(service: WorkflowService) -> None:
    number = released(service)
    before = len(service.audit.audit_trail(number))
    with pytest.raises(InvalidInput, match="meinten Sie 'geändert beschlossen'"):
        service.results.record_result(
            number, user=S, position=1, outcome="geandert beschlossen", amended_text="x"
        )
    assert len(service.audit.audit_trail(number)) == before


def test_cli_takes_the_label(service: WorkflowService) -> None:
    number = released(service)
    result = CliRunner().invoke(
        cli,
        ["consultation", "record", number, "1", "--result", "überwiesen", "--refer-to", "rat"],
        obj=service,
        env={"RATSWEG_USER": S},
    )
    assert result.exit_code == 0, result.output
    assert outcomes(service, number)[0] == "ueberwiesen"


def test_minutes_take_the_label(service: WorkflowService, tmp_path: Path) -> None:
    meeting_id, numbers = invited_meeting(service, papers=2)
    minutes = write(
        tmp_path,
        "minutes.yaml",
        "items:\n"
        "  - {top: Ö 1, result: zurückverwiesen, refer_to: rat}\n"
        "  - {top: Ö 2, result: ohne Votum weitergeleitet}\n",
    )
    results = service.minutes.record_minutes(meeting_id, read_minutes_file(minutes), user=S)
    assert [r.outcome for r in results] == ["zurueckverwiesen", "vertagt_in_folgegremium"]
    assert outcomes(service, numbers[0])[0] == "zurueckverwiesen"
