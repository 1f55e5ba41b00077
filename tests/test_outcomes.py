"""Every outcome of domain.md 2.2 and its routing effect; path editing after release; votes,
quorum and majority; text versions. On SQLite and PostgreSQL.

The Musterstadt fixture: route "standard" is Hauptausschuss (Vorberatung, 5 seats, abstentions
counted) -> Rat (Entscheidung, 10 seats, abstentions not counted).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.test_service import actions, create, released
from workflow.core.clock import FixedClock
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied, TransitionNotAllowed
from workflow.core.model import Ballot, NamedBallot, PlannedStep, VoteCount, VoteKind
from workflow.service import WorkflowService

D = dt.date
S = "session"


@pytest.fixture
def clock() -> FixedClock:
    """The results here are dated March to September 2025 and recorded after the last of them."""
    return FixedClock(dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC))


def path(view: object) -> list[tuple[int, str, str, str | None]]:
    return [
        (c.position, c.organization_id, c.state, c.outcome.value if c.outcome else None)
        for c in view.consultations  # type: ignore[attr-defined]
    ]


def trail_length(service: WorkflowService, number: str) -> int:
    return len(service.audit.audit_trail(number))


# -- outcomes and their routing effects ---------------------------------------------------------


def test_vertagt_brings_the_same_body_again_with_its_target_date(
    service: WorkflowService,
) -> None:
    number = released(service)
    view = service.results.record_result(
        number,
        user=S,
        position=1,
        outcome="vertagt",
        target_date=D(2025, 4, 8),
        note="Beratungsbedarf",
    )
    assert view.state == "in_consultation"
    assert path(view) == [
        (1, "ausschuss", "held", "vertagt"),
        (2, "ausschuss", "planned", None),
        (3, "rat", "planned", None),
    ]
    assert view.consultations[1].planned_date == D(2025, 4, 8)
    assert view.consultations[1].note == "vertagt in Schritt 1"
    assert view.consultations[1].role.value == "vorberatung"
    added = [e for e in service.audit.audit_trail(number) if e.action == "consultation_added"]
    assert added[-1].payload["reason"] == "vertagt in Schritt 1"
    view = service.results.record_result(number, user=S, position=2, outcome="empfohlen")
    # the Rat (planned for 27.03.) cannot decide before the Ausschuss advised on 08.04.
    before = len(service.audit.audit_trail(number))
    with pytest.raises(InvalidInput) as info:
        service.results.record_result(number, user=S, position=3, outcome="beschlossen")
    assert str(info.value) == (
        "das Ergebnis von Schritt 3 der Vorlage V/2025/1 ist auf den 27.03.2025 datiert, vor dem "
        "Ergebnis des früheren Schritts 2 (Hauptausschuss) vom 08.04.2025"
    )
    assert len(service.audit.audit_trail(number)) == before
    view = service.results.record_result(
        number, user=S, position=3, outcome="beschlossen", date=D(2025, 4, 15)
    )
    assert view.state == "adopted"
    assert service.audit.verify_audit().ok


def test_zurueckgestellt_in_the_deciding_body_repeats_the_decision(
    service: WorkflowService,
) -> None:
    number = released(service)
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    view = service.results.record_result(number, user=S, position=2, outcome="zurueckgestellt")
    assert view.state == "in_consultation"
    assert [(c.organization_id, c.role.value, c.state) for c in view.consultations][1:] == [
        ("rat", "entscheidung", "held"),
        ("rat", "entscheidung", "planned"),
    ]
    view = service.results.record_result(
        number, user=S, position=3, outcome="beschlossen", date=D(2025, 5, 1)
    )
    assert view.state == "adopted"


def test_abgesetzt_means_no_deliberation_and_the_body_again(service: WorkflowService) -> None:
    number = released(service)
    view = service.results.record_result(number, user=S, position=1, outcome="abgesetzt")
    assert path(view)[:2] == [
        (1, "ausschuss", "dropped", "abgesetzt"),
        (2, "ausschuss", "planned", None),
    ]
    with pytest.raises(InvalidInput, match="nur die Verfahrensabstimmung"):
        service.results.record_result(
            number,
            user=S,
            position=2,
            outcome="abgesetzt",
            votes=[VoteCount(yes=3, no=2)],
            date=D(2025, 4, 1),
        )
    procedural = VoteCount(subject="Absetzungsantrag", kind=VoteKind.PROCEDURAL, yes=3, no=2)
    view = service.results.record_result(
        number, user=S, position=2, outcome="abgesetzt", votes=[procedural], date=D(2025, 4, 1)
    )
    assert view.consultations[1].state == "dropped"
    assert view.consultations[1].votes == (procedural,)
    assert len(view.consultations) == 4


def test_vertagt_in_folgegremium_skips_the_vote_but_not_in_the_deciding_body(
    service: WorkflowService,
) -> None:
    number = released(service)
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    with pytest.raises(InvalidInput, match="passt nicht zu Schritt 2"):
        service.results.record_result(number, user=S, position=2, outcome="vertagt_in_folgegremium")
    number = released(service)
    view = service.results.record_result(
        number, user=S, position=1, outcome="vertagt_in_folgegremium"
    )
    assert path(view) == [
        (1, "ausschuss", "held", "vertagt_in_folgegremium"),
        (2, "rat", "planned", None),
    ]


def test_zurueckverwiesen_by_the_council_goes_back_and_returns(service: WorkflowService) -> None:
    number = released(service)
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    before = trail_length(service, number)
    with pytest.raises(InvalidInput, match="braucht das Gremium, an das es geht$"):
        service.results.record_result(number, user=S, position=2, outcome="zurueckverwiesen")
    with pytest.raises(NotFoundError, match="'ausschus'.*meinten Sie 'ausschuss'"):
        service.results.record_result(
            number, user=S, position=2, outcome="zurueckverwiesen", refer_to="ausschus"
        )
    assert trail_length(service, number) == before  # refused: nothing written
    view = service.results.record_result(
        number, user=S, position=2, outcome="zurueckverwiesen", refer_to="ausschuss"
    )
    assert [(c.organization_id, c.role.value, c.state) for c in view.consultations] == [
        ("ausschuss", "vorberatung", "held"),
        ("rat", "entscheidung", "held"),
        ("ausschuss", "vorberatung", "planned"),
        ("rat", "entscheidung", "planned"),
    ]
    assert view.state == "in_consultation"
    service.results.record_result(
        number,
        user=S,
        position=3,
        date=D(2025, 6, 1),
        outcome="mit_aenderungen_empfohlen",
        amended_text="Neu.",
    )
    view = service.results.record_result(
        number, user=S, position=4, date=D(2025, 6, 1), outcome="ungeaendert_beschlossen"
    )
    assert view.state == "adopted"


def test_ueberwiesen_to_a_body_that_decides_ends_there(service: WorkflowService) -> None:
    number = released(service)
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    view = service.results.record_result(
        number,
        user=S,
        position=2,
        outcome="ueberwiesen",
        refer_to="ausschuss",
        refer_role="entscheidung",
    )
    assert [(c.organization_id, c.role.value) for c in view.consultations][2:] == [
        ("ausschuss", "entscheidung")
    ]
    view = service.results.record_result(
        number, user=S, position=3, date=D(2025, 6, 1), outcome="beschlossen"
    )
    assert view.state == "adopted"


def test_refer_arguments_only_fit_referrals(service: WorkflowService) -> None:
    number = released(service)
    with pytest.raises(
        InvalidInput, match="nur ueberwiesen oder zurueckverwiesen gehen an ein anderes Gremium"
    ):
        service.results.record_result(
            number, user=S, position=1, outcome="empfohlen", refer_to="rat"
        )
    with pytest.raises(
        InvalidInput, match="nur vertagt, zurueckgestellt oder abgesetzt haben einen Zieltermin"
    ):
        service.results.record_result(
            number, user=S, position=1, outcome="empfohlen", target_date=D(2025, 5, 1)
        )


def test_zurueckgezogen_ends_the_path_without_a_decision(service: WorkflowService) -> None:
    number = released(service)
    view = service.results.record_result(number, user=S, position=1, outcome="zurueckgezogen")
    assert view.state == "withdrawn"
    assert path(view) == [(1, "ausschuss", "held", "zurueckgezogen"), (2, "rat", "cancelled", None)]
    assert ("paper_transitioned", "in_consultation", "withdrawn") in actions(service, number)


def test_genehmigt_approves_in_a_genehmigung_step(service: WorkflowService) -> None:
    number = create(service)
    service.paths.remove_consultation(number, user="clerk", position=2)
    service.paths.add_consultation(
        number, user="clerk", organization="rat", role="genehmigung", planned_date=D(2025, 4, 1)
    )
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    service.results.record_result(number, user=S, position=1, outcome="zur_kenntnis_genommen")
    with pytest.raises(
        InvalidInput, match="'beschlossen' passt nicht zu Schritt 2 \\(genehmigung\\)"
    ):
        service.results.record_result(number, user=S, position=2, outcome="beschlossen")
    view = service.results.record_result(number, user=S, position=2, outcome="genehmigt")
    assert view.state == "adopted"


def test_geaendert_beschlossen_makes_the_amended_text_a_new_version(
    service: WorkflowService,
) -> None:
    number = create(service, text="Der Rat beschließt den Neubau.")
    service.papers.submit_paper(number, user="clerk")
    view = service.papers.release_paper(number, user="head")
    assert [(v.number, v.source) for v in view.text_versions] == [(1, "released")]
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    with pytest.raises(
        InvalidInput, match="ändert den Wortlaut; geben Sie den geänderten Text an$"
    ):
        service.results.record_result(number, user=S, position=2, outcome="geaendert_beschlossen")
    with pytest.raises(InvalidInput, match="ein geänderter Text passt nur"):
        service.results.record_result(
            number, user=S, position=2, outcome="beschlossen", amended_text="x"
        )
    amended = "Der Rat beschließt den Neubau mit zwei Stellplätzen mehr."
    view = service.results.record_result(
        number, user=S, position=2, outcome="geaendert_beschlossen", amended_text=amended
    )
    assert view.state == "adopted"
    assert view.text == amended
    assert [(v.number, v.source, v.position, v.organization_id) for v in view.text_versions] == [
        (1, "released", None, None),
        (2, "amended", 2, "rat"),
    ]
    event = [e for e in service.audit.audit_trail(number) if e.action == "text_version_created"][-1]
    assert event.payload["text"] == amended and len(event.payload["sha256"]) == 64


def test_municipal_labels_map_onto_outcomes(service: WorkflowService) -> None:
    number = released(service)
    view = service.results.record_result(
        number, user=S, position=1, outcome="Ohne Votum weitergeleitet"
    )
    assert view.consultations[0].outcome is not None
    assert view.consultations[0].outcome.value == "vertagt_in_folgegremium"
    assert view.consultations[0].result_label == "Ohne Votum weitergeleitet"
    with pytest.raises(InvalidInput, match="unbekanntes Ergebnis 'beschlosen'.*'beschlossen'"):
        service.results.record_result(number, user=S, position=2, outcome="beschlosen")


# -- votes, quorum, majority --------------------------------------------------------------------


def test_quorum_is_checked_both_ways_for_excluded_members(service: WorkflowService) -> None:
    number = released(service)
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    view = service.results.record_result(
        number,
        user=S,
        position=2,
        outcome="beschlossen",
        votes=[VoteCount(yes=4, no=0, abstain=1, biased=1, absent=4)],
    )
    assert view.warnings == (
        (
            "Rat der Stadt Musterstadt war für 'Hauptantrag' nur beschlussfähig, wenn die 1 wegen "
            "Befangenheit ausgeschlossenen Mitglieder als anwesend zählen (5 ohne sie, 6 nötig)"
        ),
    )
    # the audit trail keeps the warning as it was stored (English), the person reads German
    event = [e for e in service.audit.audit_trail(number) if e.action == "result_recorded"][-1]
    assert event.payload["warnings"] == [
        (
            "Rat der Stadt Musterstadt was quorate for 'Hauptantrag' only if the 1 members "
            "excluded as befangen count as present (5 without them, 6 needed)"
        )
    ]


def test_not_quorate_and_impossible_counts(service: WorkflowService) -> None:
    number = released(service)
    before = trail_length(service, number)
    with pytest.raises(InvalidInput, match="zählt 6 Mitglieder, Hauptausschuss hat aber 5 Sitze"):
        service.results.record_result(
            number, user=S, position=1, outcome="empfohlen", votes=[VoteCount(yes=6)]
        )
    assert trail_length(service, number) == before
    view = service.results.record_result(
        number, user=S, position=1, outcome="empfohlen", votes=[VoteCount(yes=2, no=0)]
    )
    assert view.warnings == (
        (
            "Hauptausschuss war für 'Hauptantrag' nicht beschlussfähig: 2 von 5 Mitgliedern anwesend, "
            "3 nötig"
        ),
    )


def test_majority_follows_the_bodys_rule_on_abstentions(service: WorkflowService) -> None:
    number = released(service)
    # Hauptausschuss counts abstentions: 2 Ja against 1 Nein + 2 Enthaltungen is no majority.
    view = service.results.record_result(
        number, user=S, position=1, outcome="empfohlen", votes=[VoteCount(yes=2, no=1, abstain=2)]
    )
    assert view.warnings == (
        (
            "'empfohlen', aber die Hauptabstimmung hat keine Mehrheit "
            "(Ja 2 gegen 3 Nein und Enthaltungen)"
        ),
    )
    # The Rat does not count them: 3 Ja against 2 Nein carries despite 4 Enthaltungen.
    view = service.results.record_result(
        number,
        user=S,
        position=2,
        outcome="beschlossen",
        votes=[
            VoteCount(subject="Änderungsantrag", kind=VoteKind.AMENDMENT, yes=1, no=8),
            VoteCount(yes=3, no=2, abstain=4),
        ],
    )
    assert view.warnings == ()
    assert [v.kind for v in view.consultations[1].votes] == [VoteKind.AMENDMENT, VoteKind.MAIN]


def test_named_ballots_give_the_counts_and_must_agree(service: WorkflowService) -> None:
    number = released(service)
    named = (
        NamedBallot(member="Arendt", ballot=Ballot.YES),
        NamedBallot(member="Böll", ballot=Ballot.YES),
        NamedBallot(member="Curie", ballot=Ballot.ABSTAIN),
        NamedBallot(member="Dürer", ballot=Ballot.ABSENT),
    )
    with pytest.raises(InvalidInput, match="yes=3 passt nicht zu den 2 namentlichen Stimmen yes"):
        service.results.record_result(
            number, user=S, position=1, outcome="empfohlen", votes=[VoteCount(yes=3, named=named)]
        )
    with pytest.raises(InvalidInput, match="Arendt mehr als einmal genannt"):
        service.results.record_result(
            number,
            user=S,
            position=1,
            outcome="empfohlen",
            votes=[VoteCount(named=(*named, NamedBallot(member="Arendt", ballot=Ballot.NO)))],
        )
    view = service.results.record_result(
        number, user=S, position=1, outcome="empfohlen", votes=[VoteCount(named=named)]
    )
    [vote] = view.consultations[0].votes
    assert (vote.yes, vote.no, vote.abstain, vote.absent) == (2, 0, 1, 1)
    assert vote.named == named


# -- the path after release ---------------------------------------------------------------------


def test_session_office_edits_the_released_path_with_a_reason(service: WorkflowService) -> None:
    number = released(service)
    view = service.paths.add_consultation(
        number,
        user=S,
        organization="ausschuss",
        role="anhoerung",
        position=2,
        reason="Stellungnahme erbeten",
    )
    assert [(c.position, c.role.value, c.level) for c in view.consultations] == [
        (1, "vorberatung", 1),
        (2, "anhoerung", 2),
        (3, "entscheidung", 3),
    ]
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    with pytest.raises(
        InvalidInput,
        match="Schritt 1 der Vorlage .* ist bereits beraten; das Einfügen eines Schrittes davor",
    ):
        service.paths.add_consultation(
            number, user=S, organization="rat", role="vorberatung", position=1, reason="x"
        )
    view = service.paths.remove_consultation(number, user=S, position=2, reason="entfällt")
    assert path(view)[1] == (2, "ausschuss", "cancelled", None)
    with pytest.raises(InvalidInput, match="hätte keine Entscheidung"):
        service.paths.remove_consultation(number, user=S, position=3, reason="x")
    view = service.results.record_result(number, user=S, position=3, outcome="beschlossen")
    assert view.state == "adopted"
    assert service.audit.verify_audit().ok


def test_parallel_steps_are_joined_before_the_next_level(service: WorkflowService) -> None:
    number = create(service)
    service.paths.add_consultation(
        number,
        user="clerk",
        organization="rat",
        role="anhoerung",
        parallel_to=1,
        planned_date=D(2025, 3, 20),
    )
    with pytest.raises(
        InvalidInput, match="parallele Schritte müssen Vorberatung oder Anhörung sein"
    ):
        service.paths.add_consultation(
            number, user="clerk", organization="ausschuss", role="vorberatung", parallel_to=3
        )
    service.papers.submit_paper(number, user="clerk")
    view = service.papers.release_paper(number, user="head")
    assert [(c.position, c.organization_id, c.level) for c in view.consultations] == [
        (1, "ausschuss", 1),
        (2, "rat", 1),
        (3, "rat", 2),
    ]
    service.results.record_result(number, user=S, position=2, outcome="empfohlen")  # order is free
    with pytest.raises(
        TransitionNotAllowed, match="Schritt 1 \\(Hauptausschuss\\) hat noch kein Ergebnis"
    ):
        service.results.record_result(number, user=S, position=3, outcome="beschlossen")
    service.results.record_result(number, user=S, position=1, outcome="vertagt")
    view = service.papers.get_paper(number)
    # The postponed Vorberatung comes again on a level of its own, still before the decision.
    assert [(c.organization_id, c.level, c.state) for c in view.consultations] == [
        ("ausschuss", 1, "held"),
        ("rat", 1, "held"),
        ("ausschuss", 2, "planned"),
        ("rat", 3, "planned"),
    ]
    service.results.record_result(
        number, user=S, position=3, date=D(2025, 6, 1), outcome="empfohlen"
    )
    assert (
        service.results.record_result(
            number, user=S, position=4, date=D(2025, 6, 1), outcome="beschlossen"
        ).state
        == "adopted"
    )


def test_move_reorders_open_steps(service: WorkflowService) -> None:
    number = create(service)
    service.paths.add_consultation(
        number, user="clerk", organization="rat", role="anhoerung", position=2
    )
    view = service.paths.move_consultation(number, user="clerk", position=2, to=1)
    assert [(c.position, c.organization_id, c.role.value, c.level) for c in view.consultations] == [
        (1, "rat", "anhoerung", 1),
        (2, "ausschuss", "vorberatung", 2),
        (3, "rat", "entscheidung", 3),
    ]
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    with pytest.raises(InvalidInput, match="nur einen abschließenden Schritt haben, am Ende"):
        service.paths.move_consultation(number, user=S, position=3, to=2, reason="Rat zuerst")
    moved = [e for e in service.audit.audit_trail(number) if e.action == "consultation_moved"]
    assert [(e.payload["from_position"], e.payload["to_position"]) for e in moved] == [(2, 1)]


def test_neue_beratungsfolge_replaces_the_open_path(service: WorkflowService) -> None:
    number = released(service)
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    with pytest.raises(PermissionDenied, match="keine Berechtigung für paper.route"):
        service.paths.replace_path(
            number,
            user="clerk",
            steps=[PlannedStep(organization="rat", role="entscheidung")],
            reason="x",
        )
    view = service.paths.replace_path(
        number,
        user=S,
        steps=[
            PlannedStep(organization="ausschuss", role="anhoerung", planned_date=D(2025, 9, 2)),
            PlannedStep(organization="rat", role="entscheidung", planned_date=D(2025, 9, 25)),
        ],
        reason="Neue Beratungsfolge auf Bitte des Ausschusses",
    )
    assert [
        (c.organization_id, c.role.value, c.state, c.planned_date) for c in view.consultations
    ] == [
        ("ausschuss", "vorberatung", "held", D(2025, 3, 18)),
        ("rat", "entscheidung", "cancelled", D(2025, 3, 27)),
        ("ausschuss", "anhoerung", "planned", D(2025, 9, 2)),
        ("rat", "entscheidung", "planned", D(2025, 9, 25)),
    ]
    event = [e for e in service.audit.audit_trail(number) if e.action == "path_replaced"][-1]
    assert [s["organization"] for s in event.payload["old"]] == ["ausschuss", "rat"]
    assert [s["role"] for s in event.payload["new"]][-2:] == ["anhoerung", "entscheidung"]
    service.results.record_result(number, user=S, position=3, outcome="empfohlen")
    assert (
        service.results.record_result(number, user=S, position=4, outcome="beschlossen").state
        == "adopted"
    )
    assert service.audit.verify_audit().ok


def test_the_path_of_a_decided_paper_is_closed(service: WorkflowService) -> None:
    number = released(service)
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    service.results.record_result(number, user=S, position=2, outcome="beschlossen")
    with pytest.raises(TransitionNotAllowed, match="ihre Beratungsfolge ist abgeschlossen"):
        service.paths.add_consultation(
            number, user=S, organization="rat", role="kenntnisnahme", reason="nachträglich"
        )
