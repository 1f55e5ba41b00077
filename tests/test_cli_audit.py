"""``ratsweg audit`` and ``db create-app-role`` on the command line: formats, exports that
round-trip, seal files, and an auditor who can read everything and change nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from storage.audit import GENESIS, event_hash
from storage.schema import Base
from storage.session import Database
from tests.conftest import FIXTURES, POSTGRES_URL, VALID_DEFINITIONS
from tests.test_audit import _tamper, adopted_paper
from workflow.cli import audit as cli_audit
from workflow.cli import cli
from workflow.cli import output as cli_output
from workflow.core.model import AuditQuery
from workflow.service import WorkflowService


@pytest.fixture(autouse=True)
def password_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The password ``user set-password --password-env TEST_PASSWORD`` would set."""
    monkeypatch.setenv("TEST_PASSWORD", "geheim-123")


def run(service: WorkflowService, *args: str, user: str = "auditor") -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": user})


def parse_events(output: str, fmt: str) -> list[dict[str, Any]]:
    """Read an export back into the fields the hash covers (plus the paper's number)."""
    if fmt == "json":
        rows = json.loads(output)
    elif fmt == "ndjson":
        rows = [json.loads(line) for line in output.splitlines()]
    else:
        rows = list(csv.DictReader(io.StringIO(output)))
        for row in rows:
            row["seq"] = int(row["seq"])
            row["paper_id"] = int(row["paper_id"]) if row["paper_id"] else None
            row["payload"] = json.loads(row["payload"])
            for key in ("paper_number", "from_state", "to_state"):
                row[key] = row[key] or None
    return rows


