"""Golden audit hashes: fixed scenarios on fixed clocks end in the same head hash of every
audit chain, on SQLite and PostgreSQL, release after release.

The scenarios cover the three seed demos, Mitzeichnung, minutes, an Ergänzungsvorlage, a
Dringlichkeitsentscheidung, a Widerspruch, a Beschlusskontrolle task, a reminder sweep by two
workers, a seal and an OParl import. A changed hash means that some audit byte changed: a
refactoring must leave every hash as it is; a deliberate change of what is audited updates
``golden/audit_heads.json`` in the same commit and says why (``RATSWEG_GOLDEN_WRITE=1``
rewrites the hashes of the scenarios run).

Definitions and OParl sources are copied into the test's folder and named by relative paths,
so that no machine-specific path enters the audit payloads.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select

from storage.schema import AuditEvent
from storage.session import Database
from tests.conftest import FIXTURES
from tests.reminder_fixtures import RecordingNotifier, reminder_definitions
from workflow.core.clock import BERLIN, FixedClock
from workflow.core.model import VoteCount
from workflow.definitions import shipped_definitions_root
from workflow.demo import WALKTHROUGHS, play
from workflow.meetings.minutes import MinutesItem
from workflow.oparl.importer import import_source
from workflow.oparl.source import read_source
from workflow.service import WorkflowService
from workflow.worker import Worker, WorkerOptions

GOLDEN = Path(__file__).parent / "golden" / "audit_heads.json"
D = dt.date
UTC = dt.UTC


def chain_heads(database: Database) -> dict[str, str]:
    """Every stream's last hash (``stream -> hash``)."""
    last = (
        select(AuditEvent.stream, func.max(AuditEvent.seq).label("seq"))
        .group_by(AuditEvent.stream)
        .subquery()
    )
    query = select(AuditEvent.stream, AuditEvent.hash).join(
        last, (AuditEvent.stream == last.c.stream) & (AuditEvent.seq == last.c.seq)
    )
    with database.read() as session:
        return {str(stream): str(digest) for stream, digest in session.execute(query)}


def seed_demo(database: Database, municipality: str) -> None:
    """``ratsweg demo --municipality NAME`` on ``database``, with relative definitions."""
    walk = WALKTHROUGHS[municipality]
    first = min([walk.date, *(step.date for step in walk.steps)]) - dt.timedelta(weeks=8)
    clock = FixedClock(dt.datetime.combine(first, dt.time(8, 0), tzinfo=BERLIN))
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(Path("definitions") / municipality, user="admin")
    play(service, walk, clock)


