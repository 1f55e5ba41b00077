"""Service refusals name the input they are about (``InvalidInput.field``) instead of a
command-line flag, so a web form can show them next to its field; the command line adds the
flag of its option for that input ("; geben Sie --title TEXT an"), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import click
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from tests.test_web import log_in, new_paper
from workflow.cli import cli
from workflow.cli.german import GermanGroup, option
from workflow.core.clock import BERLIN
from workflow.core.errors import InvalidInput
from workflow.core.model.audit import AuditQuery
from workflow.core.model.listing import PaperQuery
from workflow.service import WorkflowService

S = "session"


def a_meeting(service: WorkflowService) -> int:
    start = dt.datetime(2025, 3, 18, 17, 0, tzinfo=BERLIN)
    return service.meetings.create_meeting(user=S, organization="ausschuss", start=start).id


Refusal = Callable[[WorkflowService], object]
REFUSALS: list[tuple[str, Refusal, str, str]] = [
    (
        "paper without a title",
        lambda s: s.papers.create_paper(
            user="clerk",
            paper_type="vorlage",
            title=" ",
            office="amt1",
            date=dt.date(2025, 3, 1),
            route="standard",
        ),
        "title",
        "eine Vorlage braucht einen Titel",
    ),
    (
        "withdrawal without a reason",
        lambda s: s.papers.withdraw_paper(new_paper(s), user="clerk", reason=" "),
        "reason",
        "das Zurückziehen braucht eine Begründung",
    ),
    (
        "objection without a reason",
        lambda s: s.co_signing.co_sign(
            new_paper(s), user="head", office="amt1", objection=True, comment=" "
        ),
        "comment",
        "ein Einwand braucht eine Begründung",
    ),
    (
        "agenda item without a title",
        lambda s: s.agendas.add_agenda_item(a_meeting(s), user=S, title=" "),
        "title",
        "ein TOP braucht einen Titel",
    ),
    (
        "cancellation without a reason",
        lambda s: s.meetings.cancel_meeting(a_meeting(s), user=S, reason=" "),
        "reason",
        "eine Sitzung abzusagen braucht eine Begründung",
    ),
    (
        "papers of a period that ends before it starts",
        lambda s: s.papers.list_papers(
            PaperQuery(since=dt.date(2025, 3, 2), until=dt.date(2025, 3, 1)), reader="clerk"
        ),
        "until",
        "der Zeitraum endet, bevor er beginnt",
    ),
]


@pytest.mark.parametrize(
    ("refusal", "field", "message"),
    [r[1:] for r in REFUSALS],
    ids=[r[0] for r in REFUSALS],
)
def test_a_service_refusal_names_its_input_and_no_flag(
    service: WorkflowService, refusal: Refusal, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        refusal(service)
    assert str(info.value) == message
    assert info.value.field == field
    assert not re.search(r"--[a-z]|ratsweg ", str(info.value))


def test_the_audit_search_refuses_a_reversed_period_naming_until(
    service: WorkflowService,
) -> None:
    query = AuditQuery(since=dt.date(2025, 3, 12), until=dt.date(2025, 3, 11))
    with pytest.raises(InvalidInput) as info:
        service.audit.search_audit(query, reader="auditor")
    assert str(info.value) == (
        "der Zeitraum endet, bevor er beginnt: 2025-03-12 liegt nach 2025-03-11"
    )
    assert info.value.field == "until"


# -- the command line adds its option's flag ---------------------------------------------------


def run(service: WorkflowService, *args: str, user: str) -> Any:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": user})


def test_the_command_line_names_the_flag_for_title_reason_and_comment(
    service: WorkflowService,
) -> None:
    title = run(
        service, "paper", "create", "--type", "vorlage", "--title", " ", "--office", "amt1",
        "--route", "standard", user="clerk",
    )  # fmt: skip
    assert title.exit_code == 1
    assert title.stderr == "Fehler: eine Vorlage braucht einen Titel; geben Sie --title TEXT an\n"
    number = new_paper(service)
    reason = run(service, "paper", "withdraw", number, "--reason", "", user="clerk")
    assert reason.stderr == (
        "Fehler: das Zurückziehen braucht eine Begründung; geben Sie --reason TEXT an\n"
    )
    comment = run(service, "paper", "co-sign", number, "--office", "amt1", "--object", user="head")
    assert comment.stderr == (
        "Fehler: ein Einwand braucht eine Begründung; geben Sie --comment TEXT an\n"
    )
    meeting_id = str(a_meeting(service))
    item = run(service, "meeting", "add-item", meeting_id, "--title", " ", user=S)
    assert item.stderr == "Fehler: ein TOP braucht einen Titel; geben Sie --title TEXT an\n"
    assert service.papers.get_paper(number).state == "draft"


def test_the_command_line_says_check_for_a_flag_that_was_given(service: WorkflowService) -> None:
    result = run(
        service, "paper", "list", "--since", "2025-03-02", "--until", "2025-03-01", user="clerk"
    )
    assert result.exit_code == 1
    assert result.stderr == "Fehler: der Zeitraum endet, bevor er beginnt; prüfen Sie --until\n"


# -- the hint itself, on a command of its own --------------------------------------------------


def refusing(field: str | None) -> click.Group:
    """A German group with one command that refuses with ``field``."""

    @click.group(cls=GermanGroup)
    @option("--title", help="t")
    def top(title: str | None) -> None:
        pass

    @top.command("go")
    @option("--title", help="t")
    @option("--when", "day", metavar="DAY", help="d")
    @option("--loud", is_flag=True, help="l")
    def go(title: str | None, day: str | None, loud: bool) -> None:
        raise InvalidInput("refused", field=field)

    return top


@pytest.mark.parametrize(
    ("field", "args", "message"),
    [
        ("title", [], "refused; geben Sie --title TEXT an"),
        ("title", ["--title", "  "], "refused; geben Sie --title TEXT an"),
        ("title", ["--title", "x"], "refused; prüfen Sie --title"),
        ("day", [], "refused; geben Sie --when DAY an"),
        ("loud", [], "refused; geben Sie --loud an"),
        ("reason", [], "refused"),  # no such option: no hint
        (None, ["--title", "x"], "refused"),
    ],
)
def test_the_hint_comes_from_the_option_of_the_running_command(
    field: str | None, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(refusing(field), ["--title", "outer", "go", *args])
    assert isinstance(result.exception, InvalidInput)
    assert str(result.exception) == message  # once: the group adds no second hint
    assert result.exception.field is None or message == "refused"


# -- the web shows the neutral message at its field --------------------------------------------


def test_the_mitzeichnung_shows_the_neutral_message(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    before = web_service.audit.audit_trail(number)
    csrf = log_in(client, "head")
    response = client.post(
        "/mitzeichnung/aktion",
        data={"csrf_token": csrf, "number": number, "office": "amt1", "action": "object"},
    )
    assert response.status_code == 422
    found = re.search(r'role="alert">([^<]*)</p>', response.text)
    assert found and found.group(1) == "ein Einwand braucht eine Begründung"
    assert "--comment" not in response.text
    assert web_service.audit.audit_trail(number) == before


# -- no message of the capability packages names a flag or a command ---------------------------

#: What the service may still word for the command line only: reading seal files and folders
#: from disk (``ratsweg audit verify --seal-dir``), and the e-mails and calendar entries that
#: name the command for a step. (The OParl import and the database setup are commands of their
#: own and not scanned.)
CLI_ONLY = {
    "workflow/audit/seal.py",
    "workflow/reminders/messages.py",
    "workflow/calendar/ical.py",
}
CAPABILITIES = ("papers", "meetings", "decisions", "audit", "calendar", "core", "reminders")


def test_no_service_message_names_a_flag_or_a_command() -> None:
    import ast
    from pathlib import Path

    root = Path(__file__).parent.parent
    found = []
    for package in CAPABILITIES:
        for path in sorted((root / "workflow" / package).rglob("*.py")):
            if str(path.relative_to(root)) in CLI_ONLY:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_")
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and re.search(r"--[a-z]|'ratsweg |\(ratsweg ", node.args[0].value)
                ):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {node.args[0].value}")
    assert found == []
