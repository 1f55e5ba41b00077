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
from workflow.core.model import VoteCount
from workflow.service import WorkflowService


def run(service: WorkflowService, *args: str, user: str = S) -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": user})


def test_paper_list_refuses_an_unknown_state(service: WorkflowService) -> None:
    number = create(service)
    result = run(service, "paper", "list", "--state", "bogus")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: no paper state 'bogus' (known: draft, co_signing, ")
    close = run(service, "paper", "list", "--state", "drafts")
    assert close.exit_code == 1 and "(did you mean 'draft'?)" in close.stderr
    with pytest.raises(NotFoundError):
        service.papers.list_papers(state="bogus")
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
        "step 1 (ausschuss) votes (vote 1, label): the audit trail gives 'einstimmig', "
        "the database holds 'mehrheitlich'"
    )
