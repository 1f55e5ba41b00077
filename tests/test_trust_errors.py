"""Issue 13, item 16: inputs that used to end in a traceback (numbers too large for the
database or the calendar, a folder that may not be written, a Frist of a billion days) end in
one ``Error:`` line and exit code 1, and change nothing."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import VALID_DEFINITIONS
from tests.test_decisions import S, adopted
from tests.test_meeting import meeting
from tests.test_service import create
from workflow.cli import cli
from workflow.service import WorkflowService

HUGE = "1180591620717411303424"  # 2**70


def run(service: WorkflowService, *args: str, user: str = S) -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": user})


def one_error(result: Result) -> str:
    """The single error line of a refused command (no traceback, exit code 1)."""
    assert result.exit_code == 1, (result.output, result.exception)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Fehler: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("meeting", "show", HUGE),
        ("meeting", "show", "9223372036854775808"),
        ("decisions", "report", HUGE, "--text", "x"),
        ("reminders", "retry", HUGE),
    ],
)
def test_an_id_beyond_the_database_is_not_found(service: WorkflowService, args: tuple[str]) -> None:
    meeting(service)
    line = one_error(run(service, *args))
    assert line.startswith(("Fehler: keine Sitzung", "Fehler: keine Erinnerung")) or (
        "keine Umsetzungsaufgabe" in line
    )


def test_a_huge_meeting_id_names_the_meeting(service: WorkflowService) -> None:
    line = one_error(run(service, "meeting", "show", HUGE))
    assert f"keine Sitzung {HUGE}" in line


def test_a_calendar_over_every_year_is_refused(service: WorkflowService) -> None:
    create(service)
    line = one_error(
        run(service, "calendar", "export", "--from", "01.01.0001", "--to", "31.12.9999")
    )
    assert "--from" in line or "--to" in line


def test_a_task_every_hundred_billion_months_is_refused(service: WorkflowService) -> None:
    number = adopted(service)
    before = len(service.audit.audit_trail(number))
    args = ("decisions", "task-add", number, "--title", "x", "--office", "amt1")
    line = one_error(run(service, *args, "--every", "99999999999"))
    assert "--every" in line
    assert len(service.audit.audit_trail(number)) == before
    line = one_error(run(service, *args, "--due", "31.12.9999", "--every", "1200"))
    assert len(service.audit.audit_trail(number)) == before


def test_an_export_into_a_folder_it_may_not_write(
    service: WorkflowService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create(service)

    def refused(*_args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", str(kwargs.get("dir")))

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    out = tmp_path / "locked" / "oparl"
    out.parent.mkdir()
    line = one_error(run(service, "oparl", "export", str(out), "--base-url", "https://x.example"))
    assert "Permission denied" in line and str(out.parent) in line
    assert not out.exists()


def test_a_frist_of_a_billion_days_is_a_definitions_problem(tmp_path: Path) -> None:
    folder = tmp_path / "defs"
    shutil.copytree(VALID_DEFINITIONS, folder)
    (folder / "deadlines.yaml").write_text(
        "deadlines:\n  default:\n    notice: {days: 1000000000, unit: calendar_days,"
        " count_event_day: false, count_meeting_day: false, event: dispatch}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["definitions", "check", str(folder)])
    assert result.exit_code == 1, result.output
    assert "days darf höchstens 366 sein" in result.stderr


# -- issue 13 item 19: an unknown name names at most three close matches, never every id --------


def test_an_unknown_user_names_close_matches_not_every_user(service: WorkflowService) -> None:
    from workflow.core.errors import NotFoundError

    with pytest.raises(NotFoundError) as caught:
        create(service, user="clerc")
    assert str(caught.value) == (
        "Benutzer 'clerc' gibt es nicht in den Definitionen von Stadt Musterstadt (meinten Sie "
        "'clerk'?)"
    )
    with pytest.raises(NotFoundError) as caught:
        create(service, user="zacharias")
    assert str(caught.value) == (
        "Benutzer 'zacharias' gibt es nicht in den Definitionen von Stadt Musterstadt; "
        "users.yaml führt sie auf"
    )
    line = one_error(run(service, "paper", "show", "V/2025/1", user="nobody"))
    assert line.endswith(
        ": Benutzer 'nobody' gibt es nicht in den Definitionen von Stadt Musterstadt; "
        "users.yaml führt sie auf"
    )
    assert "auditor" not in line and "mayor" not in line


def test_close_matches_are_at_most_three() -> None:
    from workflow.core.errors import not_found

    users = [f"weber.{n}" for n in ("anna", "anne", "annika", "ann", "hanna")] + ["schmidt"]
    message = str(not_found("user", "weber.an", users, listed_in="users.yaml"))
    assert message.startswith("Benutzer 'weber.an' gibt es nicht (meinten Sie 'weber.ann', ")
    assert message.count("'weber.") == 4 and "schmidt" not in message
    assert message.endswith("?)") and " oder 'weber." in message
    many = [f"amt{n}" for n in range(1, 4)]
    assert str(not_found("office", "kasse", many, listed_in="organizations.yaml")) == (
        "Amt 'kasse' gibt es nicht; organizations.yaml führt sie auf"
    )
    # a short fixed vocabulary (a lifecycle's states, the shipped municipalities) stays listed
    assert str(not_found("state", "x", ["draft", "done"], vocabulary=True)) == (
        "Status 'x' gibt es nicht (bekannt: done, draft)"
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("deadlines", "--office", "kasse"),
            "Amt 'kasse' gibt es nicht; organizations.yaml führt sie auf",
        ),
        (
            ("deadlines", "--organization", "kreistag"),
            "Organisation 'kreistag' gibt es nicht; organizations.yaml führt sie auf",
        ),
    ],
)
def test_an_unknown_office_or_gremium_is_not_answered_with_every_id(
    service: WorkflowService, args: tuple[str, ...], error: str
) -> None:
    assert one_error(run(service, *args)).endswith(": " + error)
