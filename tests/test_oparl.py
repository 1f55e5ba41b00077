"""OParl 1.1 publication: the exported tree and the served API hold only the public record,
validate against the OParl schemas and client rules, and agree with each other."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import FIXTURES
from workflow.cli import cli
from workflow.core.clock import BERLIN
from workflow.core.model import VoteCount
from workflow.definitions import resolve_definitions_dir
from workflow.oparl.export import export_tree
from workflow.oparl.server import make_server
from workflow.oparl.validate import check_object, validate_path
from workflow.service import WorkflowService

BASE = "https://ris.example.org/oparl"
CLERK, HEAD, SESSION = "sozialamt.weber", "sozialamt.leitung", "sitzungsdienst.becker"
SECRET = "SECRET"  # every non-public field below carries it; no published byte may
D = dt.date


def _paper(service: WorkflowService, title: str, **kw: Any) -> str:
    fields: dict[str, Any] = {
        "user": CLERK,
        "paper_type": "sitzungsvorlage",
        "office": "sozialamt",
        "date": D(2011, 11, 23),
    }
    return service.papers.create_paper(title=title, **(fields | kw)).number


def _release(service: WorkflowService, number: str) -> None:
    service.papers.submit_paper(number, user=CLERK)
    service.papers.release_paper(number, user=HEAD)


@pytest.fixture
def council(landau: WorkflowService, tmp_path: Path) -> dict[str, Any]:
    """Landau's Integrationskonzept through a Stadtrat meeting, plus papers nobody may see."""
    service = landau
    public = _paper(
        service,
        "Integrationskonzept der Stadt Landau in der Pfalz",
        route="integration",
        text="Der Stadtrat beschließt das beigefügte Integrationskonzept.",
    )
    concept, annex = tmp_path / "Konzept.txt", tmp_path / f"{SECRET}-anlage-name.txt"
    concept.write_text("Integrationskonzept (öffentlich)", encoding="utf-8")
    annex.write_text(f"{SECRET}-anlage-inhalt", encoding="utf-8")
    service.attachments.attach_file(public, concept, user=CLERK)
    service.attachments.attach_file(public, annex, user=CLERK, public=False)
    _release(service, public)
    service.results.record_result(  # Stadtvorstand: non-public by its definitions
        public,
        user=SESSION,
        position=1,
        outcome="mit_aenderungen_empfohlen",
        date=D(2011, 11, 14),
        label=f"{SECRET}-ergebnis",
        amended_text=f"{SECRET}-geaenderter-text",
        note=f"{SECRET}-notiz",
        votes=[VoteCount(yes=3, no=1, label=f"{SECRET}-label", raw=f"{SECRET}-roh")],
    )
    for position, day in ((2, 17), (3, 17), (4, 29)):
        service.results.record_result(
            public, user=SESSION, position=position, outcome="empfohlen", date=D(2011, 11, day)
        )
    for position, day in ((5, 7), (6, 8)):
        service.results.record_result(
            public, user=SESSION, position=position, outcome="empfohlen", date=D(2011, 12, day)
        )
    meeting = service.meetings.create_meeting(
        user=SESSION,
        organization="stadtrat",
        start=dt.datetime(2011, 12, 13, 17, 0, tzinfo=BERLIN),
        end=dt.datetime(2011, 12, 13, 20, 0, tzinfo=BERLIN),
        location="Ratssaal",
    ).id
    service.agendas.add_agenda_item(meeting, user=SESSION, title="Mitteilungen")
    service.agendas.schedule_into_meeting(public, user=SESSION, position=7, meeting_id=meeting)
    service.agendas.add_agenda_item(meeting, user=SESSION, title=f"{SECRET}-top", public=False)
    service.meetings.invite_meeting(meeting, user=SESSION)
    service.meetings.hold_meeting(meeting, user=SESSION)
    service.results.record_result(
        public,
        user=SESSION,
        position=7,
        outcome="beschlossen",
        label="einstimmig beschlossen",
        votes=[VoteCount(yes=39, no=0, abstain=4, biased=0, label="einstimmig")],
    )
    draft = _paper(service, f"{SECRET}-entwurf", text=f"{SECRET}-entwurfstext")
    service.attachments.attach_file(
        draft, concept, user=CLERK
    )  # public, but the paper is not released
    closed = _paper(service, f"{SECRET}-nichtoeffentlich", text=f"{SECRET}-text")
    service.paths.add_consultation(
        closed, user=CLERK, organization="stadtrat", role="entscheidung", public=False
    )
    _release(service, closed)
    planned = service.meetings.create_meeting(  # not invited: its agenda is not published yet
        user=SESSION, organization="hauptausschuss", start=dt.datetime(2012, 1, 10, tzinfo=BERLIN)
    ).id
    service.agendas.add_agenda_item(planned, user=SESSION, title=f"{SECRET}-noch-nicht-eingeladen")
    return {"service": service, "paper": public, "meeting": meeting}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _load(root: Path, path: str) -> Any:
    return json.loads((root / f"{path}.json").read_text(encoding="utf-8"))


