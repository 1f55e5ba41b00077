"""Issue 13, item 1: one office may not act on another office's paper.

Every action on a paper passes ``workflow.uow.require_paper``: the user needs a role of the
action and acts for the paper's writing office (co-signing: the participating office;
Beschlusskontrolle reports: the task's office). The session office and admins act for every
office; the Bürgermeister's triggers concern every office's papers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from storage.session import Database
from tests.test_cli_audit import snapshot
from workflow.cli import cli
from workflow.core.errors import PermissionDenied
from workflow.service import WorkflowService

D = dt.date
#: the writing office is the Sozialamt; the Hauptamt co-signs
OTHER_HEAD = "hauptamt.leitung"
REFUSED = (
    "Fehler: 'hauptamt.leitung' does not belong to office 'sozialamt' and may not act for it\n"
)


def draft(landau: WorkflowService, title: str = "Integrationskonzept") -> str:
    return landau.papers.create_paper(
        user="sozialamt.weber",
        paper_type="sitzungsvorlage",
        title=title,
        office="sozialamt",
        date=D(2011, 11, 23),
        route="integration",
        participants=["hauptamt", "bgm"],
    ).number


def submitted(landau: WorkflowService, *, bgm_objects: bool = False) -> str:
    number = draft(landau, "Kita")
    landau.papers.submit_paper(number, user="sozialamt.weber")
    landau.co_signing.co_sign(number, user=OTHER_HEAD, office="hauptamt")
    landau.co_signing.co_sign(
        number,
        user="bgm.referent",
        office="bgm",
        objection=bgm_objects,
        comment="Kosten" if bgm_objects else None,
    )
    return number


def released(landau: WorkflowService) -> str:
    number = submitted(landau)
    landau.papers.release_paper(number, user="sozialamt.leitung")
    return number


def run(landau: WorkflowService, *args: str, user: str = OTHER_HEAD) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--body", "landau", *args, "--as", user], obj=landau)
    return result.exit_code, result.stdout, result.stderr


#: commands the head of another office has the role for, but not the office
COMMANDS = {
    "paper submit": ["paper", "submit", "{draft}"],
    "paper release": ["paper", "release", "{submitted}"],
    "paper withdraw (draft)": ["paper", "withdraw", "{draft}", "--reason", "Fehler"],
    "paper withdraw (released)": ["paper", "withdraw", "{released}", "--reason", "Fehler"],
    "consultation add": ["consultation", "add", "{draft}", "stadtrat", "--role", "anhoerung"],
    "consultation remove": ["consultation", "remove", "{draft}", "1"],
    "consultation move": ["consultation", "move", "{draft}", "2", "--to", "1"],
    "paper attach": ["paper", "attach", "{draft}", "{file}"],
    "paper supplement": ["paper", "supplement", "{released}", "--reason", "Korrektur"],
    "paper overrule": ["paper", "overrule", "{objected}", "--office", "bgm", "--reason", "x"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_another_office_is_refused_and_nothing_changes(
    landau: WorkflowService, database: Database, command: str, tmp_path: Path
) -> None:
    attachment = tmp_path / "anlage.txt"
    attachment.write_text("Anlage", encoding="utf-8")
    fields = {
        "draft": draft(landau),
        "submitted": submitted(landau),
        "objected": submitted(landau, bgm_objects=True),
        "released": released(landau),
        "file": str(attachment),
    }
    before = snapshot(database)
    code, out, err = run(landau, *(a.format(**fields) for a in COMMANDS[command]))
    assert (code, out, err) == (1, "", REFUSED)
    assert snapshot(database) == before  # the audit trail included


def test_the_writing_office_and_the_session_office_keep_their_rights(
    landau: WorkflowService,
) -> None:
    number = draft(landau)
    assert (
        run(landau, "consultation", "move", number, "2", "--to", "1", user="sozialamt.weber")[0]
        == 0
    )
    assert run(landau, "consultation", "remove", number, "1", user="sitzungsdienst.becker")[0] == 0
    other = submitted(landau)
    assert landau.papers.release_paper(other, user="sitzungsdienst.becker").state == "released"
    code, _, err = run(landau, "paper", "withdraw", number, "--reason", "doppelt", user="admin")
    assert code == 0, err
    # the Hauptamt acts on its own papers
    own = landau.papers.create_paper(
        user=OTHER_HEAD, paper_type="sitzungsvorlage", title="Geschäftsordnung",
        office="hauptamt", date=D(2011, 11, 23), route="integration",
    ).number  # fmt: skip
    assert landau.papers.submit_paper(own, user=OTHER_HEAD).state == "co_signing"


def test_co_signing_is_done_by_the_participating_office(landau: WorkflowService) -> None:
    number = draft(landau)
    landau.papers.submit_paper(number, user="sozialamt.weber")
    assert landau.co_signing.co_sign(number, user=OTHER_HEAD, office="hauptamt")
    with pytest.raises(PermissionDenied, match="does not belong to office 'bgm'"):
        landau.co_signing.co_sign(number, user=OTHER_HEAD, office="bgm")


def test_the_mayor_decides_urgently_on_every_office_s_paper(landau: WorkflowService) -> None:
    number = released(landau)
    view = landau.decisions.record_urgent_decision(
        number,
        user="oberbuergermeister",
        decided_by="oberbuergermeister",
        co_signer="Beigeordneter",
        date=D(2011, 12, 1),
        reason="Frist",
    )
    assert view.state == "decided_urgently"


def test_reports_on_a_task_come_from_the_task_s_office(landau: WorkflowService) -> None:
    """The service refuses another office's clerk on a paper action (not only the CLI)."""
    number = released(landau)
    for step in range(1, 8):
        outcome = "beschlossen" if step == 7 else "empfohlen"
        landau.results.record_result(
            number, user="sitzungsdienst.becker", position=step, outcome=outcome,
            date=D(2011, 12, 13),
        )  # fmt: skip
    task = landau.tasks.add_implementation_task(
        number, user="sitzungsdienst.becker", title="Umsetzung", office="hauptamt",
        due=D(2012, 6, 30),
    ).id  # fmt: skip
    with pytest.raises(
        PermissionDenied, match="'sozialamt.leitung' does not belong to office 'hauptamt'"
    ):
        landau.tasks.report_implementation(
            task, user="sozialamt.leitung", text="läuft", date=D(2012, 1, 5)
        )
    assert landau.tasks.report_implementation(
        task, user=OTHER_HEAD, text="läuft", date=D(2012, 1, 5)
    )