def rehash(event: dict[str, Any]) -> str:
    payload = json.dumps(
        event["payload"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return event_hash(
        stream=event["stream"],
        seq=event["seq"],
        paper_id=event["paper_id"],
        occurred_at=dt.datetime.fromisoformat(event["occurred_at"]),
        actor=event["actor"],
        action=event["action"],
        from_state=event["from_state"],
        to_state=event["to_state"],
        payload=payload,
        prev_hash=event["prev_hash"],
    )


@pytest.mark.parametrize("fmt", ["json", "csv", "ndjson"])
def test_export_round_trips_and_the_parsed_events_verify(
    service: WorkflowService, fmt: str, tmp_path: Path
) -> None:
    adopted_paper(service)
    adopted_paper(service)
    target = tmp_path / f"export.{fmt}"
    result = run(service, "audit", "export", "--format", fmt, "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"23 Ereignisse exportiert nach {target}\n"
    assert result.stdout == ""
    events = parse_events(target.read_text(encoding="utf-8"), fmt)
    expected = [cli_audit.event_record(e) for e in service.audit.search_audit(AuditQuery())]
    assert [e | {"occurred_at": None} for e in events] == [
        e | {"occurred_at": None} for e in expected
    ]
    assert [dt.datetime.fromisoformat(e["occurred_at"]) for e in events] == [
        e["occurred_at"] for e in expected
    ]
    heads: dict[str, str] = {}
    for event in events:
        assert event["prev_hash"] == heads.get(event["stream"], GENESIS)
        assert rehash(event) == event["hash"]
        heads[event["stream"]] = event["hash"]
    assert not list(tmp_path.glob("*.part"))


def test_export_to_stdout_filters_like_search(service: WorkflowService) -> None:
    first = adopted_paper(service)
    adopted_paper(service)
    result = run(service, "audit", "export", "--paper", first, "--action", "result_recorded")
    assert result.exit_code == 0
    events = parse_events(result.stdout, "ndjson")
    assert [(e["paper_number"], e["payload"]["outcome"]) for e in events] == [
        (first, "empfohlen"),
        (first, "beschlossen"),
    ]


@pytest.mark.parametrize("command", [["audit", "export"], ["calendar", "export"]])
def test_output_to_a_directory_is_a_usage_error_not_a_traceback(
    service: WorkflowService, tmp_path: Path, command: list[str]
) -> None:
    result = run(service, *command, "--output", str(tmp_path), user="clerk")
    assert result.exit_code == 2
    assert f"'{tmp_path}' ist ein Ordner" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path.parent / (tmp_path.name + ".part")).exists()


def test_open_output_refuses_a_directory_before_writing(tmp_path: Path) -> None:
    with (
        pytest.raises(
            click.ClickException, match="ist ein Verzeichnis; geben Sie einen Dateinamen"
        ),
        cli_output.open_output(str(tmp_path)),
    ):
        raise AssertionError("nothing may be written")
    assert not (tmp_path.parent / (tmp_path.name + ".part")).exists()


def test_trail_in_every_format(service: WorkflowService) -> None:
    number = adopted_paper(service)
    trail = service.audit.audit_trail(number)
    for fmt in ("json", "csv", "ndjson"):
        out = run(service, "audit", "trail", number, "--format", fmt).stdout
        assert [e["hash"] for e in parse_events(out, fmt)] == [e.hash for e in trail]
    table = run(service, "audit", "trail", number).stdout.splitlines()
    assert table[0].split()[:4] == ["#", "Zeit", "Akteur", "Aktion"]
    assert len(table) == len(trail) + 2


@pytest.mark.parametrize(
    ("args", "actions"),
    [
        (("--organization", "ausschuss", "--action", "result_recorded"), ["result_recorded"]),
        (
            (
                "--actor",
                "head",
            ),
            ["paper_transitioned"],
        ),
        (
            ("--paper-type", "vorlage", "--actor", "session", "--action", "result_recorded"),
            ["result_recorded"] * 2,
        ),
        (("--since", "2025-03-11"), []),
        (("--until", "09.03.2025"), []),
        (
            ("--since", "10.03.2025", "--until", "2025-03-10", "--actor", "head"),
            ["paper_transitioned"],
        ),
    ],
)
def test_search_filters_combine(
    service: WorkflowService, args: tuple[str, ...], actions: list[str]
) -> None:
    number = adopted_paper(service)
    result = run(service, "audit", "search", "--paper", number, *args, "--format", "ndjson")
    assert result.exit_code == 0, result.output
    assert [e["action"] for e in parse_events(result.stdout, "ndjson")] == actions


def test_search_by_organization_finds_the_step_and_its_result(service: WorkflowService) -> None:
    number = adopted_paper(service)
    found = json.loads(run(service, "audit", "search", "--organization", "rat", "--json").stdout)
    assert {(e["paper_number"], e["action"]) for e in found} == {
        (number, "paper_created"),  # the path names the Rat
        (number, "result_recorded"),
    }
    office = json.loads(run(service, "audit", "search", "--organization", "amt1", "--json").stdout)
    assert [e["action"] for e in office] == ["paper_created"]


def released_paper(service: WorkflowService, title: str) -> str:
    number = service.papers.create_paper(
        user="clerk", paper_type="vorlage", title=title, office="amt1",
        date=dt.date(2025, 3, 1), route="standard",
        planned_dates=[dt.date(2025, 3, 18), dt.date(2025, 3, 27)],
    ).number  # fmt: skip
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    return number


def test_search_by_meeting_finds_its_papers_and_its_own_events(service: WorkflowService) -> None:
    on_agenda, elsewhere = released_paper(service, "Haushalt"), released_paper(service, "Kita")
    # both meetings took place before the clock's day (10.03.2025), so results can be recorded
    meeting = service.meetings.create_meeting(
        user="session", organization="ausschuss", start=dt.datetime(2025, 3, 4, 16, tzinfo=dt.UTC)
    ).id
    other = service.meetings.create_meeting(
        user="session", organization="ausschuss", start=dt.datetime(2025, 3, 6, 16, tzinfo=dt.UTC)
    ).id
    service.agendas.schedule_into_meeting(on_agenda, user="session", position=1, meeting_id=meeting)
    service.agendas.schedule_into_meeting(elsewhere, user="session", position=1, meeting_id=other)
    service.meetings.invite_meeting(meeting, user="session")
    service.meetings.invite_meeting(other, user="session")
    service.results.record_result(on_agenda, user="session", position=1, outcome="empfohlen")
    service.results.record_result(elsewhere, user="session", position=1, outcome="empfohlen")

    found = json.loads(run(service, "audit", "search", "--meeting", str(meeting), "--json").stdout)
    papers = {e["paper_number"] for e in found if e["paper_id"] is not None}
    own = [e["action"] for e in found if e["stream"] == f"meeting:{meeting}"]
    assert papers == {on_agenda}
    assert own == [
        "meeting_created",
        "agenda_item_added",
        "meeting_transitioned",
        "agenda_numbered",
    ]
    assert {e["stream"] for e in found} == {"paper:1", f"meeting:{meeting}"}
    results = run(
        service, "audit", "search", "--meeting", str(meeting), "--action", "result_recorded",
        "--format", "ndjson",
    )  # fmt: skip
    assert [
        (e["paper_number"], e["payload"]["outcome"]) for e in parse_events(results.stdout, "ndjson")
    ] == [(on_agenda, "empfohlen")]
    # the meetings' events are part of the unfiltered search (and so of every export)
    everything = json.loads(run(service, "audit", "search", "--json").stdout)
    assert {f"meeting:{meeting}", f"meeting:{other}"} <= {e["stream"] for e in everything}
    missing = run(service, "audit", "search", "--meeting", "99")
    assert missing.exit_code == 1
    assert missing.stderr.endswith(
        f": keine Sitzung 99 in Stadt Musterstadt (zuletzt: {other}, {meeting})\n"
    )
    assert missing.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--organization", "ausschus"),
            "Organisation 'ausschus' gibt es nicht (meinten Sie 'ausschuss'?)",
        ),
        (("--action", "sealed"), "Fehler: unbekannte Aktion 'sealed'"),
        (("--paper", "V/2025/7"), "Fehler: keine Vorlage 'V/2025/7' in Stadt Musterstadt"),
        (
            ("--paper-type", "antrag"),
            "Fehler: Vorlagenart 'antrag' gibt es nicht; paper_types.yaml führt sie auf",
        ),
        (
            ("--since", "2025-03-12", "--until", "2025-03-11"),
            (
                "Fehler: der Zeitraum endet, bevor er beginnt: 2025-03-12 liegt nach 2025-03-11; "
                "prüfen Sie --until"
            ),
        ),
    ],
)
def test_search_errors_are_one_line(
    service: WorkflowService, args: tuple[str, ...], message: str
) -> None:
    adopted_paper(service)
    result = run(service, "audit", "search", *args)
    assert result.exit_code == 1
    # the message after the prefix ("Fehler: " or "Fehler: ")
    assert result.stderr.partition(": ")[2].startswith(message.partition(": ")[2])
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_seal_then_verify_with_the_seal(service: WorkflowService, tmp_path: Path) -> None:
    adopted_paper(service)
    seal = tmp_path / "seal.json"
    result = run(service, "audit", "seal", "--output", str(seal))
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        "13 Ereignisse in 2 Prüfketten am 10.03.2025 10:00:00 versiegelt; Wurzel-Hash "
    )
    document = json.loads(seal.read_text(encoding="utf-8"))
    assert document["format"] == "ratsweg-audit-seal" and document["format_version"] == 1
    assert document["sealed_at"] == "2025-03-10T09:00:00.000000Z"
    assert document["sealed_at_local"] == "2025-03-10T10:00:00.000000+01:00"
    assert (document["actor"], document["events"], document["chains"]) == ("auditor", 13, 2)
    adopted_paper(service)
    verified = run(service, "audit", "verify", "--seal", str(seal))
    assert verified.exit_code == 0
    assert verified.stdout.splitlines()[1].endswith(
        "alle 13 versiegelten Ereignisse unverändert; 11 Ereignisse nach dem Siegel."
    )


