"""Issue 13 item 7: forged events and cut tails. Every municipality, paper and meeting needs a
chain that reaches its stored state (an emptied audit table, a deleted chain or a cut tail is
BROKEN, not "intact"); the worker seals on a schedule into a folder; ``audit verify --seals DIR``
checks every seal there. An event appended with a correct hash after the newest seal cannot be
told from a real one: the README says so, and the seal interval bounds that window."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from storage.audit import append_event
from storage.session import Database
from tests.reminder_fixtures import RecordingNotifier
from tests.test_audit import _tamper, adopted_paper
from tests.test_audit_seal import rewrite_chain, stream_of
from tests.test_trust_replay import _meeting_with_agenda
from workflow.audit.seal import read_seal_dir, seal_file_name
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.model import AuditAction
from workflow.service import WorkflowService
from workflow.worker import Worker, WorkerOptions


def verify_cli(service: WorkflowService, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(
        cli, ["audit", "verify", *args], obj=service, env={"RATSWEG_USER": "auditor"}
    )
    return result.exit_code, result.output.splitlines()


def sealing_worker(service: WorkflowService, folder: Path) -> Worker:
    options = WorkerOptions(seal_dir=str(folder), seal_every=3600, seal_as="auditor")
    return Worker(service, RecordingNotifier(), options)


# -- coverage -------------------------------------------------------------------------------------


def test_an_emptied_audit_table_is_broken_not_intact(
    service: WorkflowService, database: Database
) -> None:
    number = adopted_paper(service)
    adopted_paper(service)
    _tamper(database, "DELETE FROM audit_event")
    report = service.audit.verify_audit()
    assert not report.ok and report.events == 0
    assert (report.broken_stream, report.problem) == ("body:musterstadt", "missing chain")
    assert "(2 weitere ohne vollständige Kette)" in (report.reason or "")
    code, lines = verify_cli(service)
    assert code == 1
    version = service.bodies.list_bodies()[0].definitions_version
    expected = (
        "Prüfkette GEBROCHEN in body:musterstadt bei Ereignis 1: Gemeinde musterstadt hat keine "
        f"Prüfkette: jedes Ereignis von body:musterstadt fehlt (gelöscht); die Datenbank führt "
        f"sie im Status {version!r} (2 weitere ohne vollständige Kette)"
    )
    assert len(lines) == 1 and " body:musterstadt " in lines[0] and lines[0].endswith(expected)
    assert number  # the papers are still there, their chains are not


def test_a_deleted_chain_of_a_paper_is_named(service: WorkflowService, database: Database) -> None:
    adopted_paper(service)
    number = adopted_paper(service)
    stream = stream_of(service, number)
    _tamper(database, f"DELETE FROM audit_event WHERE stream = '{stream}'")
    report = service.audit.verify_audit()
    assert (report.broken_paper, report.broken_stream, report.broken_seq, report.problem) == (
        number,
        stream,
        1,
        "missing chain",
    )
    assert f"Vorlage {number} hat keine Prüfkette" in (report.reason or "")
    assert "im Status 'adopted'" in (report.reason or "")


def test_a_cut_tail_of_a_paper_chain_is_caught(
    service: WorkflowService, database: Database
) -> None:
    number = adopted_paper(service)
    stream = stream_of(service, number)
    trail = service.audit.audit_trail(number)
    last = max(e.seq for e in trail if e.action == AuditAction.PAPER_TRANSITIONED)
    _tamper(database, f"DELETE FROM audit_event WHERE stream = '{stream}' AND seq >= {last}")
    report = service.audit.verify_audit()  # the shortened chain still hashes correctly
    assert (report.broken_paper, report.broken_seq, report.problem) == (
        number,
        last,
        "chain behind the database",
    )
    before = next(e.to_state for e in reversed(trail[: last - 1]) if e.action.startswith("paper_"))
    assert (
        f"Vorlage {number} ist in der Datenbank im Status 'adopted', aber ihre Prüfkette endet "
        f"in {before!r}" in (report.reason or "")
    )
    assert f"hört bei Ereignis {last - 1} auf: spätere Ereignisse wurden gelöscht" in (
        report.reason or ""
    )


def test_a_deleted_or_cut_meeting_chain_is_caught(
    service: WorkflowService, database: Database
) -> None:
    _, meeting_id = _meeting_with_agenda(service)
    stream = f"meeting:{meeting_id}"
    _tamper(database, f"DELETE FROM audit_event WHERE stream = '{stream}' AND seq > 1")
    report = service.audit.verify_audit()  # the meeting's replay no longer reaches its state
    assert (report.broken_stream, report.problem) == (stream, "differs from the database")
    with database.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM audit_event WHERE stream = '{stream}'")
    report = service.audit.verify_audit()
    assert (report.broken_stream, report.problem) == (stream, "missing chain")
    assert f"Sitzung {meeting_id} hat keine Prüfkette" in (report.reason or "")


def test_an_intact_database_verifies(service: WorkflowService) -> None:
    adopted_paper(service)
    _meeting_with_agenda(service)
    assert service.audit.verify_audit().ok


# -- the worker's seals ---------------------------------------------------------------------------


def test_the_worker_seals_into_the_folder_on_its_schedule(
    service: WorkflowService, clock: FixedClock, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "seals"  # the database lives in tmp_path
    tmp_path.mkdir()
    adopted_paper(service)
    worker = sealing_worker(service, tmp_path)
    job = worker._scheduler().get_job("seal_audit")
    assert job.trigger.interval == dt.timedelta(hours=1)
    first = worker.seal()
    clock.advance_to(clock.now() + dt.timedelta(hours=1))
    second = worker.seal()
    again = worker.seal()  # the same instant: a new name, nothing overwritten
    assert first is not None and second is not None and again is not None
    stem = seal_file_name(clock.now()).removesuffix(".json")
    assert (second.name, again.name) == (f"{stem}.json", f"{stem}-1.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (first, second, again)
    )  # no temporary file left behind
    files = read_seal_dir(tmp_path)
    assert [f.seal.actor for f in files if f.seal] == ["auditor"] * 3
    report = service.audit.verify_audit(seals=files)
    assert report.ok and [s.ok for s in report.seals] == [True] * 3


def test_a_failing_seal_is_logged_and_tried_again(
    service: WorkflowService, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "seals"
    worker = sealing_worker(service, folder)  # the folder is not there yet
    with caplog.at_level(logging.ERROR, logger="workflow.worker"):
        assert worker.seal() is None
    assert "audit seal not written, the next run tries again" in caplog.text
    folder.mkdir()
    written = worker.seal()
    assert written is not None and written.parent == folder


def test_worker_seal_options_are_checked_before_it_starts(
    service: WorkflowService, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "seals"  # the database lives in tmp_path
    tmp_path.mkdir()

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(
            cli, ["worker", "--once", "--notifier", "log", *args], obj=service
        )
        return result.exit_code, result.output

    code, output = run("--seal-dir", str(tmp_path), "--seal-as", "clerk")
    assert code != 0 and "'clerk'" in output and "den Prüfpfad versiegeln" in output
    code, output = run("--seal-every", "30m")
    assert code == 2 and "--seal-every und --seal-as brauchen --seal-dir" in output
    code, output = run("--seal-dir", str(tmp_path), "--seal-every", "0.5s")
    assert code == 2 and "ist keine Dauer von mindestens einer Sekunde" in output
    code, output = run("--seal-dir", str(tmp_path), "--seal-as", "auditor", "--seal-every", "2h")
    assert code == 0, output
    assert len(read_seal_dir(tmp_path)) == 1


# -- audit verify --seals -------------------------------------------------------------------------


def test_verify_against_a_folder_of_seals(
    service: WorkflowService, database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "seals"  # the database lives in tmp_path
    tmp_path.mkdir()
    number = adopted_paper(service)
    worker = sealing_worker(service, tmp_path)
    older = worker.seal()
    clock.advance_to(clock.now() + dt.timedelta(hours=1))
    adopted_paper(service)
    newer = worker.seal()
    assert older is not None and newer is not None
    code, lines = verify_cli(service, "--seals", str(tmp_path))
    assert code == 0
    assert lines[-1].startswith("Alle 2 Siegeldateien passen.")
    code, lines = verify_cli(service, "--seals", str(tmp_path), "--json")
    document = json.loads("\n".join(lines))
    assert code == 0 and document["ok"]
    assert [(s["file"], s["ok"]) for s in document["seals"]] == [
        (older.name, True),
        (newer.name, True),
    ]

    # an event appended with a correct hash after the newest seal: not detectable
    with Session(database.engine) as session:
        append_event(
            session,
            stream="body:musterstadt",
            occurred_at=clock.now(),
            actor="admin",
            action=AuditAction.APP_ROLE_GRANTED,
            payload={"role": "forged"},
        )
        session.commit()
    report = service.audit.verify_audit(seals=read_seal_dir(tmp_path))
    assert report.ok
    assert [s.events_after_seal for s in report.seals][-1] == 1

    # a sealed event rewritten with consistent hashes: every seal that covers it says so
    rewrite_chain(database, stream_of(service, number), 4, '{"forged":true}')
    code, lines = verify_cli(service, "--seals", str(tmp_path))
    assert code == 1
    assert lines[0].startswith("Audit-Trail intakt")
    for line, name in zip(lines[1:3], (older.name, newer.name), strict=True):
        assert line.startswith(
            f"{name}: ABWEICHUNG in Vorlage {number} ({stream_of(service, number)})"
        )
        assert "weicht vom Siegel ab" in line
    assert lines[3] == "2 von 2 Siegeldateien passen nicht zur Datenbank."


def test_a_malformed_seal_file_is_one_line_and_fails(
    service: WorkflowService, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "seals"  # the database lives in tmp_path
    tmp_path.mkdir()
    adopted_paper(service)
    good = sealing_worker(service, tmp_path).seal()
    assert good is not None
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    edited = json.loads(good.read_text(encoding="utf-8"))
    edited["heads"][0]["seq"] += 1
    (tmp_path / "edited.json").write_text(json.dumps(edited), encoding="utf-8")
    (tmp_path / ".seal-x.part").write_text("half", encoding="utf-8")  # not a seal file yet
    code, lines = verify_cli(service, "--seals", str(tmp_path))
    assert code == 1
    assert len(lines) == 5, lines
    assert lines[1].startswith("broken.json: UNREADABLE SEAL FILE: die Siegeldatei ")
    assert "ist kein JSON" in lines[1]
    assert lines[2].startswith("edited.json: UNREADABLE SEAL FILE: die Siegeldatei ")
    assert "wurde verändert" in lines[2]
    assert lines[3].startswith(f"{good.name}: Siegel vom ")
    assert lines[4] == "2 von 3 Siegeldateien passen nicht zur Datenbank."
    empty = tmp_path / "empty"
    empty.mkdir()
    code, lines = verify_cli(service, "--seals", str(empty))
    assert code == 1 and len(lines) == 1 and "enthält keine Siegeldateien" in lines[0]
