"""Ergänzungsvorlagen: the open steps go on to the supplement, done steps stay, the chain is
queryable from any member, numbers are gap-free, and the audit trail covers the chain."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from storage.session import Database
from tests.test_cli_audit import snapshot
from tests.test_concurrency import _run_parallel, _service
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.errors import ConflictError, InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.service import WorkflowService


@pytest.fixture
def clock() -> FixedClock:
    """The results here are dated up to 27.03.2025 (the planned Rat) and recorded after that."""
    return FixedClock(dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC))


def run(service: WorkflowService, *args: str, user: str = "session") -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": user})


def in_consultation(service: WorkflowService) -> str:
    """V/2025/1: released, the Hauptausschuss recommended, the Rat still to decide."""
    number = service.papers.create_paper(
        user="clerk", paper_type="vorlage", title="Haushalt", office="amt1",
        date=dt.date(2025, 3, 1), route="standard", text="Der Rat beschließt den Haushalt.",
        planned_dates=[dt.date(2025, 3, 18), dt.date(2025, 3, 27)],
    ).number  # fmt: skip
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    return number


def test_supplement_takes_over_the_open_steps_and_supersedes_the_original(
    service: WorkflowService,
) -> None:
    number = in_consultation(service)
    supplement = service.supplements.create_supplement(
        number,
        user="clerk",
        reason="Zahlen aktualisiert",
        date=dt.date(2025, 3, 20),
        text="Der Rat beschließt den geänderten Haushalt.",
    )
    assert supplement.number == "V/2025/1-E01"
    assert (supplement.paper_type, supplement.state, supplement.title) == (
        "ergaenzung",
        "draft",
        "Haushalt",
    )
    assert (supplement.origin, supplement.supplement_no) == ("V/2025/1", 1)
    assert [(c.position, c.organization_id, c.state, c.planned_date) for c in supplement.consultations] == [
        (1, "rat", "planned", dt.date(2025, 3, 27))
    ]  # fmt: skip
    original = service.papers.get_paper(number)
    assert (original.state, original.state_label) == (
        "superseded",
        "Durch Ergänzungsvorlage fortgeführt",
    )
    assert [(c.organization_id, c.state, c.outcome) for c in original.consultations] == [
        ("ausschuss", "held", "empfohlen")
    ]
    assert original.chain == supplement.chain == ("V/2025/1", "V/2025/1-E01")
    assert original.origin is None
    handed = [e for e in service.audit.audit_trail(number) if e.action == "supplement_created"]
    assert [e.payload for e in handed] == [
        {
            "supplement": "V/2025/1-E01",
            "reason": "Zahlen aktualisiert",
            "moved": [{"from_position": 2, "organization": "rat", "role": "entscheidung"}],
        }
    ]
    assert service.audit.audit_trail(number)[-1].to_state == "superseded"
    created = service.audit.audit_trail("V/2025/1-E01")[0]
    assert created.action == "paper_created"
    assert (created.payload["origin"], created.payload["continues"]) == ("V/2025/1", "V/2025/1")
    assert service.audit.verify_audit().ok


def test_the_supplement_is_released_and_decided_like_any_paper(service: WorkflowService) -> None:
    number = in_consultation(service)
    e01 = service.supplements.create_supplement(
        number, user="clerk", reason="Korrektur", date=dt.date(2025, 3, 20), text="Neu."
    ).number
    with pytest.raises(TransitionNotAllowed, match="sobald die Vorlage freigegeben ist"):
        service.results.record_result(e01, user="session", position=1, outcome="beschlossen")
    service.papers.submit_paper(e01, user="clerk")
    service.papers.release_paper(e01, user="head")
    decided = service.results.record_result(e01, user="session", position=1, outcome="beschlossen")
    assert decided.state == "adopted"
    assert [v.text for v in decided.text_versions] == ["Neu."]
    assert service.papers.get_paper(number).state == "superseded"


def test_chain_numbers_follow_the_latest_paper_and_are_listed_from_any_member(
    service: WorkflowService,
) -> None:
    number = in_consultation(service)
    for index in range(1, 4):
        latest = service.supplements.paper_chain(number)[-1].number
        created = service.supplements.create_supplement(
            latest, user="session", reason=f"Ergänzung {index}", date=dt.date(2025, 3, 20)
        )
        service.papers.submit_paper(created.number, user="clerk")
        service.papers.release_paper(created.number, user="head")
    expected = ["V/2025/1", "V/2025/1-E01", "V/2025/1-E02", "V/2025/1-E03"]
    for member in expected:
        assert [v.number for v in service.supplements.paper_chain(member)] == expected
    states = [v.state for v in service.supplements.paper_chain(number)]
    assert states == ["superseded", "superseded", "superseded", "released"]
    with pytest.raises(InvalidInput, match="V/2025/1-E01 wird durch V/2025/1-E03 fortgesetzt; "):
        service.supplements.create_supplement(
            "V/2025/1-E01", user="session", reason="x", date=dt.date(2025, 3, 21)
        )


def test_refusals_change_nothing(service: WorkflowService, database: Database) -> None:
    draft = service.papers.create_paper(
        user="clerk", paper_type="vorlage", title="Entwurf", office="amt1",
        date=dt.date(2025, 3, 1), route="standard",
    ).number  # fmt: skip
    number = in_consultation(service)
    before = snapshot(database)
    with pytest.raises(TransitionNotAllowed, match="noch offen ist"):
        service.supplements.create_supplement(
            draft, user="clerk", reason="x", date=dt.date(2025, 3, 2)
        )
    with pytest.raises(InvalidInput, match="braucht eine Begründung"):
        service.supplements.create_supplement(
            number, user="clerk", reason=" ", date=dt.date(2025, 3, 2)
        )
    with pytest.raises(PermissionDenied, match="'auditor' hat keine Berechtigung für paper.create"):
        service.supplements.create_supplement(
            number, user="auditor", reason="x", date=dt.date(2025, 3, 2)
        )
    with pytest.raises(InvalidInput, match="'vorlage' ist keine Art von Ergänzungsvorlage"):
        service.supplements.create_supplement(
            number, user="clerk", reason="x", date=dt.date(2025, 3, 2), paper_type="vorlage"
        )
    with pytest.raises(
        InvalidInput, match="legen Sie sie als Ergänzungsvorlage der Ursprungsvorlage an"
    ):
        service.papers.create_paper(
            user="clerk", paper_type="ergaenzung", title="x", office="amt1",
            date=dt.date(2025, 3, 1),
        )  # fmt: skip
    decided = service.supplements.create_supplement(
        number, user="clerk", reason="x", date=dt.date(2025, 3, 2)
    ).number
    service.papers.submit_paper(decided, user="clerk")
    service.papers.release_paper(decided, user="head")
    service.results.record_result(decided, user="session", position=1, outcome="beschlossen")
    after = snapshot(database)
    with pytest.raises(TransitionNotAllowed, match="im Status 'Beschlossen' nicht möglich"):
        service.supplements.create_supplement(
            decided, user="clerk", reason="x", date=dt.date(2025, 3, 2)
        )
    assert snapshot(database) == after != before


def test_cli_supplement_show_chain_and_trail(service: WorkflowService, tmp_path: Path) -> None:
    number = in_consultation(service)
    text = tmp_path / "text.txt"
    text.write_text("Der Rat beschließt die Fassung vom 20.03.2025.\n", encoding="utf-8")
    result = run(
        service, "paper", "supplement", number, "--reason", "Neue Zahlen",
        "--text-file", str(text), "--date", "2025-03-20", user="clerk",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "V/2025/1-E01 angelegt (Entwurf), setzt V/2025/1 fort\n"
        "  offene Schritte jetzt bei V/2025/1-E01: 1. Rat der Stadt Musterstadt\n"
    )
    shown = run(service, "paper", "show", "V/2025/1-E01").stdout.splitlines()
    assert "Ergänzungsvorlage 1 zu V/2025/1" in shown
    assert "Kette: V/2025/1 → V/2025/1-E01" in shown
    assert "Kette: V/2025/1 → V/2025/1-E01" in run(service, "paper", "show", number).stdout
    chain = json.loads(run(service, "paper", "chain", "V/2025/1-E01", "--json").stdout)
    assert [(p["number"], p["state"], p["origin"]) for p in chain] == [
        ("V/2025/1", "superseded", None),
        ("V/2025/1-E01", "draft", "V/2025/1"),
    ]
    table = run(service, "paper", "chain", number).stdout
    assert "V/2025/1-E01" in table and "Durch Ergänzungsvorlage fortgeführt" in table
    trail = run(service, "audit", "trail", "V/2025/1-E01").stdout
    assert trail.startswith("== V/2025/1 ==\n") and "\n== V/2025/1-E01 ==\n" in trail
    whole = json.loads(run(service, "audit", "trail", "V/2025/1-E01", "--json").stdout)
    own = json.loads(run(service, "audit", "trail", "V/2025/1-E01", "--no-chain", "--json").stdout)
    assert {e["paper_number"] for e in whole} == {"V/2025/1", "V/2025/1-E01"}
    assert [e["paper_number"] for e in whole][: len(service.audit.audit_trail(number))] == [
        number
    ] * len(service.audit.audit_trail(number))
    assert [e["hash"] for e in own] == [e.hash for e in service.audit.audit_trail("V/2025/1-E01")]
    assert len(whole) == len(own) + len(service.audit.audit_trail(number))


def test_cli_supplement_errors_are_one_line(service: WorkflowService) -> None:
    number = in_consultation(service)
    missing = run(service, "paper", "supplement", number, "--reason", "x", "--text-file", "nope")
    assert missing.exit_code == 1
    assert missing.stderr.count("\n") == 1 and "Textdatei 'nope'" in missing.stderr
    unknown = run(service, "paper", "supplement", "V/2025/9", "--reason", "x")
    assert unknown.exit_code == 1 and "keine Vorlage 'V/2025/9'" in unknown.stderr
    assert unknown.stderr.count("\n") == 1
    assert service.papers.get_paper(number).state == "in_consultation"


def _supplement_latest(url: str, count: int, barrier: object) -> list[str]:
    """Runs in a child process: supplement the chain's latest paper ``count`` times."""
    service = _service(url)
    made: list[str] = []
    barrier.wait()  # type: ignore[attr-defined]
    while len(made) < count:
        latest = service.supplements.paper_chain("V/2025/1")[-1].number
        try:
            number = service.supplements.create_supplement(
                latest, user="session", reason="parallel", date=dt.date(2025, 3, 20)
            ).number
        except (InvalidInput, ConflictError, TransitionNotAllowed):
            continue  # another clerk was first: supplement the new latest paper once released
        service.papers.submit_paper(number, user="clerk")
        service.papers.release_paper(number, user="head")
        made.append(number)
    service.db.dispose()
    return made