def test_export_holds_only_the_public_record_and_validates(
    council: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "tree"
    summary = export_tree(council["service"].shared, out, BASE, page_size=2)
    files = _files(out)
    assert not [name for name, data in files.items() if SECRET.encode() in data]
    assert not [name for name in files if SECRET in name]
    report = validate_path(out)
    assert report.problems == []
    assert (summary.files, report.files) == (2, len(files) - 2)

    papers = _load(out, "body/landau/paper")
    assert papers["pagination"]["totalElements"] == 1
    paper = papers["data"][0]
    assert paper == _load(out, paper["id"].removeprefix(BASE + "/"))
    assert paper["reference"] == council["paper"]
    steps = paper["consultation"]
    assert [(s["role"], s["authoritative"]) for s in steps] == [("Vorberatung", False)] * 5 + [
        ("Entscheidung", True)
    ]
    assert [s["organization"][0].rsplit("/", 1)[1] for s in steps] == [
        "beirat_migration",
        "sozialausschuss",
        "hauptausschuss",
        "jugendhilfe_sozialausschuss",
        "beirat_migration",
        "stadtrat",
    ]
    assert (
        paper["mainFile"]["text"] == "Der Stadtrat beschließt das beigefügte Integrationskonzept."
    )
    assert [f["name"] for f in paper["auxiliaryFile"]] == ["Konzept.txt"]

    meeting = _load(out, f"body/landau/meeting/{council['meeting']}")
    assert (meeting["start"], meeting["end"]) == (
        "2011-12-13T17:00:00+01:00",
        "2011-12-13T20:00:00+01:00",
    )
    assert meeting["meetingState"] == "durchgeführt"
    assert meeting["location"]["description"] == "Ratssaal"
    items = meeting["agendaItem"]
    assert [(i["order"], i["number"], i["name"]) for i in items] == [
        (0, "Ö 1", "Mitteilungen"),
        (1, "Ö 2", "Integrationskonzept der Stadt Landau in der Pfalz"),
    ]
    decided = items[1]
    assert decided["consultation"] == steps[-1]["id"]
    assert steps[-1]["agendaItem"] == decided["id"] and steps[-1]["meeting"] == meeting["id"]
    assert decided["result"] == "einstimmig beschlossen"
    assert decided["resolutionText"] == (
        "Hauptantrag: einstimmig; Ja 39, Nein 0, Enthaltungen 4, Befangen 0"
    )
    for document in (paper, meeting):
        assert dt.datetime.fromisoformat(document["modified"]) >= dt.datetime.fromisoformat(
            document["created"]
        )


def test_lists_page_with_absolute_links_and_person_is_present(
    council: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "tree"
    export_tree(council["service"].shared, out, BASE, page_size=4)
    first = _load(out, "body/landau/organization")
    assert first["pagination"] == {
        "totalElements": 9,
        "elementsPerPage": 4,
        "currentPage": 1,
        "totalPages": 3,
    }
    assert first["links"]["next"] == f"{BASE}/body/landau/organization/page-2"
    last = _load(out, "body/landau/organization/page-3")
    assert "next" not in last["links"] and len(last["data"]) == 1
    gremien = {o["name"]: o["organizationType"] for o in first["data"]}
    assert gremien["Stadtvorstand"] == "Gremium"
    office = _load(out, "body/landau/organization/sozialamt")
    assert (office["organizationType"], office["classification"]) == ("Referat", "Amt")
    persons = _load(out, "body/landau/person")
    assert persons["data"] == [] and persons["pagination"]["totalElements"] == 0
    system = _load(out, "system")
    assert system["body"] == f"{BASE}/bodies"
    body = _load(out, "bodies")["data"][0]
    assert (body["id"], body["system"], body["legislativeTerm"]) == (
        f"{BASE}/body/landau",
        f"{BASE}/system",
        [],
    )


@pytest.fixture
def served(council: dict[str, Any]) -> Iterator[str]:
    server = make_server(council["service"].shared, "127.0.0.1", 0, page_size=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def _urls(document: Any) -> Iterator[str]:
    if isinstance(document, dict):
        for value in document.values():
            yield from _urls(value)
    elif isinstance(document, list):
        for value in document:
            yield from _urls(value)
    elif isinstance(document, str) and document.startswith("http"):
        yield document


def test_served_api_over_http_matches_the_export_and_hides_the_rest(
    council: dict[str, Any], served: str, tmp_path: Path
) -> None:
    """Crawl everything reachable from /system, write it as a tree, compare, validate."""
    crawled, queue = tmp_path / "crawled", [f"{served}/system"]
    seen: set[str] = set()
    while queue:
        url = queue.pop()
        if url in seen or not url.startswith(served):
            continue
        seen.add(url)
        status, kind, data = _get(url)
        assert status == 200, (url, data)
        assert SECRET.encode() not in data, url
        path = url.removeprefix(served + "/")
        if kind.startswith("application/json"):
            (crawled / f"{path}.json").parent.mkdir(parents=True, exist_ok=True)
            (crawled / f"{path}.json").write_bytes(data)
            queue.extend(_urls(json.loads(data)))
        else:
            (crawled / path).parent.mkdir(parents=True, exist_ok=True)
            (crawled / path).write_bytes(data)
    assert validate_path(crawled).problems == []
    exported = tmp_path / "exported"
    export_tree(council["service"].shared, exported, served, page_size=2)
    assert _files(crawled) == _files(exported)


def test_served_lists_filter_by_modified_since_and_refuse_nonsense(served: str) -> None:
    since = "2999-01-01T00:00:00%2B00:00"
    status, _, data = _get(f"{served}/body/landau/organization?modified_since={since}")
    page = json.loads(data)
    assert (status, page["data"], page["pagination"]["totalElements"]) == (200, [], 0)
    status, _, data = _get(f"{served}/body/landau/organization?modified_since=2000-01-01T00:00:00")
    assert status == 400 and b"ist kein Zeitpunkt mit Zeitzonenversatz" in data
    status, _, data = _get(
        f"{served}/body/landau/organization?modified_since=2000-01-01T00:00:00%2B00:00"
    )
    page = json.loads(data)
    assert page["links"]["next"] == (
        f"{served}/body/landau/organization/page-2?modified_since=2000-01-01T00%3A00%3A00%2B00%3A00"
    )
    assert _get(f"{served}/body/landau/paper/999")[0] == 404
    assert _get(f"{served}/body/landau/paper/page-9")[0] == 404
    with urllib.request.urlopen(f"{served}/", timeout=10) as answer:
        assert json.loads(answer.read())["id"] == f"{served}/system"


TOMBSTONE_KEYS = {"id", "type", "created", "modified", "deleted"}


def test_what_was_published_and_is_gone_stays_as_a_tombstone(
    council: dict[str, Any], served: str, tmp_path: Path
) -> None:
    service, clock = council["service"], council["service"].clock
    title = "Radverkehrskonzept Queichtal"
    number = _paper(service, title, text="Der Stadtrat beschließt das Radverkehrskonzept.")
    for organization, role in (
        ("hauptausschuss", "vorberatung"),
        ("sozialausschuss", "vorberatung"),
        ("stadtrat", "entscheidung"),
    ):
        service.paths.add_consultation(
            number, user=CLERK, organization=organization, role=role, public=True
        )
    _release(service, number)
    meeting = service.meetings.create_meeting(
        user=SESSION,
        organization="hauptausschuss",
        start=dt.datetime(2025, 4, 1, 17, tzinfo=BERLIN),
    ).id
    service.agendas.schedule_into_meeting(number, user=SESSION, position=1, meeting_id=meeting)
    service.meetings.invite_meeting(meeting, user=SESSION)
    before = tmp_path / "before"
    export_tree(service.shared, before, BASE, page_size=100)
    paper = next(p for p in _load(before, "body/landau/paper")["data"] if p["reference"] == number)
    first, removed, _ = (c["id"].removeprefix(BASE + "/") for c in paper["consultation"])
    item = _load(before, first)["agendaItem"].removeprefix(BASE + "/")
    paper_path = paper["id"].removeprefix(BASE + "/")
    text_file = paper["mainFile"]["id"].removeprefix(BASE + "/")

    clock.instant += dt.timedelta(days=1)  # a step removed from the path after the release
    service.paths.remove_consultation(number, user=SESSION, position=2, reason="nicht zuständig")
    middle = tmp_path / "middle"
    export_tree(service.shared, middle, BASE, page_size=100)
    assert validate_path(middle).problems == []
    tombstone = _load(middle, removed)
    assert set(tombstone) == TOMBSTONE_KEYS and tombstone["deleted"] is True
    assert tombstone["modified"] == "2025-03-11T10:00:00+01:00"
    assert _load(middle, paper_path)["modified"] == tombstone["modified"]  # the parent too
    assert removed not in json.dumps(_load(middle, paper_path))

    clock.instant += dt.timedelta(days=1)  # withdrawn: the paper and its TOP leave the record
    service.papers.withdraw_paper(number, user=HEAD, reason="zurückgezogen")
    after = tmp_path / "after"
    export_tree(service.shared, after, BASE, page_size=100)
    assert validate_path(after).problems == []
    withdrawn = "2025-03-12T10:00:00+01:00"
    for path, kind in (
        (paper_path, "Paper"),
        (first, "Consultation"),
        (item, "AgendaItem"),
        (text_file, "File"),
    ):
        gone = _load(after, path)
        assert set(gone) == TOMBSTONE_KEYS and gone["type"].endswith(kind), path
        assert gone["modified"] == withdrawn and title not in json.dumps(gone)
    assert _load(after, f"body/landau/meeting/{meeting}")["modified"] == withdrawn
    assert "agendaItem" not in _load(after, f"body/landau/meeting/{meeting}")
    listed = [p["id"] for p in _load(after, "body/landau/paper")["data"]]
    assert f"{BASE}/{paper_path}" not in listed  # a full list holds only what exists
    assert not list((after / "download").rglob(f"{_safe_number(number)}*"))

    status, _, data = _get(f"{served}/{paper_path}")
    assert status == 200 and json.loads(data)["deleted"] is True
    since = "2025-03-12T00:00:00%2B00:00"
    status, _, data = _get(f"{served}/body/landau/paper?modified_since={since}")
    assert [(p["id"], p.get("deleted")) for p in json.loads(data)["data"]] == [
        (f"{served}/{paper_path}", True)
    ]


def _safe_number(number: str) -> str:
    return number.replace("/", "-")


def test_every_shipped_municipality_exports_a_valid_tree(
    landau: WorkflowService, tmp_path: Path
) -> None:
    for name in ("herzogenrath", "voelklingen"):
        landau.bodies.load_definitions(resolve_definitions_dir(name), user=None)
    out = tmp_path / "tree"
    export_tree(landau.shared, out, BASE, page_size=3)
    assert validate_path(out).problems == []
    bodies = _load(out, "bodies")
    assert [b["id"].rsplit("/", 1)[1] for b in bodies["data"][:3]] == [
        "herzogenrath",
        "landau",
    ] + [b["id"].rsplit("/", 1)[1] for b in bodies["data"][2:3]]
    assert bodies["pagination"]["totalElements"] == 3
    landau_body = _load(out, "body/landau")
    assert (landau_body["ags"], "rgs" in landau_body) == ("07313000", False)  # no ars configured
    assert _load(out, "body/herzogenrath")["ags"] == "05334016"
    assert _load(out, "body/voelklingen")["ags"] == "10041519"


def test_long_names_are_cut_to_what_clients_store_and_long_base_urls_refused(
    council: dict[str, Any], tmp_path: Path
) -> None:
    service = council["service"]
    annex = tmp_path / ("Stellungnahme-des-Beirats-für-Migration-und-Integration-" * 4 + ".pdf")
    annex.write_bytes(b"%PDF-1.4")
    service.attachments.attach_file(council["paper"], annex, user=SESSION)
    base = "https://ris.example.org/" + "oparl/" * 20
    out = tmp_path / "tree"
    export_tree(service.shared, out, base.rstrip("/"), page_size=100)
    assert validate_path(out).problems == []
    [paper] = _load(out, "body/landau/paper")["data"]
    attached = [f for f in paper["auxiliaryFile"] if f["mimeType"] == "application/pdf"]
    [long_file] = attached
    assert len(long_file["name"]) == 200 and long_file["name"].endswith("…")
    assert len(long_file["accessUrl"]) <= 255 and long_file["accessUrl"].endswith(".pdf")
    result = run(service, "oparl", "export", str(tmp_path / "refused"), "--base-url", base * 2)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "ist länger als 255 Zeichen, was OParl-Clients nicht speichern können" in result.stderr
    assert not (tmp_path / "refused").exists()


def test_validator_checks_the_lengths_clients_store() -> None:
    stamp = "2025-01-01T00:00:00+01:00"
    paper = {
        "id": f"{BASE}/p",
        "type": "https://schema.oparl.org/1.1/Paper",
        "reference": "R" * 51,
        "auxiliaryFile": [
            {
                "id": f"{BASE}/f",
                "type": "https://schema.oparl.org/1.1/File",
                "name": "n" * 201,
                "accessUrl": f"{BASE}/{'x' * 250}",
                "created": stamp,
                "modified": stamp,
            }
        ],
        "created": stamp,
        "modified": stamp,
    }
    assert [(p.path, p.message) for p in check_object(paper, "x")] == [
        ("/reference", "ist länger als 50 Zeichen"),
        ("/auxiliaryFile/0/name", "ist länger als 200 Zeichen"),
        ("/auxiliaryFile/0/accessUrl", "ist eine URL mit mehr als 255 Zeichen"),
    ]


# -- the validator -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bonn-allris-body-1.1-invalid-tz.json", "/created: '2019-12-15T05:01:23+01::00' is not"),
        ("leipzig-sessionnet-body-1.0.json", "/created: '' is not a 'date-time'"),
    ],
)
def test_validator_rejects_the_invalid_real_bodies(name: str, expected: str) -> None:
    report = validate_path(FIXTURES / "oparl" / name)
    assert not report.ok
    assert any(expected in str(p) for p in report.problems), report.problems


def test_validator_accepts_the_spec_example() -> None:
    assert validate_path(FIXTURES / "oparl" / "spec-example-System-01.json").problems == []


def test_validator_finds_what_breaks_a_tree(council: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "tree"
    export_tree(council["service"].shared, out, BASE, page_size=100)
    target = out / f"body/landau/meeting/{council['meeting']}.json"
    meeting = json.loads(target.read_text(encoding="utf-8"))
    item = meeting["agendaItem"][1]
    item["consultation"] = f"{BASE}/body/landau/consultation/999"
    item["name"] = ""
    item["created"] = "2011-12-13T17:00:00Z"
    del meeting["agendaItem"][0]["modified"]
    meeting["end"] = "2011-12-13T16:00:00+01:00"
    target.write_text(json.dumps(meeting), encoding="utf-8")
    step_file = next((out / "body/landau/consultation").glob("*.json"))
    step = json.loads(step_file.read_text(encoding="utf-8"))
    step["agendaItem"] = meeting["agendaItem"][0]["id"]
    step_file.write_text(json.dumps(step), encoding="utf-8")
    found = {(p.where, p.path, p.message) for p in validate_path(out).problems}
    where = f"body/landau/meeting/{council['meeting']}.json"
    assert (where, "/agendaItem/1/created", "'2011-12-13T17:00:00Z' is not a 'date-time'") in found
    assert (where, "/agendaItem/1/name", 'ist leer (""); lassen Sie es weg') in found
    assert (
        where,
        "/agendaItem/0/modified",
        "fehlt (jedes Objekt braucht created und modified)",
    ) in found
    assert (
        where,
        "/end",
        "2011-12-13T16:00:00+01:00 liegt vor dem Beginn 2011-12-13T17:00:00+01:00",
    ) in found
    messages = [m for _, _, m in found]
    assert f"'{BASE}/body/landau/consultation/999' führt zu keinem Objekt" in messages
    assert any(m.endswith("verweist nicht zurück (seine consultation ist None)") for m in messages)
    assert any(m.endswith("weicht vom Objekt unter seiner URL ab") for m in messages)


def test_check_object_flags_unknown_keys_but_accepts_vendor_keys() -> None:
    obj = {
        "id": f"{BASE}/x",
        "type": "https://schema.oparl.org/1.1/Organization",
        "nmae": "Tippfehler",
        "ratsweg:note": "ok",
        "created": "2025-01-01T00:00:00+01:00",
        "modified": "2025-01-01T00:00:00+01:00",
    }
    assert [(p.path, p.message) for p in check_object(obj, "x")] == [
        ("/nmae", "ist keine Eigenschaft von Organization")
    ]


# -- the command line ---------------------------------------------------------------------------


def run(service: WorkflowService, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": "rpa.schulz"})


def test_cli_export_and_validate(council: dict[str, Any], tmp_path: Path) -> None:
    service, out = council["service"], tmp_path / "tree"
    result = run(service, "oparl", "export", str(out), "--base-url", BASE + "/")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"25 Objekte, 5 Listenseiten und 2 Dateien nach {out} exportiert\n"
    assert _load(out, "system")["id"] == f"{BASE}/system"
    checked = run(service, "oparl", "validate", str(out))
    assert checked.exit_code == 0 and checked.stdout == ""
    assert checked.stderr.startswith("gültig: ")
    bad = run(
        service, "oparl", "validate", str(FIXTURES / "oparl" / "leipzig-sessionnet-body-1.0.json")
    )
    assert bad.exit_code == 1
    assert "leipzig-sessionnet-body-1.0.json: /created: '' is not a 'date-time'" in bad.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--base-url", "ris.example.org"],
            "ist keine Basis-URL; geben Sie --base-url wie https://",
        ),
        (["--base-url", "https://x.org/?a=1"], "ist keine Basis-URL"),
        (["--base-url", "http://x.org:99999"], "hat einen ungültigen Port"),
    ],
)
def test_cli_export_refuses_bad_base_urls(
    landau: WorkflowService, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(landau, "oparl", "export", str(tmp_path / "tree"), *args)
    assert result.exit_code == 1 and message in result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "tree").exists()


