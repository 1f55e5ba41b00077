"""Issue 13, item 2: reads need a known user with a role that may read them.

Every command that reads the database takes ``--as`` and the service decides: papers,
meetings, Fristen, decisions and the definitions are read by every user of users.yaml; the
audit trail by auditors, admins and the session office; reminders (with their recipients'
e-mail addresses) by the session office, admins and auditors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_audit import adopted_paper
from tests.test_cli_audit import READ_ONLY
from workflow.cli import cli
from workflow.core.errors import NotFoundError, PermissionDenied
from workflow.service import WorkflowService

#: read commands that read no municipality's data: a file, or the public record
NO_USER = {"definitions check", "oparl validate", "oparl export"}
#: read commands for auditors, admins and the session office only
AUDIT = {"audit export", "audit search", "audit trail", "audit report", "audit verify"}
AUDIT |= {"audit replay", "reminders due", "reminders sent", "reminders failed"}
READS = sorted(set(READ_ONLY) - NO_USER)


def run(service: WorkflowService, command: str, user: str, tmp_path: Path) -> tuple[int, str, str]:
    number = adopted_paper(service)
    meeting = service.meetings.create_meeting(
        user="session", organization="ausschuss", start=dt.datetime(2025, 3, 18, 16, tzinfo=dt.UTC)
    ).id
    args = [a.format(number=number, meeting=meeting, tmp=tmp_path) for a in READ_ONLY[command]]
    result = CliRunner().invoke(cli, [*args, "--as", user], obj=service, env={"RATSWEG_USER": ""})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", READS)
def test_an_unknown_user_reads_nothing(
    service: WorkflowService, command: str, tmp_path: Path
) -> None:
    code, out, err = run(service, command, "mallory", tmp_path)
    assert (code, out) == (1, "")
    assert err.startswith("Fehler: no user 'mallory'") and err.count("\n") == 1, err


@pytest.mark.parametrize("command", sorted(AUDIT))
def test_a_clerk_does_not_read_the_audit_trail_or_the_reminders(
    service: WorkflowService, command: str, tmp_path: Path
) -> None:
    code, out, err = run(service, command, "clerk", tmp_path)
    assert (code, out) == (1, "")
    what = "the reminders" if command.startswith("reminders") else "the audit trail"
    assert err == (
        f"Fehler: 'clerk' may not read {what}: needs one of the roles admin, auditor, "
        "session_office\n"
    )


@pytest.mark.parametrize("command", sorted(set(READS) - AUDIT))
def test_a_clerk_reads_the_rest(service: WorkflowService, command: str, tmp_path: Path) -> None:
    code, _, err = run(service, command, "clerk", tmp_path)
    assert code == 0, err


@pytest.mark.parametrize("command", sorted(AUDIT))
def test_the_session_office_reads_the_audit_trail(
    service: WorkflowService, command: str, tmp_path: Path
) -> None:
    code, _, err = run(service, command, "session", tmp_path)
    assert code == 0, err


def test_the_service_decides(service: WorkflowService) -> None:
    number = adopted_paper(service)
    with pytest.raises(PermissionDenied, match="'mayor' may not read the audit trail"):
        service.audit.audit_trail(number, reader="mayor")
    with pytest.raises(PermissionDenied, match="no user given"):
        service.audit.verify_audit(reader=None)
    with pytest.raises(NotFoundError, match="no user 'mallory'"):
        service.papers.get_paper(number, reader="mallory")
    with pytest.raises(PermissionDenied, match="'clerk' may not read the reminders"):
        service.reminders.list_reminders([], reader="clerk")
    assert service.papers.get_paper(number, reader="mayor").number == number
    assert service.audit.verify_audit(reader="auditor").ok
