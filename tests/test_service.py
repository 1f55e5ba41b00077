"""Service behaviour on SQLite and PostgreSQL: lifecycle, path, results, permissions, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.core.clock import FixedClock
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied, TransitionNotAllowed
from workflow.core.model import VoteCount
from workflow.service import WorkflowService

D = dt.date


@pytest.fixture
def clock() -> FixedClock:
    """The results here are dated up to 27.03.2025 (the planned Rat) and recorded after that."""
    return FixedClock(dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC))


def create(service: WorkflowService, **overrides: object) -> str:
    fields: dict[str, object] = {
        "user": "clerk",
        "paper_type": "vorlage",
        "title": "Neubau der Feuerwache",
        "office": "amt1",
        "date": D(2025, 3, 1),
        "route": "standard",
        "planned_dates": [D(2025, 3, 18), D(2025, 3, 27)],
    }
    fields.update(overrides)
    return service.papers.create_paper(**fields).number  # type: ignore[arg-type]


def released(service: WorkflowService) -> str:
    number = create(service)
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    return number


def actions(service: WorkflowService, number: str) -> list[tuple[str, str | None, str | None]]:
    return [(e.action, e.from_state, e.to_state) for e in service.audit.audit_trail(number)]


def test_created_paper_is_a_draft_with_the_routes_path(service: WorkflowService) -> None:
    view = service.papers.create_paper(
        user="clerk",
        paper_type="vorlage",
        title="Feuerwache",
        office="amt1",
        date=D(2025, 3, 1),
        route="standard",
        reference="37-123",
    )
    assert view.number == "V/2025/1"
    assert view.state == "draft"
    assert [(c.position, c.organization_id, c.role.value) for c in view.consultations] == [
        (1, "ausschuss", "vorberatung"),
        (2, "rat", "entscheidung"),
    ]
    assert view.allowed_actions == ("submit", "withdraw")
    trail = service.audit.audit_trail(view.number)
    assert [(e.action, e.actor, e.to_state) for e in trail] == [("paper_created", "clerk", "draft")]
    assert trail[0].payload["reference"] == "37-123"
    assert trail[0].payload["consultations"][1]["organization"] == "rat"


def test_numbers_are_sequential_per_year_and_type(service: WorkflowService) -> None:
    numbers = [create(service) for _ in range(3)]
    numbers.append(create(service, date=D(2026, 1, 2)))
    assert numbers == ["V/2025/1", "V/2025/2", "V/2025/3", "V/2026/1"]


def test_refused_creation_gives_its_number_back(service: WorkflowService) -> None:
    create(service)
    with pytest.raises(
        NotFoundError, match="Beratungsfolge 'standrd' gibt es nicht.*meinten Sie 'standard'"
    ):
        create(service, route="standrd")
    assert create(service) == "V/2025/2"


def test_full_path_ends_adopted_with_votes(service: WorkflowService) -> None:
    number = released(service)
    service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    view = service.results.record_result(
        number,
        user="session",
        position=2,
        outcome="beschlossen",
        label="einstimmig beschlossen",
        votes=[VoteCount(yes=9, no=0, abstain=1, biased=0, label="einstimmig")],
    )
    assert view.state == "adopted"
    assert [c.state for c in view.consultations] == ["held", "held"]
    assert view.consultations[1].date == D(2025, 3, 27)
    assert view.consultations[1].result_label == "einstimmig beschlossen"
    assert view.consultations[1].votes == (
        VoteCount(yes=9, no=0, abstain=1, biased=0, label="einstimmig"),
    )
    assert actions(service, number)[-3:] == [
        ("result_recorded", None, None),
        ("consultation_transitioned", "scheduled", "held"),
        ("paper_transitioned", "in_consultation", "adopted"),
    ]
    assert service.audit.verify_audit().ok


@pytest.mark.parametrize(
    ("outcome", "text", "state"),
    [("abgelehnt", None, "rejected"), ("geaendert_beschlossen", "Geänderter Text.", "adopted")],
)
def test_deciding_result_decides_the_paper(
    service: WorkflowService, outcome: str, text: str | None, state: str
) -> None:
    number = released(service)
    service.results.record_result(number, user="session", position=1, outcome="abgelehnt")
    view = service.results.record_result(
        number, user="session", position=2, outcome=outcome, amended_text=text
    )
    assert view.state == state


def test_rejection_in_vorberatung_is_a_recommendation(service: WorkflowService) -> None:
    number = released(service)
    view = service.results.record_result(number, user="session", position=1, outcome="abgelehnt")
    assert view.state == "in_consultation"
    assert view.consultations[0].result_label == "abgelehnt"


def test_recommendation_cannot_decide(service: WorkflowService) -> None:
    number = released(service)
    service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    with pytest.raises(
        InvalidInput, match="'empfohlen' passt nicht zu Schritt 2 \\(entscheidung\\)"
    ):
        service.results.record_result(number, user="session", position=2, outcome="empfohlen")


def test_steps_are_held_in_order(service: WorkflowService) -> None:
    number = released(service)
    before = actions(service, number)
    with pytest.raises(TransitionNotAllowed) as info:
        service.results.record_result(number, user="session", position=2, outcome="beschlossen")
    # The refused action is named with its reason and not offered as allowed.
    assert str(info.value) == (
        "Schritt 2 von V/2025/1: 'Ergebnis erfassen' ist im Status 'terminiert' nicht möglich "
        "(Voraussetzung fehlt: Schritt 1 (Hauptausschuss) hat noch kein Ergebnis); jetzt möglich: "
        "terminieren (schedule), von der Tagesordnung absetzen (drop)"
    )
    assert "hold" not in info.value.allowed
    assert actions(service, number) == before
    assert service.papers.get_paper(number).state == "released"


def test_results_need_a_released_paper(service: WorkflowService) -> None:
    number = create(service)
    with pytest.raises(TransitionNotAllowed) as info:
        service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    refused = info.value
    assert (refused.paper, refused.action, refused.current, refused.allowed) == (
        "V/2025/1",
        "ein Ergebnis erfassen",
        "draft",
        ("submit", "withdraw"),
    )
    assert service.papers.get_paper(number).consultations[0].state == "planned"


def test_a_held_step_cannot_be_recorded_twice(service: WorkflowService) -> None:
    number = released(service)
    service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    with pytest.raises(
        TransitionNotAllowed, match="Schritt 1 von V/2025/1: .* ist im Status 'beraten' nicht"
    ):
        service.results.record_result(number, user="session", position=1, outcome="abgelehnt")


def test_unknown_outcome_gets_a_hint(service: WorkflowService) -> None:
    number = released(service)
    with pytest.raises(InvalidInput, match="meinten Sie 'beschlossen'"):
        service.results.record_result(number, user="session", position=1, outcome="beschlosen")


def test_path_is_editable_before_release_only(service: WorkflowService) -> None:
    number = create(service)
    view = service.paths.add_consultation(
        number,
        user="clerk",
        organization="ausschuss",
        role="anhoerung",
        position=1,
        planned_date=D(2025, 3, 11),
    )
    assert [(c.position, c.role.value) for c in view.consultations] == [
        (1, "anhoerung"),
        (2, "vorberatung"),
        (3, "entscheidung"),
    ]
    view = service.paths.remove_consultation(number, user="clerk", position=2)
    assert [(c.position, c.role.value) for c in view.consultations] == [
        (1, "anhoerung"),
        (2, "entscheidung"),
    ]
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    with pytest.raises(PermissionDenied, match="keine Berechtigung für paper.route"):
        service.paths.add_consultation(number, user="clerk", organization="rat", role="vorberatung")
    with pytest.raises(InvalidInput, match="braucht eine Begründung"):
        service.paths.add_consultation(
            number, user="session", organization="rat", role="vorberatung"
        )
    assert [a for a, *_ in actions(service, number)].count("consultation_added") == 1


def test_submit_needs_a_concluding_step(service: WorkflowService) -> None:
    number = create(service)
    service.paths.remove_consultation(number, user="clerk", position=2)
    with pytest.raises(
        TransitionNotAllowed, match="Beratungsfolge endet nicht mit einer Entscheidung"
    ):
        service.papers.submit_paper(number, user="clerk")
    service.paths.remove_consultation(number, user="clerk", position=1)
    with pytest.raises(TransitionNotAllowed, match="Beratungsfolge ist leer"):
        service.papers.submit_paper(number, user="clerk")


def test_offices_cannot_be_deliberating_steps(service: WorkflowService) -> None:
    number = create(service)
    with pytest.raises(NotFoundError, match="Gremium 'amt1' gibt es nicht"):
        service.paths.add_consultation(
            number, user="clerk", organization="amt1", role="vorberatung"
        )


def test_roles_are_enforced_and_refusals_change_nothing(service: WorkflowService) -> None:
    number = create(service)
    service.papers.submit_paper(number, user="clerk")
    with pytest.raises(
        PermissionDenied,
        match=r"'clerk' hat keine Berechtigung für 'freigeben' \(release\) bei V/2025/1",
    ):
        service.papers.release_paper(number, user="clerk")
    with pytest.raises(PermissionDenied, match="auditor"):
        create(service, user="auditor")
    with pytest.raises(
        NotFoundError,
        match="Benutzer 'mallory' gibt es nicht in den Definitionen von Stadt Musterstadt",
    ):
        service.papers.submit_paper(number, user="mallory")
    with pytest.raises(PermissionDenied, match="geben Sie --as USER an"):
        service.papers.release_paper(number, user=None)
    assert service.papers.get_paper(number).state == "co_signing"
    assert len(service.audit.audit_trail(number)) == 2


def test_withdraw_cancels_open_steps(service: WorkflowService) -> None:
    number = released(service)
    service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    view = service.papers.withdraw_paper(number, user="clerk", reason="Antrag erledigt")
    assert view.state == "withdrawn"
    assert [c.state for c in view.consultations] == ["held", "cancelled"]
    trail = service.audit.audit_trail(number)
    assert trail[-2].action == "paper_transitioned" and trail[-2].payload["reason"] == (
        "Antrag erledigt"
    )
    assert (trail[-1].from_state, trail[-1].to_state) == ("planned", "cancelled")
    with pytest.raises(
        TransitionNotAllowed, match="im Status 'Zurückgezogen' nicht möglich; jetzt möglich: nichts"
    ):
        service.papers.submit_paper(number, user="clerk")


def test_schedule_sets_the_date(service: WorkflowService) -> None:
    number = released(service)
    view = service.paths.schedule_consultation(
        number, user="session", position=1, date=D(2025, 3, 19)
    )
    assert (view.consultations[0].state, view.consultations[0].date) == (
        "scheduled",
        D(2025, 3, 19),
    )
    view = service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    assert view.consultations[0].date == D(2025, 3, 19)


def test_paper_keeps_its_definitions_version(service: WorkflowService, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from tests.conftest import VALID_DEFINITIONS

    number = create(service)
    old = service.papers.get_paper(number).definitions_version
    changed = tmp_path / "musterstadt"
    shutil.copytree(VALID_DEFINITIONS, changed)
    routes = (changed / "routes.yaml").read_text(encoding="utf-8")
    (changed / "routes.yaml").write_text(routes.replace("GO NRW § 41", "GO NRW § 41 (neu)"))
    with pytest.raises(PermissionDenied):
        service.bodies.load_definitions(changed, user="clerk")
    body = service.bodies.load_definitions(changed, user="admin")
    assert body.definitions_version != old
    assert service.papers.get_paper(number).definitions_version == old
    assert service.papers.get_paper(create(service)).definitions_version == body.definitions_version


def test_unknown_paper_is_named(service: WorkflowService) -> None:
    create(service)
    with pytest.raises(NotFoundError, match="keine Vorlage 'V/2025/2'.*meinten Sie 'V/2025/1'"):
        service.papers.get_paper("V/2025/2")


class TestCoSigning:
    def landau_paper(self, landau: WorkflowService) -> str:
        view = landau.papers.create_paper(
            user="sozialamt.weber",
            paper_type="sitzungsvorlage",
            title="Integrationskonzept",
            office="sozialamt",
            date=D(2011, 11, 23),
            route="integration",
            participants=["hauptamt", "bgm"],
        )
        landau.papers.submit_paper(view.number, user="sozialamt.weber")
        return view.number

    def test_release_waits_for_every_office(self, landau: WorkflowService) -> None:
        number = self.landau_paper(landau)
        landau.co_signing.co_sign(number, user="hauptamt.leitung", office="hauptamt")
        with pytest.raises(TransitionNotAllowed, match="Mitzeichnung steht noch aus von bgm"):
            landau.papers.release_paper(number, user="sozialamt.leitung")
        landau.co_signing.co_sign(number, user="bgm.referent", office="bgm")
        assert landau.papers.release_paper(number, user="sozialamt.leitung").state == "released"

    def test_objection_blocks_release(self, landau: WorkflowService) -> None:
        number = self.landau_paper(landau)
        landau.co_signing.co_sign(number, user="hauptamt.leitung", office="hauptamt")
        landau.co_signing.co_sign(
            number, user="bgm.referent", office="bgm", objection=True, comment="Kosten ungeklärt"
        )
        with pytest.raises(TransitionNotAllowed, match="Einwand von bgm nicht ausgeräumt"):
            landau.papers.release_paper(number, user="sozialamt.leitung")
        landau.co_signing.co_sign(number, user="bgm.referent", office="bgm", comment="geklärt")
        assert landau.papers.release_paper(number, user="sozialamt.leitung").state == "released"
        states = [(e.action, e.payload.get("office")) for e in landau.audit.audit_trail(number)]
        assert ("co_signature_objected", "bgm") in states

    def test_only_members_of_the_office_sign(self, landau: WorkflowService) -> None:
        number = self.landau_paper(landau)
        with pytest.raises(PermissionDenied, match="gehört nicht zum Amt 'bgm'"):
            landau.co_signing.co_sign(number, user="hauptamt.leitung", office="bgm")
        with pytest.raises(NotFoundError, match="kein beteiligtes Amt"):
            landau.co_signing.co_sign(number, user="sozialamt.leitung", office="sozialamt")
