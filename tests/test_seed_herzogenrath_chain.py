"""Seed 003 (Herzogenrath, Sitzungsvorlage V/2019/367-E04) replayed as a chain in the shipped
Herzogenrath definitions: the original V/2019/367 of 2019, interim reports to the ASIDQ on
03.12.2019 and 27.04.2021 (the concept was not ready: the decision was postponed), the
Ergänzungsvorlagen E01 to E04, and the ASIDQ's decision on 25.03.2025. The ASIDQ decides with
delegated competence (Zuständigkeitsordnung § 8 b, "Ein Beschluss des Stadtrates ist insofern
nicht erforderlich"), so its decision waits for the Einspruchsfrist and then stands.

The seed names only E04 and the two interim reports; E02 and E03 stand for the revisions in
between, each continuing the one open ASIDQ step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import insert

from storage.schema import PaperSequence
from storage.session import Database
from workflow.core.clock import FixedClock
from workflow.definitions import resolve_definitions_dir
from workflow.service import WorkflowService

TITLE = (
    "Integrationskonzept für die Stadt Herzogenrath; hier: Vorlage des Konzeptes durch den "
    "Runden Tisches Flüchtlingsarbeit, Migration und Integration"
)
PROPOSAL = (
    "Der Ausschuss für Arbeit, Soziales, Integration, Demografie und Quartiersentwicklung "
    "beschließt das beigefügte Integrationskonzept als Handlungsempfehlung und Leitfaden für die "
    "Integration zugewanderter Menschen in der Stadt Herzogenrath."
)


@pytest.fixture
def herzogenrath(database: Database) -> Iterator[tuple[WorkflowService, FixedClock]]:
    clock = FixedClock(dt.datetime(2019, 11, 15, 9, 0, tzinfo=dt.UTC))
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(resolve_definitions_dir("herzogenrath"), user=None)
    with database.engine.begin() as conn:  # the 366 Vorlagen of 2019 before this one
        conn.execute(
            insert(PaperSequence).values(
                body_id="herzogenrath", paper_type="sitzungsvorlage", year=2019, last_value=366
            )
        )
    yield service, clock


def at(clock: FixedClock, day: dt.date) -> None:
    clock.instant = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC)


def release(service: WorkflowService, number: str) -> None:
    service.papers.submit_paper(number, user="amt50.sachbearbeitung")
    service.papers.release_paper(number, user="amt50.leitung")


def test_seed_003_as_a_chain_ends_adopted_on_e04(
    herzogenrath: tuple[WorkflowService, FixedClock],
) -> None:
    service, clock = herzogenrath
    original = service.papers.create_paper(
        user="amt50.sachbearbeitung",
        paper_type="sitzungsvorlage",
        title=TITLE,
        office="amt50",
        date=dt.date(2019, 11, 15),
        route="integrationskonzept",
        planned_dates=[dt.date(2019, 12, 3)],
        participants=["amt10"],
    ).number
    assert original == "V/2019/367"
    service.papers.submit_paper(original, user="amt50.sachbearbeitung")
    service.co_signing.co_sign(original, user="amt10.leitung", office="amt10")
    service.papers.release_paper(original, user="amt50.leitung")
    report = "Zwischenbericht zum Sachstand"
    at(clock, dt.date(2019, 12, 3))  # the day of the step's meeting
    service.results.record_result(
        original, user="sitzungsdienst", position=1, outcome="vertagt", note=report
    )

    supplements: list[str] = []
    revisions = [
        (dt.date(2021, 4, 15), "Zwischenbericht 2021", dt.date(2021, 4, 27), "vertagt"),
        (dt.date(2023, 5, 10), "Überarbeitung durch den Runden Tisch", None, None),
        (dt.date(2024, 9, 2), "Fortschreibung der Handlungsfelder", None, None),
        (dt.date(2025, 3, 17), "Vorlage des Konzeptes (250317_Integrationskonzept)", None, None),
    ]
    for day, reason, meeting, outcome in revisions:
        at(clock, day)
        latest = supplements[-1] if supplements else original
        number = service.supplements.create_supplement(
            latest,
            user="amt50.sachbearbeitung",
            reason=reason,
            date=day,
            text=PROPOSAL if day.year == 2025 else None,
        ).number
        release(service, number)
        supplements.append(number)
        if meeting is not None and outcome is not None:
            at(clock, meeting)
            service.results.record_result(
                number,
                user="sitzungsdienst",
                position=1,
                outcome=outcome,
                date=meeting,
                note=report,
            )

    e04 = supplements[-1]
    assert supplements == [f"V/2019/367-E0{i}" for i in range(1, 5)]
    assert e04 == "V/2019/367-E04"  # the Drucksachen-Nr. of the seed
    at(clock, dt.date(2025, 3, 20))
    service.paths.schedule_consultation(
        e04, user="sitzungsdienst", position=1, date=dt.date(2025, 3, 25)
    )
    at(clock, dt.date(2025, 3, 25))
    decided = service.results.record_result(
        e04, user="sitzungsdienst", position=1, outcome="beschlossen", date=dt.date(2025, 3, 25)
    )
    assert decided.state == "objection_period"  # delegated: the Einspruchsfrist runs
    at(clock, dt.date(2025, 4, 2))
    service.decisions.finalize_decision(e04, user="sitzungsdienst")

    chain = service.supplements.paper_chain(original)
    assert [(v.number, v.state) for v in chain] == [
        (original, "superseded"),
        (f"{original}-E01", "superseded"),
        (f"{original}-E02", "superseded"),
        (f"{original}-E03", "superseded"),
        (e04, "adopted"),
    ]
    # done steps stay where they were dealt with; the decision is E04's only step, as the seed
    assert [(c.organization_id, c.role.value, c.date, c.outcome) for c in chain[0].consultations] == [
        ("asidq", "entscheidung", dt.date(2019, 12, 3), "vertagt")
    ]  # fmt: skip
    assert [(c.date, c.outcome) for c in chain[1].consultations] == [
        (dt.date(2021, 4, 27), "vertagt")
    ]
    assert chain[2].consultations == chain[3].consultations == ()
    final = chain[-1]
    assert (final.paper_type_name, final.title, final.office_name) == (
        "Ergänzungsvorlage",
        TITLE,
        "Amt 50 - Sozialamt",
    )
    assert [
        (c.organization_name, c.role.value, c.public, c.date, c.outcome, c.votes)
        for c in final.consultations
    ] == [
        (
            "Ausschuss für Arbeit, Soziales, Integration, Demografie und Quartiersentwicklung",
            "entscheidung",
            True,
            dt.date(2025, 3, 25),
            "beschlossen",
            (),  # the vote box of the seed is empty
        )
    ]
    assert final.text == PROPOSAL
    assert final.origin == original and final.chain == tuple(v.number for v in chain)
    trail = service.supplements.chain_audit_trail(e04)
    assert list(dict.fromkeys(e.paper_number for e in trail)) == [v.number for v in chain]
    assert service.audit.verify_audit().ok