def test_a_seal_file_is_never_overwritten(service: WorkflowService, tmp_path: Path) -> None:
    seal = tmp_path / "seal.json"
    seal.write_text("keep me", encoding="utf-8")
    result = run(service, "audit", "seal", "--output", str(seal))
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Fehler: '{seal}' gibt es schon; Siegel werden nie überschrieben, wählen Sie einen "
        "neuen Dateinamen\n"
    )
    assert seal.read_text(encoding="utf-8") == "keep me"
    missing = run(service, "audit", "seal", "--output", str(tmp_path / "no" / "seal.json"))
    assert missing.exit_code == 1 and missing.stderr.startswith("Fehler: '")
    assert "lässt sich nicht schreiben" in missing.stderr
    clerk = run(service, "audit", "seal", "--output", str(tmp_path / "s.json"), user="clerk")
    assert (
        clerk.exit_code == 1
        and "'clerk'" in clerk.stderr
        and "den Prüfpfad versiegeln" in clerk.stderr
    )
    assert not (tmp_path / "s.json").exists()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["heads"][1].update(seq=d["heads"][1]["seq"] - 1),
            "wurde verändert: ihr Wurzel-Hash",
        ),
        (lambda d: d.update(events=99), "wurde verändert: ihre Zahl der Ereignisse oder Ketten"),
        (
            lambda d: d.update(format_version=2),
            "hat die Formatversion 2; dieses ratsweg liest Version 1",
        ),
        (
            lambda d: d["heads"][0].pop("hash"),
            "ist beschädigt: Feld 'hash' fehlt oder ist fehlerhaft",
        ),
        (lambda d: d.clear(), "ist keine Siegeldatei von ratsweg"),
    ],
)
def test_an_edited_seal_file_is_one_clear_error(
    service: WorkflowService, tmp_path: Path, edit: Any, message: str
) -> None:
    adopted_paper(service)
    seal = tmp_path / "seal.json"
    assert run(service, "audit", "seal", "--output", str(seal)).exit_code == 0
    document = json.loads(seal.read_text(encoding="utf-8"))
    edit(document)
    seal.write_text(json.dumps(document), encoding="utf-8")
    result = run(service, "audit", "verify", "--seal", str(seal))
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_an_unreadable_seal_file_is_one_clear_error(
    service: WorkflowService, tmp_path: Path
) -> None:
    (tmp_path / "x.json").write_bytes(b"\xff\xfe not json")
    for path, message in (
        (tmp_path / "x.json", "ist kein JSON"),
        (tmp_path / "nope", "ist nicht lesbar: die Datei gibt es nicht"),
    ):
        result = run(service, "audit", "verify", "--seal", str(path))
        assert result.exit_code == 1 and message in result.stderr
        assert result.stderr.count("\n") == 1