@pytest.mark.slow
def test_parallel_supplements_are_numbered_without_gaps(
    service: WorkflowService, database_url: str
) -> None:
    in_consultation(service)
    made = _run_parallel(_supplement_latest, database_url, 3, 2)
    numbers = sorted(n for per_process in made for n in per_process)
    assert numbers == [f"V/2025/1-E{i:02d}" for i in range(1, 7)]
    chain = service.supplements.paper_chain("V/2025/1")
    assert [v.number for v in chain] == ["V/2025/1", *numbers]
    assert [v.state for v in chain] == ["superseded"] * 6 + ["released"]
    assert service.audit.verify_audit().ok


def test_the_decision_report_covers_the_whole_chain(service: WorkflowService) -> None:
    number = in_consultation(service)
    e01 = service.supplements.create_supplement(
        number, user="clerk", reason="Korrektur", date=dt.date(2025, 3, 20), text="Neu."
    ).number
    service.papers.submit_paper(e01, user="clerk")
    service.papers.release_paper(e01, user="head")
    service.results.record_result(e01, user="session", position=1, outcome="beschlossen")
    for member in (number, e01):
        trails = service.trail.paper_report(member)
        assert [t.paper.number for t in trails] == [number, e01]
        assert [t.paper.state for t in trails] == ["superseded", "adopted"]
    html = run(service, "audit", "report", e01, user="auditor")
    assert html.exit_code == 0, html.output
    assert "Durch Ergänzungsvorlage fortgeführt" in html.output  # the original's section


def test_every_paper_of_a_chain_replays_from_its_audit_trail(service: WorkflowService) -> None:
    number = in_consultation(service)
    e01 = service.supplements.create_supplement(
        number, user="clerk", reason="Korrektur", date=dt.date(2025, 3, 20), text="Neu."
    ).number
    service.papers.submit_paper(e01, user="clerk")
    service.papers.release_paper(e01, user="head")
    service.results.record_result(e01, user="session", position=1, outcome="beschlossen")
    reports = service.audit.replay_audit()
    assert [(r.paper_number, r.status.value, r.difference) for r in reports] == [
        (number, "match", None),
        (e01, "match", None),
    ]
