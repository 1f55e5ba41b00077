"""ratsweg oparl import on the real data of Karlsruhe (OParl 1.1) and Hürtgenwald (OParl 1.0,
SD.NET), copied unchanged into tests/fixtures/oparl/real (see SOURCES.md there)."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import shutil
import threading
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from storage.schema import Base
from storage.session import Database
from tests.conftest import FIXTURES
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.errors import DefinitionError, InvalidInput
from workflow.core.model import Outcome
from workflow.oparl.export import export_tree
from workflow.oparl.generate import generate_definitions
from workflow.oparl.importer import ImportReport, import_source
from workflow.oparl.results import map_result
from workflow.oparl.source import read_source
from workflow.oparl.validate import validate_path
from workflow.service import WorkflowService

REAL = FIXTURES / "oparl" / "real"
HW = REAL / "huertgenwald-1.0"
KA = REAL / "karlsruhe-1.1"
HW_HOST = "https://sdnetrim.kdvz-frechen.de"


def municipality(
    database: Database, clock: FixedClock, tmp_path: Path, source: Path, **body: str
) -> WorkflowService:
    folder = tmp_path / "definitions"
    generate_definitions(read_source(str(source)), folder, **body)
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(folder, user=None)
    return service


@pytest.fixture
def hw(database: Database, clock: FixedClock, tmp_path: Path) -> WorkflowService:
    return municipality(database, clock, tmp_path, HW)


@pytest.fixture
def ka(database: Database, clock: FixedClock, tmp_path: Path) -> WorkflowService:
    # The Karlsruhe snapshot holds results of meetings up to summer 2026; a result is only
    # recorded for a meeting that took place, so the import runs after them.
    clock.instant = dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)
    return municipality(database, clock, tmp_path, KA, name="Stadt Karlsruhe", state="BW")


def run_import(service: WorkflowService, source: str) -> ImportReport:
    return import_source(service.shared, read_source(source), user="admin")


def reasons(report: ImportReport) -> dict[str, str]:
    return {p.reference or p.oparl_id: p.reason or "" for p in report.papers if p.reason}


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    with database.engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(table.select())), key=repr)
            for table in Base.metadata.sorted_tables
        }


# -- the real data ---------------------------------------------------------------------------


def test_huertgenwald_imports_31_papers_and_reports_9_with_reasons(hw: WorkflowService) -> None:
    report = run_import(hw, str(HW))
    assert (report.count("imported"), report.count("reported")) == (31, 9)
    assert report.version == "1.0" and report.deleted == 10 and report.problems == []
    assert report.vendor_keys == {
        "STERNBERG:RIMVersion": 1,
        "STERNBERG:gruppierung": 18,
        "STERNBERG:sortierung": 18,
    }
    why = reasons(report)
    unreadable = [r for r in why.values() if "ist nicht verständlich" in r]
    no_decision = [r for r in why.values() if "das eine entscheidung nicht abschließt" in r]
    assert len(unreadable) == 2 and "Gesamt:1809" in why["93/2021"]
    assert len(no_decision) == 7 and "'ohne'" in why["110/2021"]
    committee_then_council = hw.papers.get_paper("103/2021")
    assert committee_then_council.state == "adopted"
    first, second = committee_then_council.consultations
    assert (first.role.value, first.outcome, first.date) == (
        "vorberatung",
        Outcome.BESCHLOSSEN,
        dt.date(2021, 6, 24),
    )
    assert (first.votes[0].yes, first.votes[0].no, first.votes[0].abstain) == (15, 0, 0)
    assert second.role.value == "entscheidung" and second.result_label == (
        "einstimmig, ohne Enthaltung"
    )
    assert hw.papers.get_paper("106/2021").state == "noted"  # Mitteilungsvorlage, result "ohne"
    pending = hw.papers.get_paper("152/2021")  # the meeting of 16.09.2021 has no results yet
    assert pending.state == "released"
    assert pending.consultations[0].state == "scheduled"
    assert hw.audit.verify_audit().ok
    replayed = hw.audit.replay_audit()  # the papers, then the imported meetings
    assert (
        sum(r.meeting is None for r in replayed),
        sum(r.meeting is not None for r in replayed),
    ) == (31, 4)
    assert [(r.paper_number, r.difference) for r in replayed if not r.ok] == []


def test_karlsruhe_imports_4_papers_and_reports_the_one_without_a_decision(
    ka: WorkflowService,
) -> None:
    report = run_import(ka, str(KA))
    assert (report.count("imported"), report.count("reported")) == (4, 1)
    assert report.version == "1.1"
    assert "endet mit 'Vorberatung' durch Planungsausschuss" in reasons(report)["2026/0268"]
    adopted = ka.papers.get_paper("2026/0140")
    assert adopted.state == "adopted"
    assert [(c.role.value, c.outcome) for c in adopted.consultations] == [
        ("anhoerung", Outcome.BESCHLOSSEN),
        ("vorberatung", Outcome.EMPFOHLEN),
        ("entscheidung", Outcome.BESCHLOSSEN),
    ]
    referred = ka.papers.get_paper("2026/0158")  # Kenntnisnahme -> Behandlung -> Entscheidung
    assert referred.state == "in_consultation"
    assert [(c.outcome, c.result_label, c.state) for c in referred.consultations] == [
        (Outcome.VERTAGT_IN_FOLGEGREMIUM, "Beratung im Fachgremium/Arbeitskreis", "held"),
        (Outcome.VERTAGT_IN_FOLGEGREMIUM, "verwiesen in den Gemeinderat", "held"),
        (None, None, "scheduled"),
    ]
    assert ka.papers.get_paper("2026/0037/1").state == "withdrawn"
    assert ka.audit.verify_audit().ok
    assert [(r.paper_number, r.difference) for r in ka.audit.replay_audit() if not r.ok] == []


def test_imported_events_are_audited_as_imports_with_their_source(ka: WorkflowService) -> None:
    run_import(ka, str(KA))
    trail = ka.audit.audit_trail("2026/0435")
    assert {e.actor for e in trail} == {"import"}
    created = trail[0]
    assert created.action == "paper_created"
    assert created.payload["oparl_id"].endswith("/papers/vo/54602")
    assert created.payload["source"].endswith("papers/54602.json")
    assert created.payload["imported_by"] == "admin"
    results = [e for e in trail if e.action == "result_recorded"]
    paper = json.loads((KA / "papers" / "54602.json").read_text(encoding="utf-8"))
    items = [c["agendaItem"] for c in paper["consultation"]]
    assert [e.payload["note"] for e in results] == [f"importiert: {item}" for item in items]


def test_a_second_import_changes_nothing(hw: WorkflowService, database: Database) -> None:
    first = run_import(hw, str(HW))
    before = snapshot(database)
    second = run_import(hw, str(HW))
    assert snapshot(database) == before
    assert second.count("unchanged") == first.count("imported") == 31
    assert second.count("imported") == 0 and second.meetings_created == 0
    assert reasons(second) == reasons(first)


def test_the_url_of_a_live_endpoint_is_read_page_by_page(hw: WorkflowService) -> None:
    with serve_huertgenwald() as base:
        report = run_import(hw, f"{base}/rim4220/webservice/oparl/v1.0/system")
    assert (report.count("imported"), report.count("reported"), report.problems) == (31, 9, [])
    trail = hw.audit.audit_trail("103/2021")
    assert trail[0].payload["oparl_id"].startswith(base)
    assert trail[0].payload["source"] == f"{base}/rim4220/webservice/oparl/v1.0/body/1/paper"


def test_both_imports_export_as_a_valid_tree_with_every_imported_paper(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    # both snapshots hold results up to summer 2026; they are imported after those meetings
    clock.instant = dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)
    service = WorkflowService(database, clock)
    imported: dict[str, list[str]] = {}
    for body, source, names in (
        ("karlsruhe", KA, {"name": "Stadt Karlsruhe", "state": "BW"}),
        ("huertgenwald", HW, {}),
    ):
        generate_definitions(read_source(str(source)), tmp_path / body, **names)
        service.bodies.load_definitions(tmp_path / body, user=None)
        report = import_source(service.shared, read_source(str(source)), user="admin", body=body)
        imported[body] = sorted(p.number or "" for p in report.papers if p.status == "imported")
    assert {body: len(numbers) for body, numbers in imported.items()} == {
        "karlsruhe": 4,
        "huertgenwald": 31,
    }
    out = tmp_path / "tree"
    export_tree(service.shared, out, "https://ris.example.org/oparl", page_size=20)
    assert validate_path(out).problems == []
    for body, numbers in imported.items():
        papers = published(out, f"body/{body}/paper")
        assert sorted(p["reference"] for p in papers) == numbers
        meetings = {m["id"]: m for m in published(out, f"body/{body}/meeting")}
        items = {i["id"]: i for m in meetings.values() for i in m.get("agendaItem", [])}
        consultations = [c for p in papers for c in p["consultation"]]
        assert consultations and all(c["agendaItem"] in items for c in consultations)
        assert all(items[c["agendaItem"]]["consultation"] == c["id"] for c in consultations)
    # Karlsruhe's meetings lie before the import (01.09.2026): held, with their results
    karlsruhe = published(out, "body/karlsruhe/meeting")
    assert {m["meetingState"] for m in karlsruhe} == {"durchgeführt"}
    adopted = next(
        p for p in published(out, "body/karlsruhe/paper") if p["reference"] == "2026/0140"
    )
    results = [
        items_by_id(out, "karlsruhe")[c["agendaItem"]].get("result")
        for c in adopted["consultation"]
    ]
    assert results == ["einstimmig beschlossen", "vorberaten ohne Änderungen"] + [
        "einstimmig beschlossen"
    ]  # the source's texts, on the agenda items
    held = published(out, "body/huertgenwald/meeting")
    assert {m["meetingState"] for m in held} == {"durchgeführt"}
    first = next(m for m in held if m["name"].startswith("Ausschuss für Gemeindeentwicklung"))
    numbers = [i["number"] for i in first["agendaItem"]]
    assert numbers[:4] == ["1.", "2.", "3.", "7.11"]  # the source's order, not the import's


def published(root: Path, list_path: str) -> list[dict[str, Any]]:
    """Every object of a list in an exported tree, following ``links.next``."""
    found: list[dict[str, Any]] = []
    page = json.loads((root / f"{list_path}.json").read_text(encoding="utf-8"))
    while True:
        found.extend(page["data"])
        following = page["links"].get("next")
        if following is None:
            return found
        relative = following.removeprefix("https://ris.example.org/oparl/")
        page = json.loads((root / f"{relative}.json").read_text(encoding="utf-8"))


def items_by_id(root: Path, body: str) -> dict[str, dict[str, Any]]:
    meetings = published(root, f"body/{body}/meeting")
    return {i["id"]: i for m in meetings for i in m.get("agendaItem", [])}


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Path]] = {}
    base = ""

    def do_GET(self) -> None:
        path = self.routes.get(self.path)
        if path is None:
            self.send_error(404)
            return
        text = path.read_text(encoding="utf-8").replace(HW_HOST, self.base)
        data = json.loads(text)
        if self.path.endswith("page=84"):
            data["links"].pop("next")  # page 85 is not part of the copied data
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def serve_huertgenwald() -> Any:
    api = "/rim4220/webservice/oparl/v1.0"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.base = f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.routes = {
        f"{api}/system": HW / "system.json",
        f"{api}/body": HW / "body-list.json",
        f"{api}/body/1/organization": HW / "organization-list.json",
        f"{api}/body/1/meeting": HW / "meeting-list-page-15.json",
        f"{api}/body/1/paper": HW / "paper-list-page-83.json",
        f"{api}/body/1/paper?page=84": HW / "paper-list-page-84.json",
    }

    class _Served:
        def __enter__(self) -> str:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            return _Handler.base

        def __exit__(self, *exc: object) -> None:
            server.shutdown()
            server.server_close()

    return _Served()


# -- bad input ---------------------------------------------------------------------------------


@pytest.fixture
def ka_copy(tmp_path: Path) -> Path:
    target = tmp_path / "ka"
    shutil.copytree(KA, target)
    return target


def edit_paper(folder: Path, name: str, change: Any) -> None:
    path = folder / "papers" / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_broken_json_is_reported_and_the_rest_imports(ka: WorkflowService, ka_copy: Path) -> None:
    (ka_copy / "papers" / "54602.json").write_text('{"id": "x",', encoding="utf-8")
    report = run_import(ka, str(ka_copy))
    assert report.count("imported") == 3
    broken = ka_copy / "papers" / "54602.json"
    message = "fehlerhaftes JSON in Zeile 1: Expecting property name enclosed in double quotes"
    assert report.problems == [f"{broken}: {message}"]


def test_an_unreadable_file_is_reported_and_the_rest_imports(
    ka: WorkflowService, ka_copy: Path
) -> None:
    odd = ka_copy / "papers" / "kopie.json"
    odd.mkdir()  # a folder named like a JSON file cannot be read as one
    report = run_import(ka, str(ka_copy))
    assert report.count("imported") == 4
    assert report.problems == [f"{str(odd)!r} ist ein Ordner; geben Sie eine Datei an"]


def test_wrong_types_and_missing_fields_are_reported_per_paper(
    ka: WorkflowService, ka_copy: Path
) -> None:
    edit_paper(ka_copy, "54602", lambda p: p.update(consultation="none"))
    edit_paper(ka_copy, "54277", lambda p: p.pop("reference"))
    edit_paper(ka_copy, "54241", lambda p: p.update(name=42))
    report = run_import(ka, str(ka_copy))
    why = reasons(report)
    assert why["2026/0435"] == "'consultation' muss eine Liste sein, ist aber str 'none'"
    assert why["https://web1.karlsruhe.de/oparl/bodies/0001/papers/vo/54277"] == (
        "'reference' (die Drucksachen-Nummer) fehlt"
    )
    assert why["2026/0037/1"] == "'name' muss eine Zeichenkette sein, ist aber int 42"
    assert report.count("imported") == 1  # 2026/0158


def test_unknown_organizations_and_results_are_reported(ka: WorkflowService, ka_copy: Path) -> None:
    def foreign(paper: dict[str, Any]) -> None:
        paper["consultation"][0]["organization"] = ["https://elsewhere.example/org/1"]

    edit_paper(ka_copy, "54602", foreign)
    meeting = ka_copy / "meetings" / "10566.json"
    meeting.write_text(
        meeting.read_text(encoding="utf-8").replace("mehrheitlich beschlossen", "gewürfelt"),
        encoding="utf-8",
    )
    why = reasons(run_import(ka, str(ka_copy)))
    assert why["2026/0435"].startswith(
        "Beratung in einem unbekannten Gremium https://elsewhere.example/org/1; nehmen Sie es"
    )
    del why["2026/0435"]
    assert not any("gewürfelt" in r for r in why.values())  # 10566 holds no other paper's item


def test_a_decision_before_a_required_vorberatung_is_reported(
    ka: WorkflowService, ka_copy: Path
) -> None:
    def swap(paper: dict[str, Any]) -> None:  # Vorberatung after the Entscheidung
        first, second = paper["consultation"]
        first["meeting"], second["meeting"] = second["meeting"], first["meeting"]
        first["agendaItem"], second["agendaItem"] = second["agendaItem"], first["agendaItem"]

    edit_paper(ka_copy, "54602", swap)
    why = reasons(run_import(ka, str(ka_copy)))
    assert why["2026/0435"] == (
        "die Entscheidung in Beratung 1 (Gemeinderat am 14.07.2026) liegt vor der "
        "Vorberatung in Beratung 2 (Haupt- und Finanzausschuss am 28.07.2026)"
    )


def test_a_mix_of_versions_is_refused_and_changes_nothing(
    hw: WorkflowService, database: Database, tmp_path: Path
) -> None:
    run_import(hw, str(HW))
    mixed = tmp_path / "mixed"
    shutil.copytree(HW, mixed)
    shutil.copy(KA / "papers" / "54602.json", mixed / "ka.json")
    before = snapshot(database)
    with pytest.raises(InvalidInput, match=r"^die Quelle mischt OParl-Versionen \(OParl 1\.0 in "):
        read_source(str(mixed))
    result = CliRunner().invoke(
        cli, ["oparl", "import", str(mixed)], obj=hw, env={"RATSWEG_USER": "admin"}
    )
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert snapshot(database) == before


def test_a_source_that_does_not_exist_is_one_line(hw: WorkflowService) -> None:
    result = CliRunner().invoke(
        cli, ["oparl", "import", "/nowhere"], obj=hw, env={"RATSWEG_USER": "admin"}
    )
    assert result.exit_code == 1
    assert result.stderr.partition(": ")[2] == (
        "'/nowhere' gibt es nicht; geben Sie einen Ordner mit OParl-JSON-Dateien, eine "
        "JSON-Datei oder eine http(s)-URL an\n"
    )


def test_a_single_list_page_is_a_source(hw: WorkflowService) -> None:
    report = run_import(hw, str(HW / "paper-list-page-84.json"))
    assert report.count("imported") == 0 and report.deleted == 10
    assert set(reasons(report).values()) == {
        reason for reason in reasons(report).values() if "ist nicht in der Quelle" in reason
    }


# -- the municipality's own mapping ------------------------------------------------------------


def test_the_definitions_extend_the_result_labels(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    folder = tmp_path / "definitions"
    generate_definitions(read_source(str(HW)), folder)
    (folder / "procedure.yaml").write_text(
        "procedure:\n  outcome_labels:\n"
        '    "JaNeinEnthaltungBM1CDU91FFH6SPD14GRÜNE11FDP3Gesamt:1809": beschlossen\n'
        '    "JaNeinEnthaltungBM1CDU10FFH51SPD5GRÜNE11FDP3Gesamt7119": abgelehnt\n',
        encoding="utf-8",
    )
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(folder, user=None)
    report = run_import(service, str(HW))
    assert (report.count("imported"), report.count("reported")) == (33, 7)
    assert service.papers.get_paper("93/2021").state == "adopted"
    assert service.papers.get_paper("75/2021").state == "rejected"  # the municipality says so


def test_the_oparl_section_is_checked_with_lines(tmp_path: Path) -> None:
    folder = tmp_path / "definitions"
    generate_definitions(read_source(str(HW)), folder)
    (folder / "oparl.yaml").write_text(
        "oparl:\n  organizations:\n    Rat: stadtrat\n  roles:\n    Beratung: beraten\n"
        "  office: gemeinderat\n",
        encoding="utf-8",
    )
    from workflow.definitions import load_catalog

    with pytest.raises(DefinitionError) as caught:
        load_catalog(folder)
    assert [(p.line, p.path) for p in caught.value.problems] == [
        (3, "oparl.organizations.Rat"),
        (5, "oparl.roles.Beratung"),
        (6, "oparl.office"),
    ]


@pytest.mark.parametrize(
    ("text", "outcome", "counts"),
    [
        ("11 Ja-Stimmen, 0 Nein-Stimmen, 4 Enthaltungen", Outcome.BESCHLOSSEN, (11, 0, 4)),
        (
            "Einstimmig15-Ja-Stimmen, 0 Nein-Stimmen, 0 Enthaltungen",
            Outcome.BESCHLOSSEN,
            (15, 0, 0),
        ),
        ("einstimmig, ohne Enthaltung", Outcome.BESCHLOSSEN, (None, None, 0)),
        ("einstimimig, ohne Enthaltung", Outcome.BESCHLOSSEN, (None, None, 0)),
        ("3 Ja-Stimmen, 9 Nein-Stimmen", Outcome.ABGELEHNT, (3, 9, None)),
        ("verwiesen in Planungsausschuss", Outcome.UEBERWIESEN, None),
        ("vorberaten ohne Änderungen", Outcome.EMPFOHLEN, None),
        ("Stimmengleichheit - abgelehnt", Outcome.ABGELEHNT, None),
        ("Ohne.", Outcome.ZUR_KENNTNIS_GENOMMEN, None),
    ],
)
def test_result_texts_and_their_votes(
    text: str, outcome: Outcome, counts: tuple[int | None, ...] | None
) -> None:
    from workflow.core.catalog import Procedure

    mapped = map_result(text, Procedure())
    assert mapped.outcome is outcome
    if counts is not None:
        vote = mapped.votes[0]
        assert (vote.yes, vote.no, vote.abstain) == counts and vote.raw == text


#: The Karlsruhe result strings of the OParl reference (README §6.2), with the categories there.
KARLSRUHE_VOCABULARY = {
    Outcome.BESCHLOSSEN: "einstimmig zugestimmt|einstimmig beschlossen|mehrheitlich beschlossen|"
    "mehrheitlich zugestimmt|Zustimmung|einverstanden|genehmigt|gewählt|"
    "zur Kenntnis genommen + mehrheitliche Zustimmung",
    Outcome.EMPFOHLEN: "vorberaten ohne Änderungen",
    Outcome.MIT_AENDERUNGEN_EMPFOHLEN: "vorberaten mit Änderungen",
    Outcome.GEAENDERT_BESCHLOSSEN: "Zugestimmt zu geändertem Beschlusstext|"
    "mehrheitlich zugestimmt zu geändertem Beschlusstext|Beschlossen mit geändertem "
    "Beschlusstext|mehrheitlich zugestimmt zu geändertem Antrag|einstimmig zugestimmt zum "
    "modifizierten Antrag|teilweise zugestimmt|teilweise abgelehnt|"
    "teilweise in modifzierte Beschlussvorlage übernommen",
    Outcome.ABGELEHNT: "mehrheitlich abgelehnt|einstimmig abgelehnt|abgelehnt|"
    "bei Stimmengleichheit abgelehnt|Stimmengleichheit - abgelehnt",
    Outcome.ZUR_KENNTNIS_GENOMMEN: "Kenntnisnahme|Stellungnahme zur Kenntnis genommen|"
    "keine Mitteilungen|erledigt|erledigt durch Stellungnahme der Verwaltung|Antrag ist erledigt|"
    "erledigt durch Antwort der Verwaltung|erledigt durch Ergänzungsvorlage der Verwaltung|"
    "mit Stellungnahme einverstanden|keine Abstimmung|nicht zur Abstimmung gestellt|"
    "Aushang im Foyer|in Beschlussvorlage übernommen|keine",
    Outcome.UEBERWIESEN: "verwiesen in Fachausschuss|verwiesen in den Gemeinderat|"
    "verwiesen in Planungsausschuss|Weiterbehandlung im Hauptausschuss|"
    "Beratung im Fachgremium/Arbeitskreis",
    Outcome.VERTAGT: "vertagt|Wiedervorlage erbeten",
    Outcome.ZURUECKGESTELLT: "angehalten",
    Outcome.ABGESETZT: "abgesetzt",
    Outcome.ZURUECKGEZOGEN: "zurückgezogen|Antrag zurückgezogen",
}


@pytest.mark.parametrize("outcome", list(KARLSRUHE_VOCABULARY))
def test_the_real_result_vocabulary_is_mapped(outcome: Outcome) -> None:
    from workflow.core.catalog import Procedure

    for text in KARLSRUHE_VOCABULARY[outcome].split("|"):
        assert map_result(text, Procedure()).outcome is outcome, text


def test_a_result_only_in_a_document_is_not_guessed() -> None:
    from workflow.core.catalog import Procedure

    mapped = map_result("siehe Dokument Abstimmungsergebnisse", Procedure())
    assert (mapped.outcome, mapped.reason) == (None, "the result is only in a document")


# -- the command ---------------------------------------------------------------------------------


def test_the_command_prints_a_summary_and_writes_the_report(
    ka: WorkflowService, tmp_path: Path
) -> None:
    report_file = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli,
        ["oparl", "import", str(KA), "--report", str(report_file)],
        obj=ka,
        env={"RATSWEG_USER": "admin"},
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"OParl 1.1 aus {KA}: 4 importiert, 0 aktualisiert, 0 unverändert, 1 gemeldet; "
        "9 Sitzungen angelegt, 0 gelöschte Objekte übergangen"
    )
    data = json.loads(report_file.read_text(encoding="utf-8"))
    assert (data["imported"], data["reported"]) == (4, 1)
    reported = [p for p in data["papers"] if p["status"] == "reported"]
    assert [p["reference"] for p in reported] == ["2026/0268"]


def test_generating_definitions_refuses_to_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "definitions"
    generate_definitions(read_source(str(HW)), folder)
    with pytest.raises(InvalidInput, match="enthält bereits Definitionen"):
        generate_definitions(read_source(str(HW)), folder)
    with pytest.raises(InvalidInput, match="geben Sie --name 'Stadt X' und --state XX an"):
        generate_definitions(read_source(str(KA)), tmp_path / "ka")


def test_only_an_admin_imports(ka: WorkflowService, database: Database) -> None:
    before = snapshot(database)
    result = CliRunner().invoke(
        cli, ["oparl", "import", str(KA)], obj=ka, env={"RATSWEG_USER": "sitzungsdienst"}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Fehler: 'sitzungsdienst' hat keine Berechtigung für ")
    assert "Ratsdaten aus einem anderen System importieren" in result.stderr
    assert "admin" in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(database) == before