def musterstadt(database: Database) -> None:
    """Mitzeichnung, a meeting with minutes, an Ergänzungsvorlage decided by the Rat, a
    Dringlichkeitsentscheidung, a Widerspruch, a Beschlusskontrolle task, reminders swept by
    two workers and a seal."""
    clock = FixedClock(dt.datetime(2025, 3, 3, 9, tzinfo=UTC))
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(Path("musterstadt"), user=None)

    def at(day: dt.date, hour: int = 20) -> None:
        clock.advance_to(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=BERLIN))

    def paper(title: str, participants: tuple[str, ...] = ()) -> str:
        return service.papers.create_paper(
            user="clerk",
            paper_type="vorlage",
            title=title,
            office="amt1",
            date=D(2025, 3, 1),
            route="standard",
            participants=participants,
            text=f"Der Rat beschließt: {title}.",
            planned_dates=[D(2025, 3, 18), D(2025, 3, 27)],
        ).number

    signed = paper("Radweg Hauptstraße", ("amt2",))
    service.papers.submit_paper(signed, user="clerk")
    service.co_signing.co_sign(signed, user="head2", office="amt2")
    service.papers.release_paper(signed, user="head")
    urgent = paper("Fördermittel Sporthalle")
    service.papers.submit_paper(urgent, user="clerk")
    service.papers.release_paper(urgent, user="head")
    waiting = paper("Spielplatz Lindenweg", ("amt2",))  # its Mitzeichnung reminder is sent
    service.papers.submit_paper(waiting, user="clerk")
    objected = paper("Gebührensatzung")
    service.papers.submit_paper(objected, user="clerk")
    service.papers.release_paper(objected, user="head")
    at(D(2025, 3, 4), 9)
    committee = service.meetings.create_meeting(
        user="session",
        organization="ausschuss",
        start=dt.datetime(2025, 3, 18, 17, tzinfo=UTC),
    ).id
    service.agendas.build_agenda(committee, user="session")
    service.meetings.invite_meeting(committee, user="session")
    council = service.meetings.create_meeting(
        user="session", organization="rat", start=dt.datetime(2025, 3, 27, 17, tzinfo=UTC)
    ).id
    at(D(2025, 3, 12))
    service.decisions.record_urgent_decision(
        urgent,
        user="session",
        decided_by="mayor",
        co_signer="Ratsmitglied Schmitz",
        date=D(2025, 3, 12),
        reason="Fördermittelfrist endet am 14.03.",
    )
    at(D(2025, 3, 13), 8)
    first = Worker(service, RecordingNotifier(), WorkerOptions(batch=2), name="worker:a:1")
    second = Worker(service, RecordingNotifier(), WorkerOptions(batch=2), name="worker:b:2")
    while first.run_batch().claimed + second.run_batch().claimed:
        pass
    at(D(2025, 3, 18))
    service.meetings.hold_meeting(committee, user="session")
    service.minutes.record_minutes(
        committee,
        [
            MinutesItem(
                where="Ö 1",
                top=None,
                paper=signed,
                outcome="empfohlen",
                label=None,
                votes=(VoteCount(yes=4, no=0, abstain=1),),
            ),
            MinutesItem(
                where="Ö 3", top=None, paper=objected, outcome="empfohlen", label=None, votes=()
            ),
        ],
        user="session",
    )
    service.meetings.approve_minutes(committee, user="session")
    at(D(2025, 3, 20), 10)
    supplement = service.supplements.create_supplement(
        signed,
        user="clerk",
        reason="Kosten aktualisiert",
        date=D(2025, 3, 20),
        text="Der Rat beschließt den Radweg mit den aktualisierten Kosten.",
    ).number
    service.papers.submit_paper(supplement, user="clerk")
    service.papers.release_paper(supplement, user="head")
    service.agendas.build_agenda(council, user="session")
    service.meetings.invite_meeting(council, user="session")
    at(D(2025, 3, 27))
    service.meetings.hold_meeting(council, user="session")
    service.results.record_result(
        supplement,
        user="session",
        position=1,
        outcome="beschlossen",
        votes=[VoteCount(yes=7, no=2, abstain=1)],
    )
    service.results.record_result(urgent, user="session", position=4, outcome="genehmigt")
    service.results.record_result(objected, user="session", position=2, outcome="beschlossen")
    at(D(2025, 3, 28), 10)
    service.decisions.raise_objection(
        objected,
        user="mayor",
        kind="widerspruch",
        date=D(2025, 3, 28),
        reason="Die Satzung gefährdet das Wohl der Gemeinde.",
    )
    service.tasks.add_implementation_task(
        supplement,
        user="session",
        title="Radweg ausschreiben",
        office="amt1",
        due=D(2025, 6, 30),
    )
    at(D(2025, 4, 1), 9)
    service.audit.seal_audit(user="auditor")


def oparl_import(database: Database) -> None:
    """The Karlsruhe OParl 1.1 snapshot imported into definitions generated from it."""
    from workflow.oparl.generate import generate_definitions

    clock = FixedClock(dt.datetime(2026, 9, 1, 8, tzinfo=UTC))
    source = read_source("karlsruhe-1.1")
    generate_definitions(source, Path("karlsruhe"), name="Stadt Karlsruhe", state="BW")
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(Path("karlsruhe"), user=None)
    import_source(service.shared, source, user="admin")


SCENARIOS = {
    "landau": lambda db: seed_demo(db, "landau"),
    "voelklingen": lambda db: seed_demo(db, "voelklingen"),
    "herzogenrath": lambda db: seed_demo(db, "herzogenrath"),
    "musterstadt": musterstadt,
    "oparl_import": oparl_import,
}


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's folder as working directory, with definitions and OParl data beside."""
    shutil.copytree(shipped_definitions_root(), tmp_path / "definitions")
    users = reminder_definitions(tmp_path) / "users.yaml"
    mayor = "  - {id: mayor, name: Bürgermeisterin, roles: [mayor]}\n"
    users.write_text(users.read_text(encoding="utf-8") + mayor, encoding="utf-8")
    shutil.copytree(FIXTURES / "oparl" / "real" / "karlsruhe-1.1", tmp_path / "karlsruhe-1.1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_audit_chain_heads_are_unchanged(scenario: str, database_url: str, workspace: Path) -> None:
    # A database of the scenario's own: the demos each hold one municipality.
    database = Database(database_url)
    from storage.migrate import upgrade_database

    upgrade_database(database.engine)
    try:
        SCENARIOS[scenario](database)
        heads = chain_heads(database)
    finally:
        database.dispose()
    # Row ids in payloads differ: SQLite reuses a deleted row's id, PostgreSQL's sequences
    # do not; so each database has its own hashes.
    key = f"{make_url(database_url).get_backend_name()}/{scenario}"
    golden = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    if os.environ.get("RATSWEG_GOLDEN_WRITE") == "1":
        golden[key] = heads
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(golden, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert key in golden, f"no golden hashes for {key}; see the module's description"
    assert heads == golden[key]