def test_cli_export_never_writes_into_a_used_directory(
    landau: WorkflowService, tmp_path: Path
) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("x", encoding="utf-8")
    result = run(landau, "oparl", "export", str(used), "--base-url", BASE)
    assert result.exit_code == 1
    assert result.stderr.partition(": ")[2] == (
        f"{str(used)!r} gibt es schon, und es ist kein leerer Ordner; wählen Sie ein neues OUT_DIR\n"
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".oparl-")]
    assert [p.name for p in used.iterdir()] == ["keep.txt"]
    shutil.rmtree(used)


def test_a_superseded_paper_keeps_answering_as_itself_and_its_steps_until_the_supplement(
    council: dict[str, Any], served: str, tmp_path: Path
) -> None:
    """Every public step went on to an Ergänzungsvorlage: the paper stays as itself (no step of
    its own left), its steps and their TOP are tombstones until the supplement is released,
    then they are the supplement's, at the same URLs."""
    service, clock = council["service"], council["service"].clock
    title = "Spielplatz Westpark"
    number = _paper(service, title, text="Der Stadtrat beschließt den Spielplatz.")
    for organization, role in (("hauptausschuss", "vorberatung"), ("stadtrat", "entscheidung")):
        service.paths.add_consultation(
            number, user=CLERK, organization=organization, role=role, public=True
        )
    _release(service, number)
    meeting = service.meetings.create_meeting(
        user=SESSION,
        organization="hauptausschuss",
        start=dt.datetime(2025, 4, 1, 17, tzinfo=BERLIN),
    ).id
    service.agendas.schedule_into_meeting(number, user=SESSION, position=1, meeting_id=meeting)
    service.meetings.invite_meeting(meeting, user=SESSION)
    before = tmp_path / "before"
    export_tree(service.shared, before, BASE, page_size=100)
    paper = next(p for p in _load(before, "body/landau/paper")["data"] if p["reference"] == number)
    paper_path = paper["id"].removeprefix(BASE + "/")
    steps = [c["id"].removeprefix(BASE + "/") for c in paper["consultation"]]
    item = _load(before, steps[0])["agendaItem"].removeprefix(BASE + "/")

    clock.instant += dt.timedelta(days=1)
    supplement = service.supplements.create_supplement(
        number, user=CLERK, reason="Kosten aktualisiert", date=D(2025, 3, 12)
    ).number
    draft = tmp_path / "draft"
    export_tree(service.shared, draft, BASE, page_size=100)
    assert validate_path(draft).problems == []
    kept = _load(draft, paper_path)
    assert (kept["name"], kept["reference"], kept.get("deleted")) == (title, number, None)
    assert "consultation" not in kept and kept["mainFile"]["id"] == paper["mainFile"]["id"]
    handed_over = "2025-03-11T10:00:00+01:00"
    assert kept["modified"] == handed_over
    listed = [p["id"] for p in _load(draft, "body/landau/paper")["data"]]
    assert paper["id"] in listed
    assert not any(supplement in json.dumps(p) for p in _load(draft, "body/landau/paper")["data"])
    for path in [*steps, item]:
        gone = _load(draft, path)
        assert set(gone) == TOMBSTONE_KEYS and gone["modified"] == handed_over, path
    assert "agendaItem" not in _load(draft, f"body/landau/meeting/{meeting}")
    status, _, data = _get(f"{served}/{paper_path}")
    assert status == 200 and json.loads(data)["name"] == title
    status, _, data = _get(f"{served}/{steps[1]}")
    assert status == 200 and json.loads(data)["deleted"] is True

    _release(service, supplement)
    released = tmp_path / "released"
    export_tree(service.shared, released, BASE, page_size=100)
    assert validate_path(released).problems == []
    assert _load(released, paper_path)["name"] == title
    for path in steps:
        step = _load(released, path)
        assert step.get("deleted") is None and step["paper"] != paper["id"], path
    assert _load(released, item)["consultation"] == f"{BASE}/{steps[0]}"


def test_served_files_never_carry_a_stored_media_type_into_headers_unchecked(
    council: dict[str, Any], served: str
) -> None:
    """A media type stored before input was checked (or written around the service) must not
    reach the Content-Type header: it is sent as application/octet-stream."""
    from sqlalchemy import update

    from storage.schema import Attachment

    with council["service"].db.write() as session:
        session.execute(
            update(Attachment)
            .where(Attachment.file_name == "Konzept.txt")
            .values(media_type="text/html\r\nSet-Cookie: session=stolen")
        )
    _, _, data = _get(f"{served}/body/landau/paper")
    files = [f for p in json.loads(data)["data"] for f in p.get("auxiliaryFile", [])]
    [concept] = [f for f in files if f["name"] == "Konzept.txt"]
    with urllib.request.urlopen(concept["accessUrl"], timeout=10) as answer:
        assert answer.headers["Content-Type"] == "application/octet-stream"
        assert answer.headers.get("Set-Cookie") is None
        assert answer.read() == "Integrationskonzept (öffentlich)".encode()
