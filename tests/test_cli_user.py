"""``ratsweg user set-password``: prompt twice or read an environment variable; admins only;
audited without the hash."""

from __future__ import annotations

from click.testing import CliRunner, Result
from sqlalchemy import select

from storage.accounts import PasswordCredential
from storage.schema import AuditEvent
from workflow.cli import cli
from workflow.service import WorkflowService


def run(service: WorkflowService, *args: str, stdin: str = "", **env: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env=env, input=stdin)


def stored(service: WorkflowService) -> list[str]:
    with service.db.read() as session:
        return [c.user_id for c in session.scalars(select(PasswordCredential))]


def test_set_password_prompts_twice_and_audits_without_the_hash(
    service: WorkflowService,
) -> None:
    result = run(service, "user", "set-password", "clerk", stdin="geheim-123\ngeheim-123\n")
    assert result.exit_code == 0, result.output
    assert "Passwort von clerk gesetzt" in result.output
    assert stored(service) == ["clerk"]
    with service.db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "password_set")).one()
    assert event.actor == "admin" and "geheim" not in event.payload and "argon" not in event.payload


def test_set_password_refuses_two_different_passwords(service: WorkflowService) -> None:
    result = run(service, "user", "set-password", "clerk", stdin="geheim-123\ngeheim-124\n")
    assert result.exit_code == 1
    assert "Fehler: die beiden Passwörter sind verschieden" in result.output
    assert stored(service) == []


def test_set_password_refuses_an_unknown_user(service: WorkflowService) -> None:
    result = run(service, "user", "set-password", "nobody", stdin="geheim-123\ngeheim-123\n")
    assert result.exit_code == 1 and "Fehler:" in result.output and "nobody" in result.output
    assert stored(service) == []


def test_set_password_reads_the_password_from_an_environment_variable(
    service: WorkflowService,
) -> None:
    result = run(
        service, "user", "set-password", "head", "--password-env", "PW", PW="aus-der-umgebung"
    )
    assert result.exit_code == 0, result.output
    assert service.accounts.log_in("head", "aus-der-umgebung", address="a").session_id
    missing = run(service, "user", "set-password", "head", "--password-env", "NOPE")
    assert missing.exit_code == 1 and "NOPE" in missing.output


def test_only_an_admin_sets_passwords_on_the_command_line(service: WorkflowService) -> None:
    result = run(
        service,
        "user",
        "set-password",
        "clerk",
        "--as",
        "session",
        "--password-env",
        "PW",
        PW="geheim-123",
    )
    assert result.exit_code == 1 and "Fehler:" in result.output
    assert stored(service) == []