def test_verify_names_the_paper_and_exits_1(service: WorkflowService, database: Database) -> None:
    number = adopted_paper(service)
    _tamper(database, "DELETE FROM audit_event WHERE stream LIKE 'paper:%' AND seq = 3")
    result = run(service, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 1 and f" {number} (paper:1) " in result.stdout
    assert result.stdout.endswith(
        " 3: missing seq: Ereignis 3 fehlt oder wurde gelöscht (die Kette springt von 2 auf 4)\n"
    )


def test_progress_bar_only_on_a_terminal_that_gets_no_data(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    def ttys(stdout: bool, stderr: bool) -> None:
        monkeypatch.setattr(sys.stdout, "isatty", lambda: stdout, raising=False)
        monkeypatch.setattr(sys.stderr, "isatty", lambda: stderr, raising=False)

    ttys(True, True)
    assert cli_audit.show_progress(to_file=True)
    assert not cli_audit.show_progress(to_file=False)
    ttys(False, True)
    assert cli_audit.show_progress(to_file=False)
    ttys(True, False)
    assert not cli_audit.show_progress(to_file=True)


def test_paper_list_as_ndjson(service: WorkflowService) -> None:
    number = adopted_paper(service)
    lines = run(service, "paper", "list", "--format", "ndjson").stdout.splitlines()
    assert [json.loads(line)["number"] for line in lines] == [number]


# -- the auditor ---------------------------------------------------------------------------------

#: commands that only read; the auditor runs each of them successfully
READ_ONLY = {
    "audit export": ["audit", "export"],
    "audit search": ["audit", "search"],
    "audit trail": ["audit", "trail", "{number}"],
    "audit report": ["audit", "report", "{number}"],
    "audit verify": ["audit", "verify"],
    "audit replay": ["audit", "replay", "{number}"],
    "definitions check": ["definitions", "check", str(VALID_DEFINITIONS)],
    "definitions show": ["definitions", "show"],
    "definitions outcomes": ["definitions", "outcomes"],
    "deadlines": ["deadlines"],
    "paper check": ["paper", "check", "{number}"],
    "meeting list": ["meeting", "list"],
    "decisions open": ["decisions", "open"],
    "decisions list": ["decisions", "list"],
    "definitions graph": ["definitions", "graph"],
    "paper graph": ["paper", "graph", "{number}"],
    "reminders due": ["reminders", "due"],
    "reminders sent": ["reminders", "sent"],
    "reminders failed": ["reminders", "failed"],
    "paper procedures": ["paper", "procedures", "{number}"],
    "meeting show": ["meeting", "show", "{meeting}"],
    "meeting agenda": ["meeting", "agenda", "{meeting}"],
    "paper list": ["paper", "list"],
    "paper show": ["paper", "show", "{number}"],
    "paper chain": ["paper", "chain", "{number}"],
    "oparl export": ["oparl", "export", "{tmp}/oparl", "--base-url", "https://ris.example.org"],
    "oparl validate": [
        "oparl",
        "validate",
        str(FIXTURES / "oparl" / "spec-example-System-01.json"),
    ],
    "calendar export": ["calendar", "export"],
}
#: audit commands that only append to the audit trail, which the auditor may run
AUDIT_RECORDS = {"audit seal": ["audit", "seal"]}
#: works on a database of its own (a temporary one), never the configured one
OWN_DATABASE = {"demo"}
#: the delivery process: acts as the system (no --as), sends only what is due
#: oparl serve: a read-only server process; web: a server whose every change is the logged-in
#: user's service call (tests/test_web.py refuses the auditor's forged posts)
SYSTEM = {"worker", "oparl serve", "web"}
OPARL_KARLSRUHE = FIXTURES / "oparl" / "real" / "karlsruhe-1.1"
#: every other command changes data: arguments that would succeed for a user with the role
MUTATING = {
    "init": ["init", "--definitions", str(VALID_DEFINITIONS)],
    "db upgrade": ["db", "upgrade"],
    "db create-app-role": ["db", "create-app-role", "ratsweg_app"],
    "user set-password": ["user", "set-password", "clerk", "--password-env", "TEST_PASSWORD"],
    "definitions load": ["definitions", "load", str(VALID_DEFINITIONS)],
    "paper create": [
        "paper",
        "create",
        "--type",
        "vorlage",
        "--title",
        "T",
        "--office",
        "amt1",
        "--route",
        "standard",
        "--date",
        "2025-03-01",
    ],
    "paper submit": ["paper", "submit", "{number}"],
    "paper release": ["paper", "release", "{submitted}"],
    "paper withdraw": ["paper", "withdraw", "{number}", "--reason", "Fehler"],
    "paper edit": ["paper", "edit", "{number}", "--title", "Neu"],
    "paper co-sign": ["paper", "co-sign", "{number}", "--office", "amt1"],
    "consultation add": ["consultation", "add", "{number}", "rat", "--role", "anhoerung"],
    "consultation remove": ["consultation", "remove", "{number}", "1"],
    "consultation schedule": ["consultation", "schedule", "{number}", "1", "--date", "2025-03-18"],
    "consultation record": ["consultation", "record", "{number}", "1", "--result", "empfohlen"],
    "consultation move": ["consultation", "move", "{number}", "2", "--to", "1"],
    "paper reroute": [
        "paper",
        "reroute",
        "{number}",
        "--step",
        "rat:entscheidung",
        "--reason",
        "x",
    ],
    "meeting create": [
        "meeting",
        "create",
        "--organization",
        "ausschuss",
        "--start",
        "2025-03-18 17:00",
    ],
    "meeting add-item": ["meeting", "add-item", "{meeting}", "--title", "Mitteilungen"],
    "meeting build-agenda": ["meeting", "build-agenda", "{meeting}"],
    "meeting invite": ["meeting", "invite", "{meeting}"],
    "meeting hold": ["meeting", "hold", "{meeting}"],
    "meeting approve-minutes": ["meeting", "approve-minutes", "{meeting}"],
    "meeting cancel": ["meeting", "cancel", "{meeting}", "--reason", "Krankheit"],
    "meeting move": ["meeting", "move", "{meeting}", "--date", "2025-03-20"],
    "meeting record-minutes": ["meeting", "record-minutes", "{meeting}", "{minutes}"],
    "meeting order": ["meeting", "order", "{meeting}", "--up", "{item}"],
    "meeting remove-item": ["meeting", "remove-item", "{meeting}", "{item}"],
    "meeting move-item": ["meeting", "move-item", "{meeting}", "{item}", "--to", "{meeting}"],
    "decisions task-add": [
        "decisions",
        "task-add",
        "{adopted}",
        "--title",
        "Bericht",
        "--office",
        "amt1",
        "--due",
        "2025-12-31",
    ],
    "decisions report": ["decisions", "report", "{task}", "--text", "läuft"],
    "reminders retry": ["reminders", "retry", "1"],
    "decisions implemented": ["decisions", "implemented", "{task}", "--text", "erledigt"],
    "paper urgent-decision": [
        "paper",
        "urgent-decision",
        "{released}",
        "--decided-by",
        "mayor",
        "--date",
        "2025-03-05",
        "--reason",
        "Frist",
        "--co-signer",
        "Ratsmitglied A",
    ],
    "paper object": [
        "paper",
        "object",
        "{adopted}",
        "--kind",
        "widerspruch",
        "--date",
        "2025-03-09",
        "--reason",
        "Gemeinwohl",
    ],
    "oparl import": ["oparl", "import", str(OPARL_KARLSRUHE)],
    "paper finalize": ["paper", "finalize", "{adopted}"],
    "paper supplement": ["paper", "supplement", "{released}", "--reason", "Korrektur"],
    "paper overrule": ["paper", "overrule", "{submitted}", "--office", "amt1", "--reason", "x"],
    "paper answer": ["paper", "answer", "{released}", "--text", "Antwort", "--date", "2025-03-05"],
    "paper attach": ["paper", "attach", "{number}", "{minutes}"],
    "paper supervisory": [
        "paper",
        "supervisory",
        "{adopted}",
        "--result",
        "confirmed",
        "--reason",
        "Az. 1",
    ],
}


#: refused here by the paper's state (no Einspruchsfrist, no supervisory review) before the
#: role is looked at; still nothing may change
NEED_A_STATE = {"paper finalize", "paper supervisory"}


def command_paths(group: click.Group, prefix: str = "") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.extend(command_paths(command, f"{path} "))
        else:
            found.append(path)
    return found


def test_every_command_is_classified() -> None:
    classified = set(READ_ONLY) | set(AUDIT_RECORDS) | OWN_DATABASE | SYSTEM | set(MUTATING)
    assert sorted(command_paths(cli)) == sorted(classified)


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    with database.engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(table.select())), key=repr)
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("command", sorted(MUTATING))
def test_the_auditor_may_change_nothing(
    service: WorkflowService, database: Database, command: str, tmp_path: Path
) -> None:
    number, submitted = (
        service.papers.create_paper(
            user="clerk", paper_type="vorlage", title=title, office="amt1",
            date=dt.date(2025, 3, 1), route="standard",
        ).number
        for title in ("Haushalt", "Feuerwache")
    )  # fmt: skip
    service.papers.submit_paper(submitted, user="clerk")
    meeting = service.meetings.create_meeting(
        user="session",
        organization="ausschuss",
        start=dt.datetime(2025, 3, 6, 16, 0, tzinfo=dt.UTC),  # held before the clock's day
    ).id
    item = service.agendas.add_agenda_item(
        meeting, user="session", title="Mitteilungen", public=True
    ).id
    steps = {"meeting hold": 1, "meeting approve-minutes": 2, "meeting record-minutes": 2}
    advance = (service.meetings.invite_meeting, service.meetings.hold_meeting)
    for step in advance[: steps.get(command, 0)]:
        step(meeting, user="session")
    minutes = tmp_path / "minutes.yaml"
    minutes.write_text("items:\n  - {top: Ö 1, result: empfohlen}\n", encoding="utf-8")
    before = snapshot(database)
    adopted = adopted_paper(service)
    released = service.papers.create_paper(
        user="clerk", paper_type="vorlage", title="Eilt", office="amt1",
        date=dt.date(2025, 3, 1), route="standard",
    ).number  # fmt: skip
    service.papers.submit_paper(released, user="clerk")
    service.papers.release_paper(released, user="head")
    task = service.tasks.add_implementation_task(
        adopted, user="session", title="Umsetzung", office="amt1", due=dt.date(2025, 12, 31)
    ).id
    fields = {
        "number": number,
        "submitted": submitted,
        "meeting": meeting,
        "minutes": minutes,
        "adopted": adopted,
        "task": task,
        "released": released,
        "item": item,
    }
    before = snapshot(database)
    args = [a.format(**fields) for a in MUTATING[command]]
    result = run(service, *args, user="auditor")
    assert result.exit_code == 1, result.output
    if command not in NEED_A_STATE:
        refused = ("'auditor' hat keine Berechtigung für ", "'auditor' may not ")  # oparl's own
        assert any(text in result.stderr for text in refused), result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert snapshot(database) == before


