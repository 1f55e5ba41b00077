"""The seed documents replayed through the shipped definitions, with their real dates,
meetings and publicity, on SQLite and PostgreSQL; each ends in the state the document (or the
press, where the document ends before the decision) shows, and its audit trail replays to it.

The walkthroughs are the ones ``ratsweg demo`` plays (``workflow.demo``); Herzogenrath's
Ergänzungsvorlage chain (V/2019/367-E01 … -E04) is not part of them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.session import Database
from workflow.core.clock import FixedClock
from workflow.core.errors import InvalidInput
from workflow.core.model import VoteCount
from workflow.definitions import resolve_definitions_dir
from workflow.demo import HERZOGENRATH, LANDAU, VOELKLINGEN, Walkthrough, play
from workflow.service import WorkflowService

D = dt.date


def played(
    database: Database, walk: Walkthrough, clock: FixedClock
) -> tuple[WorkflowService, str, list[tuple[str, str, str]]]:
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(resolve_definitions_dir(walk.municipality), user=None)
    number, steps = play(service, walk)
    tops = [(s.organization, s.item.number or "", s.item.part.value) for s in steps]
    return service, number, tops


def path(service: WorkflowService, number: str) -> list[tuple[object, ...]]:
    return [
        (c.organization_id, c.role.value, c.public, c.date, c.state, c.result_label)
        for c in service.papers.get_paper(number).consultations
    ]


def assert_replays(service: WorkflowService, number: str) -> None:
    (report,) = service.audit.replay_audit(number)
    assert (report.status.value, report.difference) == ("match", None)
    assert service.audit.verify_audit().ok
    assert {m.state for m in service.meetings.list_meetings()} == {"minutes_approved"}


def test_landau_2011_seven_steps_to_the_stadtrat(database: Database, clock: FixedClock) -> None:
    service, number, tops = played(database, LANDAU, clock)
    view = service.papers.get_paper(number)
    assert (view.number, view.state, view.reference) == ("2011/001", "adopted", LANDAU.reference)
    assert path(service, number) == [
        ("stadtvorstand", "vorberatung", False, D(2011, 11, 14), "held", "empfohlen"),
        ("beirat_migration", "vorberatung", True, D(2011, 11, 17), "held", "empfohlen"),
        ("sozialausschuss", "vorberatung", True, D(2011, 11, 17), "held", "empfohlen"),
        ("hauptausschuss", "vorberatung", True, D(2011, 11, 29), "held", "empfohlen"),
        ("jugendhilfe_sozialausschuss", "vorberatung", True, D(2011, 12, 7), "held", "empfohlen"),
        (
            "beirat_migration",
            "vorberatung",
            True,
            D(2011, 12, 8),
            "held",
            "einstimmig beschlossen",
        ),
        ("stadtrat", "entscheidung", True, D(2011, 12, 13), "held", "einstimmig beschlossen"),
    ]
    # "einstimmig" is a label: 4 Enthaltungen
    assert view.consultations[-1].votes == (
        VoteCount(yes=39, no=0, abstain=4, biased=0, label="einstimmig"),
    )
    # the Stadtvorstand deliberates in non-public session, every other body in public
    assert tops[0] == ("Stadtvorstand", "N 1", "non_public")
    assert {part for _, _, part in tops[1:]} == {"public"}
    assert [(c.office_id, c.actor) for c in view.co_signatures] == [
        ("hauptamt", "hauptamt.leitung"),
        ("bgm", "bgm.referent"),
    ]
    assert [v.text for v in view.text_versions] == [LANDAU.text]
    assert_replays(service, number)


def test_voelklingen_2020_non_public_committee_then_public_stadtrat(
    database: Database, clock: FixedClock
) -> None:
    service, number, tops = played(database, VOELKLINGEN, clock)
    assert service.papers.get_paper(number).state == "adopted"
    assert path(service, number) == [
        ("ausschuss_kjs", "vorberatung", False, D(2020, 9, 16), "held", "empfohlen"),
        ("stadtrat", "entscheidung", True, D(2020, 9, 24), "held", "beschlossen"),
    ]
    assert tops == [
        ("Ausschuss für Kinder, Jugend und Soziales", "N 1", "non_public"),
        ("Stadtrat", "Ö 1", "public"),
    ]
    signed = {c.office_id: c.state.value for c in service.papers.get_paper(number).co_signatures}
    assert signed == {"rpa": "signed", "finanzmanagement": "signed"}
    assert_replays(service, number)


def test_herzogenrath_2025_the_asidq_decides_alone_after_its_einspruchsfrist(
    database: Database,
) -> None:
    after_the_period = FixedClock(dt.datetime(2025, 4, 15, 9, tzinfo=dt.UTC))
    service, number, tops = played(database, HERZOGENRATH, after_the_period)
    assert service.papers.get_paper(number).state == "adopted"
    assert path(service, number) == [
        ("asidq", "entscheidung", True, D(2025, 3, 25), "held", "beschlossen"),
    ]
    assert tops == [
        ("Ausschuss für Arbeit, Soziales, Integration, Demografie und Quartiersentwicklung",
         "Ö 1", "public"),
    ]  # fmt: skip
    states = [
        (e.from_state, e.to_state, e.payload.get("objection_period_until"))
        for e in service.audit.audit_trail(number)
        if e.action == "paper_transitioned"
    ]
    assert states[-2:] == [
        ("in_consultation", "objection_period", "2025-04-01"),
        ("objection_period", "adopted", "2025-04-01"),
    ]
    assert_replays(service, number)


def test_herzogenrath_decision_waits_while_the_einspruchsfrist_runs(
    database: Database, clock: FixedClock
) -> None:
    with pytest.raises(InvalidInput, match="Einspruchsfrist zu V/2025/1 läuft bis 01.04.2025"):
        played(database, HERZOGENRATH, FixedClock(dt.datetime(2025, 3, 28, 9, tzinfo=dt.UTC)))
    service = WorkflowService(database, clock)
    assert service.papers.get_paper("V/2025/1").state == "objection_period"
    assert_replays(service, "V/2025/1")
