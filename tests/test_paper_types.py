"""Paper types in the three shipped municipalities: Beschlussvorlage, Mitteilungsvorlage,
Antrag, Anfrage and Ergänzungsvorlage, each numbered by its own pattern and behaving as its
definitions say (concluding_roles, submitted_by, answered, votes, supplement_type)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from storage.session import Database
from tests.test_definitions import small_files
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.errors import DefinitionError, InvalidInput
from workflow.core.model import VoteCount
from workflow.definitions import catalog_from_files, resolve_definitions_dir
from workflow.service import WorkflowService

# results are dated up to 27.03.2025 and recorded after that
START = dt.datetime(2025, 3, 28, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Town:
    name: str
    office: str
    clerk: str
    head: str
    session: str
    decision_type: str
    decision_route: str
    notice_route: str
    motion_route: str
    inquiry_route: str
    numbers: dict[str, str]  # paper type -> first number in 2025


TOWNS = [
    Town(
        "landau", "sozialamt", "sozialamt.weber", "sozialamt.leitung", "sitzungsdienst.becker",
        "sitzungsvorlage", "stadtrat", "mitteilung_stadtrat", "antrag_stadtrat",
        "mitteilung_stadtrat",
        {
            "decision": "2025/001", "mitteilungsvorlage": "M/2025/001", "antrag": "A/2025/001",
            "anfrage": "AF/2025/001", "supplement": "2025/001/1",
        },
    ),
    Town(
        "herzogenrath", "amt50", "amt50.sachbearbeitung", "amt50.leitung", "sitzungsdienst",
        "sitzungsvorlage", "rat", "mitteilung_asidq", "rat", "anfrage_rat",
        {
            "decision": "V/2025/1", "mitteilungsvorlage": "M/2025/1", "antrag": "A/2025/1",
            "anfrage": "F/2025/1", "supplement": "V/2025/1-E01",
        },
    ),
    Town(
        "voelklingen", "wks", "wks.sachbearbeitung", "wks.leitung", "sitzungsdienst",
        "beschlussvorlage", "stadtrat", "mitteilung_stadtrat", "stadtrat", "mitteilung_stadtrat",
        {
            "decision": "2025/0001", "mitteilungsvorlage": "M2025/0001", "antrag": "A2025/0001",
            "anfrage": "F2025/0001", "supplement": "2025/0001-1",
        },
    ),
]  # fmt: skip


@pytest.fixture(params=TOWNS, ids=[t.name for t in TOWNS])
def town(
    request: pytest.FixtureRequest, database: Database
) -> Iterator[tuple[WorkflowService, Town]]:
    service = WorkflowService(database, FixedClock(START))
    service.bodies.load_definitions(resolve_definitions_dir(request.param.name), user=None)
    yield service, request.param


def create(service: WorkflowService, t: Town, kind: str, route: str, **extra: object) -> str:
    return service.papers.create_paper(
        user=t.session if "faction" in extra else t.clerk, paper_type=kind, title="Integration",
        office=t.office, date=dt.date(2025, 3, 3), route=route, **extra,  # type: ignore[arg-type]
    ).number  # fmt: skip


def release(service: WorkflowService, t: Town, number: str) -> None:
    service.papers.submit_paper(number, user=t.clerk)
    service.papers.release_paper(number, user=t.head)


def conclude(service: WorkflowService, t: Town, number: str, outcome: str, **kw: object) -> str:
    """Recommend in every Vorberatung, then record ``outcome`` in the concluding step."""
    view = service.papers.get_paper(number)
    for step in view.consultations[:-1]:
        service.results.record_result(
            number, user=t.session, position=step.position, outcome="empfohlen",
            date=dt.date(2025, 3, 18),
        )  # fmt: skip
    last = view.consultations[-1].position
    return service.results.record_result(
        number, user=t.session, position=last, outcome=outcome, date=dt.date(2025, 3, 27),
        **kw,  # type: ignore[arg-type]
    ).state  # fmt: skip


def test_beschlussvorlage_is_decided(town: tuple[WorkflowService, Town]) -> None:
    service, t = town
    number = create(service, t, t.decision_type, t.decision_route)
    assert number == t.numbers["decision"]
    release(service, t, number)
    state = conclude(service, t, number, "beschlossen", votes=[VoteCount(yes=10, no=2)])
    assert state in ("adopted", "objection_period")


def test_mitteilungsvorlage_ends_in_kenntnisnahme(town: tuple[WorkflowService, Town]) -> None:
    service, t = town
    with pytest.raises(
        InvalidInput, match="eine Vorlage der Art Mitteilungsvorlage endet mit kenntnisnahme"
    ):
        create(service, t, "mitteilungsvorlage", t.decision_route)
    number = create(service, t, "mitteilungsvorlage", t.notice_route)
    assert number == t.numbers["mitteilungsvorlage"]
    release(service, t, number)
    with pytest.raises(
        InvalidInput, match="'beschlossen' passt nicht zu Schritt 1 \\(kenntnisnahme\\)"
    ):
        conclude(service, t, number, "beschlossen")
    with pytest.raises(InvalidInput, match="hätte keine Entscheidung|endet mit kenntnisnahme"):
        service.paths.add_consultation(
            number, user=t.session, organization=service.papers.get_paper(number).consultations[0].organization_id,
            role="entscheidung", reason="Beschluss gewünscht",
        )  # fmt: skip
    assert conclude(service, t, number, "zur_kenntnis_genommen") == "noted"


def test_antrag_records_its_faction_and_members(town: tuple[WorkflowService, Town]) -> None:
    service, t = town
    with pytest.raises(
        InvalidInput,
        match="eine Vorlage der Art Antrag wird von einer Fraktion eingereicht; nennen Sie die Fraktion",
    ):
        create(service, t, "antrag", t.motion_route)
    result = CliRunner().invoke(
        cli,
        ["paper", "create", "--type", "antrag", "--title", "Sprachkurse", "--office", t.office,
         "--route", t.motion_route, "--date", "2025-03-03", "--faction", "Fraktion A",
         "--member", "M. Muster", "--member", "E. Beispiel"],
        obj=service, env={"RATSWEG_USER": t.session},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    number = t.numbers["antrag"]
    assert result.stderr == f"{number} angelegt\n"
    assert "Eingereicht von: Fraktion A (M. Muster, E. Beispiel)" in result.stdout
    view = service.papers.get_paper(number)
    assert (view.paper_type_name, view.faction, view.members) == (
        "Antrag",
        "Fraktion A",
        ("M. Muster", "E. Beispiel"),
    )
    created = service.audit.audit_trail(number)[0].payload
    assert (created["faction"], created["members"]) == ("Fraktion A", ["M. Muster", "E. Beispiel"])
    release(service, t, number)
    assert conclude(service, t, number, "abgelehnt", votes=[VoteCount(yes=3, no=20)]) == "rejected"


def test_anfrage_is_answered_and_ends_without_a_vote(town: tuple[WorkflowService, Town]) -> None:
    service, t = town
    number = create(service, t, "anfrage", t.inquiry_route, faction="Fraktion B")
    assert number == t.numbers["anfrage"]
    with pytest.raises(InvalidInput, match="schreibt ein Amt"):
        create(service, t, t.decision_type, t.decision_route, faction="Fraktion B")
    release(service, t, number)
    with pytest.raises(
        InvalidInput, match=f"{number} hat noch keine Antwort; erfassen Sie zuerst die Antwort"
    ):
        conclude(service, t, number, "zur_kenntnis_genommen")
    answered = service.paper_types.record_answer(
        number, user=t.clerk, text="Es gibt 12 Kurse.", date=dt.date(2025, 3, 20)
    )
    assert (answered.answer, answered.answer_date) == ("Es gibt 12 Kurse.", dt.date(2025, 3, 20))
    with pytest.raises(InvalidInput, match="bereits am 20.03.2025 beantwortet"):
        service.paper_types.record_answer(
            number, user=t.clerk, text="Nochmal", date=dt.date(2025, 3, 21)
        )
    with pytest.raises(InvalidInput, match="eine Vorlage der Art Anfrage endet ohne Abstimmung"):
        conclude(service, t, number, "zur_kenntnis_genommen", votes=[VoteCount(yes=1)])
    assert conclude(service, t, number, "zur_kenntnis_genommen") == "noted"
    event = [e for e in service.audit.audit_trail(number) if e.action == "answer_recorded"]
    assert [e.payload for e in event] == [{"date": "2025-03-20", "answer": "Es gibt 12 Kurse."}]


def test_only_an_anfrage_is_answered(town: tuple[WorkflowService, Town]) -> None:
    service, t = town
    number = create(service, t, t.decision_type, t.decision_route)
    release(service, t, number)
    with pytest.raises(InvalidInput, match="die nicht beantwortet wird"):
        service.paper_types.record_answer(number, user=t.clerk, text="x", date=dt.date(2025, 3, 20))


def test_ergaenzungsvorlage_is_numbered_by_the_towns_pattern(
    town: tuple[WorkflowService, Town],
) -> None:
    service, t = town
    number = create(service, t, t.decision_type, t.decision_route)
    release(service, t, number)
    service.results.record_result(
        number, user=t.session, position=1, outcome="empfohlen", date=dt.date(2025, 3, 18)
    )
    supplement = service.supplements.create_supplement(
        number, user=t.clerk, reason="Neue Zahlen", date=dt.date(2025, 3, 19)
    )
    assert (supplement.number, supplement.paper_type_name) == (
        t.numbers["supplement"],
        "Ergänzungsvorlage",
    )
    assert service.papers.get_paper(number).state == "superseded"


def test_ergaenzungsvorlage_follows_the_rules_of_its_original(
    town: tuple[WorkflowService, Town],
) -> None:
    service, t = town
    number = create(service, t, "anfrage", t.inquiry_route, faction="Fraktion B")
    release(service, t, number)
    supplement = service.supplements.create_supplement(
        number, user=t.session, reason="Frage präzisiert", date=dt.date(2025, 3, 19)
    ).number
    release(service, t, supplement)
    assert service.papers.get_paper(supplement).faction == "Fraktion B"
    with pytest.raises(InvalidInput, match="hat noch keine Antwort"):
        conclude(service, t, supplement, "zur_kenntnis_genommen")


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (
            "  - {id: vorlage, name: V, numbering: 'V/{year}/{seq}', supplement_type: vorlage}\n",
            "paper_types[0].supplement_type",
            "supplement_type 'vorlage' ist keine Vorlagenart für Ergänzungsvorlagen",
        ),
        (
            (
                "  - {id: vorlage, name: V, numbering: 'V/{year}/{seq}', "
                "concluding_roles: [vorberatung]}\n"
            ),
            "paper_types[0].concluding_roles[0]",
            "'vorberatung' schließt keine Beratungsfolge ab",
        ),
        (
            "  - {id: vorlage, name: V, numbering: 'V/{year}/{seq}', submitted_by: fraktion}\n",
            "paper_types[0].submitted_by",
            "Einreicher 'fraktion' ist unbekannt",
        ),
    ],
)
def test_paper_type_problems_are_located(text: str, path: str, message: str) -> None:
    files = small_files(**{"paper_types.yaml": "paper_types:\n" + text})
    with pytest.raises(DefinitionError) as info:
        catalog_from_files(files, "musterstadt")
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.path) == ("paper_types.yaml", 2, path)
    assert problem.message.startswith(message)