@pytest.mark.parametrize("command", sorted(READ_ONLY))
def test_the_auditor_may_read_everything(
    service: WorkflowService, command: str, tmp_path: Path
) -> None:
    number = adopted_paper(service)
    meeting = service.meetings.create_meeting(
        user="session",
        organization="ausschuss",
        start=dt.datetime(2025, 3, 18, 16, 0, tzinfo=dt.UTC),
    ).id
    args = [a.format(number=number, meeting=meeting, tmp=tmp_path) for a in READ_ONLY[command]]
    result = run(service, *args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr


# -- the application role on PostgreSQL ----------------------------------------------------------


def test_create_app_role(
    service: WorkflowService, database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite: one line saying it is PostgreSQL-only. On PostgreSQL: a login role that runs
    the workflow but is refused UPDATE, DELETE and TRUNCATE on the audit table by privileges."""
    if database.dialect == "sqlite":
        result = run(service, "db", "create-app-role", "ratsweg_app", user="admin")
        assert result.exit_code == 1
        assert result.stderr.partition(": ")[2] == (
            "db create-app-role funktioniert nur mit PostgreSQL; diese Datenbank ist sqlite "
            "(SQLite kennt keine Rollen: schützen Sie stattdessen die Datei)\n"
        )
        return
    role = f"ratsweg_app_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("APP_PASSWORD", "s3cr%t'pw")
    try:
        first = run(
            service, "db", "create-app-role", role, "--password-env", "APP_PASSWORD", user="admin"
        )
        assert first.exit_code == 0, first.output
        assert first.stderr.startswith(f"Rolle {role} im Schema t_")
        assert first.stderr.rstrip().endswith("auf audit_event nur SELECT und INSERT")
        again = run(service, "db", "create-app-role", role, user="admin")
        assert again.exit_code == 0 and f"Rolle {role} im Schema" in again.stderr
        assert "aktualisiert" in again.stderr
        app_url = database_url.replace("postgres@", f"{role}:s3cr%25t%27pw@")
        app = WorkflowService(Database(app_url), service.clock)
        try:
            adopted_paper(app)  # the workflow works as the application role
            assert app.audit.verify_audit().ok
        finally:
            app.db.dispose()
        engine = create_engine(app_url)
        try:
            for statement in (
                "UPDATE audit_event SET actor = 'mallory'",
                "DELETE FROM audit_event",
                "TRUNCATE audit_event",
                "ALTER TABLE audit_event DISABLE TRIGGER USER",
            ):
                with pytest.raises(DBAPIError) as refused, engine.begin() as conn:
                    conn.execute(text(statement))
                message = str(refused.value.orig)
                assert "permission denied" in message or "must be owner" in message, message
                assert "append-only" not in message  # refused by privileges, before triggers
        finally:
            engine.dispose()
        granted = service.audit.search_audit(AuditQuery(action="app_role_granted"))
        assert [e.payload["created"] for e in granted] == [True, False]
    finally:
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as conn:
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
                conn.execute(text(f"DROP OWNED BY {role}"))
                conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()
