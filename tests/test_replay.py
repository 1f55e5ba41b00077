"""Audit replay: a paper rebuilt from its audit events alone, compared with the database.

On SQLite and PostgreSQL: papers that went through path edits, every kind of routing effect
and a Dringlichkeitsentscheidung replay to the stored state; a change made behind the
service's back, an event the lifecycle cannot explain and an old event without the fields
replay needs are each named.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from storage.session import Database
from tests.test_service import create, released
from workflow.audit.replay import ReplayStatus, check_paper
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.model import AuditEventView, PlannedStep, VoteCount
from workflow.service import WorkflowService

D = dt.date

S = "session"


@pytest.fixture
def clock() -> FixedClock:
    """The results replayed here are dated up to September 2025 and recorded after that."""
    return FixedClock(dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC))


def run(service: WorkflowService, *args: str, user: str = "auditor") -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": user})


def replayed(service: WorkflowService, number: str) -> tuple[ReplayStatus, str | None]:
    (report,) = service.audit.replay_audit(number)
    return report.status, report.difference


def test_a_paper_with_every_kind_of_path_edit_replays_to_its_stored_state(
    service: WorkflowService,
) -> None:
    number = create(service, text="Die Feuerwache wird gebaut.")
    service.paths.add_consultation(
        number, user="clerk", organization="rat", role="anhoerung", parallel_to=1
    )
    # a draft's path keeps its concluding step last at every edit (issue 13)
    service.paths.add_consultation(
        number, user="clerk", organization="ausschuss", role="anhoerung", position=3
    )
    service.paths.move_consultation(number, user="clerk", position=3, to=2)
    service.paths.remove_consultation(number, user="clerk", position=3)
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    service.paths.schedule_consultation(number, user=S, position=1, date=D(2025, 3, 18))
    service.results.record_result(
        number,
        user=S,
        position=1,
        outcome="geaendert_beschlossen",
        amended_text="Die Feuerwache wird kleiner gebaut.",
        votes=[VoteCount(yes=3, no=1, abstain=1, label="mehrheitlich")],
    )
    service.paths.add_consultation(
        number, user=S, organization="ausschuss", role="anhoerung", position=2, reason="Nachfrage"
    )
    service.paths.remove_consultation(number, user=S, position=2, reason="doch nicht")
    service.results.record_result(
        number, user=S, position=3, outcome="vertagt", date=D(2025, 4, 1), target_date=D(2025, 5, 6)
    )
    service.results.record_result(
        number, user=S, position=4, outcome="ueberwiesen", date=D(2025, 5, 6), refer_to="rat"
    )
    service.results.record_result(
        number, user=S, position=5, outcome="empfohlen", date=D(2025, 5, 8)
    )
    view = service.papers.get_paper(number)
    assert [c.state for c in view.consultations] == [
        "held",
        "cancelled",
        "held",
        "held",
        "held",
        "planned",
    ]
    assert len(view.text_versions) == 2
    assert replayed(service, number) == (ReplayStatus.MATCH, None)
    service.paths.replace_path(
        number,
        user=S,
        steps=[PlannedStep(organization="rat", role="entscheidung", planned_date=D(2025, 9, 25))],
        reason="neue Sitzungsplanung",
    )
    service.results.record_result(number, user=S, position=7, outcome="beschlossen")
    assert service.papers.get_paper(number).state == "adopted"
    assert replayed(service, number) == (ReplayStatus.MATCH, None)


def test_draft_reroute_withdrawal_and_urgent_decision_replay(service: WorkflowService) -> None:
    draft = create(service)
    service.paths.replace_path(
        draft,
        user="clerk",
        steps=[PlannedStep(organization="rat", role="entscheidung")],
        reason="nur der Rat",
    )
    withdrawn = released(service)
    service.papers.withdraw_paper(withdrawn, user="clerk", reason="erledigt")
    urgent = released(service)
    service.decisions.record_urgent_decision(
        urgent, user=S, decided_by="mayor", co_signer="RM Meyer", date=D(2025, 3, 12), reason="eilt"
    )
    service.results.record_result(
        urgent, user=S, position=4, outcome="genehmigt", date=D(2025, 3, 27)
    )
    reports = service.audit.replay_audit()
    assert [(r.paper_number, r.status) for r in reports] == [
        (draft, ReplayStatus.MATCH),
        (withdrawn, ReplayStatus.MATCH),
        (urgent, ReplayStatus.MATCH),
    ]
    assert all(r.events == len(service.audit.audit_trail(r.paper_number)) for r in reports)


def test_a_change_behind_the_services_back_is_named(
    service: WorkflowService, database: Database
) -> None:
    number = released(service)
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE consultation SET outcome = 'abgelehnt' WHERE position = 1"))
    status, difference = replayed(service, number)
    assert status is ReplayStatus.MISMATCH
    assert difference == (
        "Schritt 1 (ausschuss) outcome: der Prüfpfad ergibt 'empfohlen', die Datenbank enthält "
        "'abgelehnt'"
    )
    result = run(service, "audit", "replay", number)
    assert result.exit_code == 1
    assert "weicht ab" in result.stdout and "'abgelehnt'" in result.stdout
    assert "Nachspielen FEHLGESCHLAGEN für 1 von 1 Vorlage." in result.stdout


def test_an_event_the_lifecycle_cannot_explain_is_named(service: WorkflowService) -> None:
    number = released(service)
    events = service.audit.audit_trail(number)
    forged = [
        dataclasses.replace(e, to_state="adopted") if e.to_state == "released" else e
        for e in events
    ]
    report = check_paper(
        forged, lambda _v: service.bodies.catalog(), service.papers.get_paper(number)
    )
    assert report.status is ReplayStatus.MISMATCH
    release = next(e for e in events if e.to_state == "released")
    assert report.seq == release.seq
    assert report.difference == (
        f"Ereignis {release.seq}: der Lebenszyklus paper kann nicht erklären, wie 'release' die "
        "Vorlage von 'co_signing' nach 'adopted' bringt"
    )


def _without(events: list[AuditEventView], action: str, key: str) -> list[AuditEventView]:
    return [
        dataclasses.replace(e, payload={k: v for k, v in e.payload.items() if k != key})
        if e.action == action
        else e
        for e in events
    ]


def test_old_events_without_the_needed_fields_are_reported_not_guessed(
    service: WorkflowService,
) -> None:
    draft = create(service, text="Der Rat beschließt den Neubau.")
    old = _without(service.audit.audit_trail(draft), "paper_created", "text")
    report = check_paper(old, lambda _v: service.bodies.catalog(), service.papers.get_paper(draft))
    assert report.status is ReplayStatus.INCOMPLETE
    assert "fehlt 'text'" in (report.difference or "")

    urgent = released(service)
    service.decisions.record_urgent_decision(
        urgent, user=S, decided_by="mayor", co_signer="RM Meyer", date=D(2025, 3, 12), reason="eilt"
    )
    old = _without(service.audit.audit_trail(urgent), "urgent_decision_recorded", "decided_label")
    report = check_paper(old, lambda _v: service.bodies.catalog(), service.papers.get_paper(urgent))
    assert report.status is ReplayStatus.INCOMPLETE
    assert report.difference is not None
    assert report.difference.endswith(
        "(urgent_decision_recorded) fehlt 'decided_label': es wurde aufgezeichnet, bevor ratsweg "
        "dieses Feld speicherte, daher lässt sich die Vorlage nicht darüber hinaus nachspielen"
    )


def test_audit_replay_on_the_command_line(service: WorkflowService) -> None:
    first, second = released(service), create(service)
    result = run(service, "audit", "replay", first)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Nachspielen stimmt bei 1 Vorlage mit der Datenbank überein.\n")
    every = run(service, "audit", "replay", "--all", "--json")
    assert every.exit_code == 0, every.output
    rows = json.loads(every.stdout)
    assert [(r["paper"], r["status"], r["difference"]) for r in rows] == [
        (first, "match", None),
        (second, "match", None),
    ]
    for args in (["audit", "replay"], ["audit", "replay", first, "--all"]):
        usage = run(service, *args)
        assert usage.exit_code == 2
        assert (
            "Fehler: geben Sie entweder eine Vorlagennummer (NUMBER) oder --all an" in usage.stderr
        )
    unknown = run(service, "audit", "replay", "2025/999")
    assert unknown.exit_code == 1
    assert unknown.stderr.count("\n") == 1 and "keine Vorlage '2025/999'" in unknown.stderr
