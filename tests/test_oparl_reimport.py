"""Running ``ratsweg oparl import`` again while the old system is still in use: papers imported
before are brought forward with what their source has now, never rewritten. On the real data
of Karlsruhe and Hürtgenwald (tests/fixtures/oparl/real) and on a small synthetic source."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from storage.session import Database
from tests.test_oparl_import import HW, KA, municipality, reasons, run_import, snapshot
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.model import Outcome
from workflow.oparl.importer import ImportReport
from workflow.service import WorkflowService

KA_API = "https://web1.karlsruhe.de/oparl/bodies/0001"
BEFORE_COUNCIL = dt.datetime(2026, 7, 20, 8, tzinfo=dt.UTC)  # HFA on 14.07., GR on 28.07.
AFTER_SUMMER = dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)


def edit_json(path: Path, change: Callable[[Any], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def drop_result(item_id: str) -> Callable[[Any], None]:
    """The state of the source before the item's meeting took place: no result yet."""

    def change(data: Any) -> None:
        meetings = data.get("data", [data])
        items = [i for m in meetings for i in m.get("agendaItem", []) if i["id"] == item_id]
        assert len(items) == 1, item_id
        items[0].pop("result")

    return change


def copy_of(folder: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(folder, target)
    return target


def by_reference(report: ImportReport) -> dict[str, Any]:
    return {p.reference or p.oparl_id: p for p in report.papers}


@pytest.fixture
def ka(database: Database, clock: FixedClock, tmp_path: Path) -> WorkflowService:
    clock.instant = AFTER_SUMMER
    return municipality(database, clock, tmp_path, KA, name="Stadt Karlsruhe", state="BW")


@pytest.fixture
def ka_before_council(tmp_path: Path) -> Path:
    """Karlsruhe as its system showed it on 20.07.2026: the Gemeinderat of 28.07. invited,
    2026/0435 recommended by the Haupt- und Finanzausschuss, its Entscheidung still open."""
    folder = copy_of(KA, tmp_path, "ka-july")
    meeting = folder / "meetings" / "10566.json"
    edit_json(meeting, drop_result(f"{KA_API}/agendaitems/102463"))
    return folder


# -- a paper in progress is brought forward -------------------------------------------------


def test_the_decision_recorded_in_the_old_system_later_is_brought_forward(
    ka: WorkflowService, database: Database, clock: FixedClock, ka_before_council: Path
) -> None:
    clock.instant = BEFORE_COUNCIL
    first = run_import(ka, str(ka_before_council))
    assert by_reference(first)["2026/0435"].status == "imported"
    pending = ka.papers.get_paper("2026/0435")
    assert pending.state == "in_consultation"
    assert [(c.outcome, c.state) for c in pending.consultations] == [
        (Outcome.EMPFOHLEN, "held"),
        (None, "scheduled"),
    ]
    events_before = len(ka.audit.audit_trail("2026/0435"))

    clock.instant = AFTER_SUMMER + dt.timedelta(days=7)
    second = run_import(ka, str(KA))
    papers = by_reference(second)
    updated = papers["2026/0435"]
    assert (updated.status, updated.state) == ("updated", "adopted")
    assert updated.changes == (
        "Beratung 2 (Gemeinderat am 28.07.2026): Ergebnis 'mehrheitlich beschlossen'",
    )
    assert {p.status for r, p in papers.items() if r != "2026/0435"} <= {"unchanged", "reported"}
    assert (second.count("updated"), second.count("unchanged"), second.meetings_created) == (
        1,
        3,
        0,
    )
    decided = ka.papers.get_paper("2026/0435")
    assert decided.consultations[1].outcome is Outcome.BESCHLOSSEN
    assert decided.consultations[1].result_label == "mehrheitlich beschlossen"

    new_events = ka.audit.audit_trail("2026/0435")[events_before:]
    assert {e.actor for e in new_events} == {"import"}
    result = next(e for e in new_events if e.action == "result_recorded")
    assert result.payload["oparl_id"] == f"{KA_API}/agendaitems/102463"
    assert result.payload["source"] == str(KA / "meetings" / "10566.json")
    assert result.payload["note"] == f"importiert: {KA_API}/agendaitems/102463"
    assert ka.audit.verify_audit().ok
    assert [(r.paper_number, r.difference) for r in ka.audit.replay_audit() if not r.ok] == []

    # a third run finds nothing new and changes nothing
    before = snapshot(database)
    third = run_import(ka, str(KA))
    assert snapshot(database) == before
    assert (third.count("updated"), third.count("unchanged")) == (0, 4)
    assert reasons(third) == reasons(second)


def test_huertgenwald_council_result_added_later_decides_the_paper(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    hw = municipality(database, clock, tmp_path, HW)
    earlier = copy_of(HW, tmp_path, "hw-june")
    meetings = earlier / "meeting-list-page-15.json"
    api = "https://sdnetrim.kdvz-frechen.de/rim4220/webservice/oparl/v1.0/body/1"
    edit_json(meetings, drop_result(f"{api}/agendaitem/9935"))
    first = run_import(hw, str(earlier))
    assert first.count("imported") == 31
    assert hw.papers.get_paper("103/2021").state == "in_consultation"

    second = run_import(hw, str(HW))
    assert (second.count("imported"), second.count("updated"), second.count("unchanged")) == (
        0,
        1,
        30,
    )
    assert reasons(second) == reasons(first)  # the 9 reported then are reported again
    paper = hw.papers.get_paper("103/2021")
    assert paper.state == "adopted"
    assert paper.consultations[1].result_label == "einstimmig, ohne Enthaltung"
    assert [(r.paper_number, r.difference) for r in hw.audit.replay_audit() if not r.ok] == []


def synthetic(folder: Path, consultations: list[tuple[str, str | None, str | None]]) -> Path:
    """A small OParl 1.1 source: one Beschlussvorlage whose Beratungsfolge is
    ``(organization, meeting start or None, result or None)``, each meeting of its own."""
    api = "https://ris.example.org/oparl"
    t = "https://schema.oparl.org/1.1/"
    folder.mkdir()
    orgs = {
        "ausschuss": "Bauausschuss",
        "rat": "Gemeinderat",
        "amt": "Bauamt",
    }
    organizations = [
        {
            "id": f"{api}/org/{key}",
            "type": f"{t}Organization",
            "name": name,
            "organizationType": "Verwaltungsbereich" if key == "amt" else "Gremium",
        }
        for key, name in orgs.items()
    ]
    (folder / "organizations.json").write_text(json.dumps(organizations), encoding="utf-8")
    entries = []
    for index, (org, start, result) in enumerate(consultations, start=1):
        consultation: dict[str, Any] = {
            "id": f"{api}/consultation/{index}",
            "type": f"{t}Consultation",
            "organization": [f"{api}/org/{org}"],
            "paper": f"{api}/paper/1",
        }
        if start is not None:
            item: dict[str, Any] = {
                "id": f"{api}/item/{index}",
                "type": f"{t}AgendaItem",
                "number": "1",
                "name": "Neubau Feuerwehrhaus",
                "public": True,
                "consultation": consultation["id"],
            }
            if result is not None:
                item["result"] = result
            meeting = {
                "id": f"{api}/meeting/{index}",
                "type": f"{t}Meeting",
                "name": f"Sitzung {index}",
                "start": start,
                "organization": [f"{api}/org/{org}"],
                "agendaItem": [item],
            }
            (folder / f"meeting-{index}.json").write_text(json.dumps(meeting), encoding="utf-8")
            consultation |= {"meeting": meeting["id"], "agendaItem": item["id"]}
        entries.append(consultation)
    paper = {
        "id": f"{api}/paper/1",
        "type": f"{t}Paper",
        "name": "Neubau Feuerwehrhaus",
        "reference": "2026/17",
        "paperType": "Beschlussvorlage",
        "date": "2026-02-02",
        "underDirectionOf": [f"{api}/org/amt"],
        "consultation": entries,
    }
    (folder / "paper.json").write_text(json.dumps(paper), encoding="utf-8")
    return folder


def test_a_repeated_step_and_new_meetings_are_brought_forward(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    clock.instant = AFTER_SUMMER
    march = synthetic(
        tmp_path / "march",
        [("ausschuss", "2026-03-10T17:00:00+01:00", "vertagt"), ("rat", None, None)],
    )
    service = municipality(database, clock, tmp_path, march, name="Gemeinde X", state="BW")
    assert run_import(service, str(march)).count("imported") == 1
    assert [
        (c.organization_name, c.outcome) for c in service.papers.get_paper("2026/17").consultations
    ] == [
        ("Bauausschuss", Outcome.VERTAGT),
        ("Bauausschuss", None),  # the engine's repeated step
        ("Gemeinderat", None),
    ]
    april = synthetic(
        tmp_path / "april",
        [
            ("ausschuss", "2026-03-10T17:00:00+01:00", "vertagt"),
            ("ausschuss", "2026-04-14T17:00:00+02:00", "vorberaten ohne Änderungen"),
            ("rat", "2026-04-28T18:00:00+02:00", "einstimmig beschlossen"),
        ],
    )
    report = run_import(service, str(april))
    (paper,) = report.papers
    assert paper.status == "updated" and paper.state == "adopted"
    assert paper.changes == (
        "Beratung 2 (Bauausschuss am 14.04.2026): auf der Tagesordnung von Sitzung 2",
        "Beratung 2 (Bauausschuss am 14.04.2026): Ergebnis 'vorberaten ohne Änderungen'",
        "Beratung 3 (Gemeinderat am 28.04.2026): auf der Tagesordnung von Sitzung 3",
        "Beratung 3 (Gemeinderat am 28.04.2026): Ergebnis 'einstimmig beschlossen'",
    )
    assert report.meetings_created == 2
    assert [(r.paper_number, r.difference) for r in service.audit.replay_audit() if not r.ok] == []
    before = snapshot(database)
    assert run_import(service, str(april)).papers[0].status == "unchanged"
    assert snapshot(database) == before


# -- what the paper has is never rewritten -----------------------------------------------------


def test_a_changed_result_in_the_source_is_reported_and_nothing_changes(
    ka: WorkflowService, database: Database, tmp_path: Path
) -> None:
    run_import(ka, str(KA))
    changed = copy_of(KA, tmp_path, "ka-changed")
    meeting = changed / "meetings" / "10557.json"
    meeting.write_text(
        meeting.read_text(encoding="utf-8").replace(
            '"vorberaten ohne Änderungen"', '"mehrheitlich abgelehnt"', 1
        ),
        encoding="utf-8",
    )
    before = snapshot(database)
    report = run_import(ka, str(changed))
    assert snapshot(database) == before
    reported = by_reference(report)["2026/0435"]
    assert (reported.status, reported.number, reported.state) == (
        "reported",
        "2026/0435",
        "adopted",
    )
    assert reported.reason == (
        "die Quelle widerspricht dem Importierten: Beratung 1 (Haupt- und Finanzausschuss "
        "am 14.07.2026): das Ergebnis ist in ratsweg 'vorberaten ohne Änderungen' (14.07.2026), "
        "in der Quelle 'mehrheitlich abgelehnt'; die Vorlage bleibt, wie sie ist (hat die Quelle "
        "recht, korrigieren Sie die Vorlage in ratsweg)"
    )


def test_a_consultation_gone_from_the_source_is_reported(
    ka: WorkflowService, database: Database, tmp_path: Path
) -> None:
    run_import(ka, str(KA))
    changed = copy_of(KA, tmp_path, "ka-removed")
    edit_json(changed / "papers" / "54277.json", lambda p: p["consultation"].pop(0))
    before = snapshot(database)
    report = run_import(ka, str(changed))
    assert snapshot(database) == before
    reason = reasons(report)["2026/0140"]
    assert reason.startswith(
        "die Quelle widerspricht dem Importierten: Beratung 1 ist in ratsweg eine "
    )
    assert (
        "anhoerung von Ortschaftsrat" in reason and "in der Quelle eine vorberatung von " in reason
    )


def test_a_result_the_clerk_recorded_is_kept_unless_the_source_agrees(
    ka: WorkflowService, database: Database, clock: FixedClock, ka_before_council: Path
) -> None:
    clock.instant = BEFORE_COUNCIL
    run_import(ka, str(ka_before_council))
    clock.instant = AFTER_SUMMER
    ka.results.record_result("2026/0435", user="sitzungsdienst", position=2, outcome="abgelehnt")
    before = snapshot(database)
    report = run_import(ka, str(KA))
    assert snapshot(database) == before
    assert reasons(report)["2026/0435"] == (
        "seit dem Import in ratsweg geändert (result_recorded durch sitzungsdienst am "
        "01.09.2026), und die Quelle weicht ab: Beratung 2 (Gemeinderat am 28.07.2026): das "
        "Ergebnis ist in ratsweg 'abgelehnt' (28.07.2026), in der Quelle 'mehrheitlich "
        "beschlossen'; die Vorlage bleibt, wie sie ist"
    )
    assert ka.papers.get_paper("2026/0435").state == "rejected"


def test_a_clerk_result_the_source_agrees_with_leaves_the_paper_unchanged(
    ka: WorkflowService, database: Database, clock: FixedClock, ka_before_council: Path
) -> None:
    clock.instant = BEFORE_COUNCIL
    run_import(ka, str(ka_before_council))
    clock.instant = AFTER_SUMMER
    ka.results.record_result("2026/0435", user="sitzungsdienst", position=2, outcome="beschlossen")
    before = snapshot(database)
    report = run_import(ka, str(KA))
    assert snapshot(database) == before
    assert by_reference(report)["2026/0435"].status == "unchanged"


def test_the_report_file_lists_updated_papers_with_their_changes(
    ka: WorkflowService, clock: FixedClock, ka_before_council: Path, tmp_path: Path
) -> None:
    clock.instant = BEFORE_COUNCIL
    run_import(ka, str(ka_before_council))
    clock.instant = AFTER_SUMMER
    report_file = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli,
        ["oparl", "import", str(KA), "--report", str(report_file)],
        obj=ka,
        env={"RATSWEG_USER": "admin"},
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "1 aktualisiert, 3 unverändert" in lines[0]
    assert any(
        line.endswith(
            " 2026/0435: Beratung 2 (Gemeinderat am 28.07.2026): Ergebnis 'mehrheitlich beschlossen'"
        )
        for line in lines
    )
    data = json.loads(report_file.read_text(encoding="utf-8"))
    paper = next(p for p in data["papers"] if p["reference"] == "2026/0435")
    assert paper["status"] == "updated" and paper["state"] == "adopted"
    assert paper["changes"] == [
        "Beratung 2 (Gemeinderat am 28.07.2026): Ergebnis 'mehrheitlich beschlossen'"
    ]
