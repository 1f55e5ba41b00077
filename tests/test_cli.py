"""The command line: exit codes, one-line errors, tables and JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from storage.migrate import head_revision
from tests.conftest import FIXTURES, on_day
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.service import WorkflowService


def run(service: WorkflowService, *args: str, user: str | None = None):  # type: ignore[no-untyped-def]
    # without a user: the auditor, who may read everything and change nothing
    env = {"RATSWEG_USER": user or "auditor"}
    return CliRunner().invoke(cli, list(args), obj=service, env=env)


def create(service: WorkflowService) -> str:
    result = run(
        service,
        "paper",
        "create",
        "--type",
        "vorlage",
        "--title",
        "Feuerwache",
        "--office",
        "amt1",
        "--route",
        "standard",
        "--date",
        "01.03.2025",
        "--json",
        user="clerk",
    )
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["number"])


def test_create_prints_the_paper_as_json(service: WorkflowService) -> None:
    number = create(service)
    assert number == "V/2025/1"
    shown = json.loads(run(service, "paper", "show", number, "--json").stdout)
    assert shown["state"] == "draft"
    assert shown["date"] == "2025-03-01"
    assert shown["created_at"] == "2025-03-10T09:00:00Z"
    assert [c["organization_id"] for c in shown["consultations"]] == ["ausschuss", "rat"]


def test_walkthrough_with_as_and_env_user(service: WorkflowService, clock: FixedClock) -> None:
    number = create(service)
    assert run(service, "paper", "submit", number, user="clerk").exit_code == 0
    assert run(service, "paper", "release", number, "--as", "head").exit_code == 0
    on_day(clock, dt.date(2025, 3, 18))
    result = run(
        service,
        "consultation",
        "record",
        number,
        "1",
        "--result",
        "empfohlen",
        "--date",
        "2025-03-18",
        user="session",
    )
    assert result.exit_code == 0, result.output
    on_day(clock, dt.date(2025, 3, 27))
    result = run(
        service,
        "consultation",
        "record",
        number,
        "2",
        "--result",
        "beschlossen",
        "--date",
        "2025-03-27",
        "--yes",
        "9",
        "--no",
        "0",
        "--abstain",
        "1",
        "--label",
        "einstimmig beschlossen",
        user="session",
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{number}: Beschlossen (adopted)\n"
    table = run(service, "paper", "show", number).stdout
    assert "Rat der Stadt Musterstadt" in table and "Ja 9, Nein 0, Enth. 1" in table
    trail = json.loads(run(service, "audit", "trail", number, "--json").stdout)
    assert [e["actor"] for e in trail][:3] == ["clerk", "clerk", "head"]
    assert trail[-1]["to_state"] == "adopted"


def test_paper_list_formats(service: WorkflowService) -> None:
    create(service)
    csv_out = run(service, "paper", "list", "--format", "csv").stdout
    assert csv_out.splitlines() == [
        "number,paper_type,date,state,office_id,title",
        "V/2025/1,vorlage,01.03.2025,draft,amt1,Feuerwache",
    ]
    table = run(service, "paper", "list").stdout.splitlines()
    assert table[0].split() == ["Vorlage", "Art", "Datum", "Status", "Amt", "Betreff"]
    assert table[2].split() == [
        "V/2025/1",
        "vorlage",
        "01.03.2025",
        "Entwurf",
        "amt1",
        "Feuerwache",
    ]


@pytest.mark.parametrize(
    ("args", "user", "message"),
    [
        (
            ("paper", "release", "V/2025/1"),
            "head",
            (
                "V/2025/1: 'freigeben' ist im Status 'Entwurf' nicht möglich; jetzt möglich: "
                "zur Mitzeichnung geben (submit), zurückziehen (withdraw)"
            ),
        ),
        (
            ("paper", "submit", "V/2025/9"),
            "clerk",
            "keine Vorlage 'V/2025/9' in Stadt Musterstadt (meinten Sie 'V/2025/1'?)",
        ),
        (
            ("paper", "submit", "V/2025/1"),
            "mallory",
            "Benutzer 'mallory' gibt es nicht in den Definitionen von Stadt Musterstadt",
        ),
        (
            ("paper", "withdraw", "V/2025/1", "--reason", " "),
            "clerk",
            "Fehler: das Zurückziehen braucht eine Begründung; geben Sie --reason TEXT an",
        ),
        (
            ("consultation", "remove", "V/2025/1", "7"),
            "clerk",
            "Fehler: V/2025/1 hat keinen Schritt 7 (ihre Beratungsfolge hat 2 Schritte)",
        ),
        (
            ("paper", "co-sign", "V/2025/1", "--office", "amt1", "--object"),
            "clerk",
            "Fehler: ein Einwand braucht eine Begründung; geben Sie --comment TEXT an",
        ),
    ],
)
def test_user_errors_are_one_line_exit_1_and_change_nothing(
    service: WorkflowService, args: tuple[str, ...], user: str, message: str
) -> None:
    number = create(service)
    before = service.audit.audit_trail(number)
    result = run(service, *args, user=user)
    assert result.exit_code == 1
    text = message.removeprefix("Fehler: ")
    assert result.stderr.startswith("Fehler: " + text), result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert service.audit.audit_trail(number) == before


def test_usage_errors_exit_2(service: WorkflowService) -> None:
    result = run(
        service,
        "consultation",
        "record",
        "V/2025/1",
        "1",
        "--result",
        "empfohlen",
        "--date",
        "31.06.2012",
    )
    assert result.exit_code == 2
    assert (
        "Fehler: Ungültiger Wert für '--date': '31.06.2012' ist kein Datum; verwenden Sie "
        "JJJJ-MM-TT oder TT.MM.JJJJ" in result.stderr
    )
    assert run(service, "paper", "explode").exit_code == 2


def test_audit_verify_reports_intact(service: WorkflowService) -> None:
    create(service)
    result = run(service, "audit", "verify", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) | {} == {
        "streams": 2,
        "events": 2,
        "broken_stream": None,
        "broken_seq": None,
        "broken_paper": None,
        "problem": None,
        "reason": None,
        "sealed_events": None,
        "events_after_seal": None,
        "ok": True,
    }


def test_definitions_check_lists_every_problem(tmp_path: Path) -> None:
    broken = FIXTURES / "definitions" / "invalid"
    case = next(p for p in sorted(broken.iterdir()) if p.is_dir())
    target = tmp_path / "muni"
    import shutil

    shutil.copytree(FIXTURES / "definitions" / "valid", target)
    for file in case.iterdir():
        shutil.copy(file, target / file.name)
    result = CliRunner().invoke(cli, ["definitions", "check", str(target)])
    assert result.exit_code == 1
    assert f"Probleme in {target}" in result.stderr
    ok = CliRunner().invoke(cli, ["definitions", "check", "landau"])
    assert ok.exit_code == 0 and ok.stderr.endswith(": in Ordnung\n")


def test_missing_tables_say_run_init(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(cli, ["--database", url, "paper", "list"])
    assert result.exit_code == 1
    assert "führen Sie zuerst 'ratsweg init' aus" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("source", ["/nonexistent/folder", "invalid"])
def test_init_with_bad_definitions_leaves_no_database(tmp_path: Path, source: str) -> None:
    if source == "invalid":
        import shutil

        source = str(tmp_path / "muni")
        shutil.copytree(FIXTURES / "definitions" / "valid", source)
        (Path(source) / "body.yaml").write_text("body:\n  id: x\n  naem: X\n", encoding="utf-8")
    database = tmp_path / "city.db"
    result = CliRunner().invoke(
        cli, ["--database", f"sqlite:///{database}", "init", "--definitions", source]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Fehler: ")
    assert "Traceback" not in result.stderr
    assert not database.exists()


def test_init_then_commands_on_a_file_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'city.db'}"
    runner = CliRunner()
    result = runner.invoke(cli, ["--database", url, "init", "--definitions", "voelklingen"])
    assert result.exit_code == 0, result.output
    assert "Stadt Völklingen (voelklingen) geladen" in result.stderr
    shown = runner.invoke(cli, ["--database", url, "definitions", "show", "--json"])
    assert {o["id"] for o in json.loads(shown.stdout)} >= {"ausschuss_kjs", "stadtrat"}
    again = runner.invoke(cli, ["--database", url, "db", "upgrade", "--as", "admin"])
    head = head_revision()
    assert again.exit_code == 0 and f"Revision {head} (vorher {head})" in again.stderr


def test_console_script_runs_the_demo(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("ratsweg")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    done = subprocess.run(
        [str(script), "demo", "--database", url],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Status: Beschlossen (adopted)" in done.stdout
    assert "einstimmig beschlossen  Ja 39, Nein 0, Enth. 4, Befangen 0" in done.stdout
    assert (
        "14.11.2011  Stadtvorstand: TOP N 1 (nichtöffentlich), Sitzung 1: empfohlen" in done.stdout
    )
    # the paper's, the body's and the 7 meetings' events, among them 34 reminders planned and
    # cancelled in the paper's chain: on the seed's dates the Vorlagenschluss and Ladung
    # reminders of every step lie ahead and are planned too (89 events when the demo ran on
    # today's clock); and in each meeting's chain its Ladung reminder and escalation, planned
    # with the agenda and cancelled by the invitation (7 x 4 = 28); and in the body's chain the
    # web passwords of the 8 demo users (password_set)
    assert "Audit-Trail intakt: 185 Ereignisse in 9 Prüfketten." in done.stdout
    assert "Nachspielen stimmt bei 1 Vorlage mit der Datenbank überein." in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("municipality", "expected"),
    [
        ("voelklingen", "16.09.2020  Ausschuss für Kinder, Jugend und Soziales: TOP N 1"),
        ("herzogenrath", "Status: Beschlossen (adopted)"),
    ],
)
def test_demo_of_each_shipped_municipality(
    tmp_path: Path, municipality: str, expected: str
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(cli, ["demo", "--database", url, "--municipality", municipality])
    assert result.exit_code == 0, result.output
    assert expected in result.stdout
    assert result.stdout.endswith("Nachspielen stimmt bei 1 Vorlage mit der Datenbank überein.\n")
    unknown = CliRunner().invoke(cli, ["demo", "--municipality", "musterstadt"])
    assert unknown.exit_code == 2 and "'musterstadt' ist keiner der Werte" in unknown.stderr


def test_demo_trail_shows_the_co_signing_reminders_planned_and_cancelled(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(cli, ["demo", "--database", url, "--trail"])
    assert result.exit_code == 0, result.output
    # two co-signing offices: a reminder and its escalation each, cancelled by the signatures;
    # and the Vorlagenschluss and Ladung reminders of the seven steps, planned on the seed's
    # dates (the demo's clock) and cancelled by the release and the results
    assert (
        result.stdout.count("Erinnerung geplant")
        == result.stdout.count("Erinnerung entfallen")
        == 34
    )
    assert "02.11.2011 08:45:00" in result.stdout  # the first co-signature, on the demo's clock


@pytest.mark.parametrize(
    ("municipality", "kept"),
    [
        ("landau", {"08.12.2011": 14, "13.12.2011": 16}),  # 2 Mitzeichnungen + 2 per step
        ("voelklingen", {"24.09.2020": 6}),
        ("herzogenrath", {"25.03.2025": 1}),  # the Einspruchsfrist, elapsed without Einspruch
    ],
)
def test_the_demo_keeps_the_fristen_the_documents_show(
    tmp_path: Path, municipality: str, kept: dict[str, int]
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    demo = CliRunner().invoke(cli, ["demo", "--database", url, "--municipality", municipality])
    assert demo.exit_code == 0, demo.output
    env = {"RATSWEG_USER": "admin"}
    listed = CliRunner().invoke(cli, ["--database", url, "decisions", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    decisions = json.loads(listed.stdout)
    assert {
        dt.date.fromisoformat(d["date"]).strftime("%d.%m.%Y"): d["deadlines_kept"]
        for d in decisions
    } == kept
    assert {c["status"] for d in decisions for c in d["deadlines"]} == {"kept"}
    assert all(d["deadlines_missed"] == 0 for d in decisions)
    # only the decision procedures the municipality's decisions.yaml configures are offered
    allowed = {
        "landau": "möglich: aussetzen (suspend)",  # GemO RP § 42 Aussetzung only
        "voelklingen": "möglich: beanstanden (contest)",  # KSVG § 60 Beanstandung
        # GO NRW § 54, no Aussetzung
        "herzogenrath": "möglich: widersprechen (object), beanstanden (contest)",
    }[municipality]
    assert f"Status: Beschlossen (adopted); {allowed}\n" in demo.stdout
    if municipality == "landau":
        # the one Nachtrag case of the paper check that the seed's dates leave for the Stadtrat
        check = CliRunner().invoke(
            cli, ["--database", url, "paper", "check", "2011/001", "--json"], env=env
        )
        steps = json.loads(check.stdout)
        assert steps[-1]["status"] == "nachtrag" and steps[-1]["blocked_by"] == [6]


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    code = "import sys, workflow.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'transitions', 'alembic', 'storage', 'yaml')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def released_via_cli(service: WorkflowService) -> str:
    number = create(service)
    assert run(service, "paper", "submit", number, user="clerk").exit_code == 0
    assert run(service, "paper", "release", number, user="head").exit_code == 0
    return number


def test_record_with_votes_file_text_file_and_referral(
    service: WorkflowService, clock: FixedClock, tmp_path: Path
) -> None:
    number = released_via_cli(service)
    on_day(clock, dt.date(2025, 3, 18))
    votes = tmp_path / "votes.yaml"
    votes.write_text(
        "- {subject: Vertagungsantrag, kind: procedural, yes: 1, no: 4}\n"
        "- {yes: 3, no: 1, abstain: 0, label: mehrheitlich}\n",
        encoding="utf-8",
    )
    text = tmp_path / "text.txt"
    text.write_text("Der Ausschuss empfiehlt den Neubau mit Änderungen.\n", encoding="utf-8")
    result = run(
        service,
        "consultation", "record", number, "1",
        "--result", "mit_aenderungen_empfohlen", "--date", "2025-03-18",
        "--votes-file", str(votes),
        "--text-file", str(text),
        user="session",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shown = json.loads(run(service, "paper", "show", number, "--json").stdout)
    assert [v["kind"] for v in shown["consultations"][0]["votes"]] == ["procedural", "main"]
    assert shown["text"] == "Der Ausschuss empfiehlt den Neubau mit Änderungen."
    on_day(clock, dt.date(2025, 3, 27))
    result = run(
        service,
        "consultation", "record", number, "2",
        "--result", "zurueckverwiesen", "--refer-to", "ausschuss", "--date", "2025-03-27",
        user="session",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shown = json.loads(run(service, "paper", "show", number, "--json").stdout)
    assert [c["organization_id"] for c in shown["consultations"]] == [
        "ausschuss",
        "rat",
        "ausschuss",
        "rat",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- {yes: -1}\n", "Abstimmung 1: yes darf nicht negativ sein, ist aber -1"),
        ("- {yess: 3}\n", "unbekannter Schlüssel 'yess'"),
        ("- {yes: 3, kind: main_motion}\n", "unbekannte Art 'main_motion'"),
        ("[1, 2\n", "kein gültiges YAML/JSON in Zeile"),
        ("{}\n", "erwartet wird eine nicht leere Liste von Abstimmungen"),
    ],
)
def test_bad_votes_file_is_one_line_and_changes_nothing(
    service: WorkflowService, tmp_path: Path, content: str, message: str
) -> None:
    number = released_via_cli(service)
    before = len(service.audit.audit_trail(number))
    votes = tmp_path / "votes.yaml"
    votes.write_text(content, encoding="utf-8")
    result = run(
        service,
        "consultation", "record", number, "1",
        "--result", "empfohlen", "--votes-file", str(votes), "--date", "2025-03-18",
        user="session",
    )  # fmt: skip
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert len(service.audit.audit_trail(number)) == before


def test_quorum_warning_goes_to_stderr(service: WorkflowService, clock: FixedClock) -> None:
    number = released_via_cli(service)
    on_day(clock, dt.date(2025, 3, 18))
    result = run(
        service,
        "consultation", "record", number, "1", "--result", "empfohlen", "--yes", "2",
        "--date", "2025-03-18",
        user="session",
    )  # fmt: skip
    assert result.exit_code == 0
    assert "Hauptausschuss war für 'Hauptantrag' nicht beschlussfähig" in result.stderr


def test_reroute_move_and_outcomes_commands(service: WorkflowService) -> None:
    number = released_via_cli(service)
    bad = run(service, "paper", "reroute", number, "--step", "rat", "--reason", "x", user="session")
    assert bad.exit_code == 2 and "ist nicht ORGANISATION:ROLLE" in bad.stderr
    result = run(
        service,
        "paper", "reroute", number,
        "--step", "ausschuss:anhoerung:2025-09-02:non-public",
        "--step", "rat:entscheidung:2025-09-25",
        "--reason", "neue Beratungsfolge",
        user="session",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shown = json.loads(run(service, "paper", "show", number, "--json").stdout)
    assert [(c["state"], c["public"]) for c in shown["consultations"]] == [
        ("cancelled", True),
        ("cancelled", True),
        ("planned", False),
        ("planned", True),
    ]
    refused = run(service, "consultation", "move", number, "3", "--to", "4", user="session")
    assert refused.exit_code == 1 and "braucht eine Begründung" in refused.stderr
    outcomes = json.loads(run(service, "definitions", "outcomes", "--json").stdout)
    by_id = {o["outcome"]: o for o in outcomes}
    assert by_id["vertagt_in_folgegremium"]["municipal labels"] == "ohne votum weitergeleitet"
    assert by_id["zurueckverwiesen"]["effect"] == "refer"
