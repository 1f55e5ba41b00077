"""What the session office asks before it records a result: the results a step may record
(the municipality's labels first) and the quorum and majority warnings of a result with its
votes, computed without recording anything. Both databases."""

from __future__ import annotations

import pytest

from tests.test_meeting import released
from workflow.core.errors import InvalidInput, NotFoundError
from workflow.core.model import NamedBallot, Outcome, VoteCount, VoteKind
from workflow.core.model.results import Ballot
from workflow.service import WorkflowService


def test_the_choices_of_a_vorberatung_start_with_the_municipal_labels(
    service: WorkflowService,
) -> None:
    number = released(service)
    choices = service.results.result_options(number, position=1, reader="session")
    labels = [c.label for c in choices]
    assert labels[:2] == ["einstimmig beschlossen", "ohne Votum weitergeleitet"]
    assert choices[0].municipal and not choices[2].municipal
    assert "empfohlen" in labels and "zurückverwiesen" in labels
    refer = next(c for c in choices if c.label == "überwiesen")
    assert refer.refers and not refer.repeats_step
    assert next(c for c in choices if c.label == "vertagt").repeats_step


def test_a_deciding_step_offers_no_recommendation(service: WorkflowService) -> None:
    number = released(service)
    choices = service.results.result_options(number, position=2, reader="session")
    outcomes = {c.outcome for c in choices}
    assert Outcome.BESCHLOSSEN in outcomes and Outcome.ABGELEHNT in outcomes
    assert Outcome.EMPFOHLEN not in outcomes
    assert Outcome.VERTAGT_IN_FOLGEGREMIUM not in outcomes  # "ohne Votum weitergeleitet"


def test_adopted_without_a_majority_is_warned_and_nothing_is_recorded(
    service: WorkflowService,
) -> None:
    number = released(service)
    before = service.papers.get_paper(number)
    votes = [VoteCount(yes=3, no=3, abstain=1)]
    warnings = service.results.check_result_votes(
        number, position=2, outcome="beschlossen", votes=votes, reader="session"
    )
    assert len(warnings) == 1 and "keine Mehrheit" in warnings[0]
    assert service.papers.get_paper(number) == before


def test_a_rejection_with_a_majority_is_warned(service: WorkflowService) -> None:
    number = released(service)
    warnings = service.results.check_result_votes(
        number, position=2, outcome="abgelehnt", votes=[VoteCount(yes=6, no=1)], reader="session"
    )
    assert len(warnings) == 1 and "Mehrheit" in warnings[0]


def test_too_few_members_present_is_a_quorum_warning(service: WorkflowService) -> None:
    number = released(service)  # Hauptausschuss: 5 seats, quorate with 3
    warnings = service.results.check_result_votes(
        number, position=1, outcome=None, votes=[VoteCount(yes=2, no=0)], reader="session"
    )
    assert len(warnings) == 1 and "nicht beschlussfähig" in warnings[0]
    quorate = service.results.check_result_votes(
        number, position=1, outcome="empfohlen", votes=[VoteCount(yes=3)], reader="session"
    )
    assert quorate == ()


def test_procedural_votes_count_for_the_quorum_but_not_for_the_majority(
    service: WorkflowService,
) -> None:
    number = released(service)
    votes = [
        VoteCount(subject="Vertagungsantrag", kind=VoteKind.PROCEDURAL, yes=1, no=4),
        VoteCount(yes=4, no=1),
    ]
    assert (
        service.results.check_result_votes(
            number, position=1, outcome="empfohlen", votes=votes, reader="session"
        )
        == ()
    )


@pytest.mark.parametrize(
    "vote",
    [
        VoteCount(yes=4, no=2),  # 6 of 5 seats
        VoteCount(yes=-1),
        VoteCount(yes=2, named=(NamedBallot(member="Müller", ballot=Ballot.YES),)),
    ],
)
def test_counts_that_cannot_be_are_refused(service: WorkflowService, vote: VoteCount) -> None:
    number = released(service)
    with pytest.raises(InvalidInput):
        service.results.check_result_votes(
            number, position=1, outcome="empfohlen", votes=[vote], reader="session"
        )


def test_named_ballots_are_counted_for_the_warnings(service: WorkflowService) -> None:
    number = released(service)
    named = tuple(
        NamedBallot(member=name, ballot=Ballot.NO) for name in ("Anna", "Bert", "Cem", "Dora")
    )
    warnings = service.results.check_result_votes(
        number, position=1, outcome="empfohlen", votes=[VoteCount(named=named)], reader="session"
    )
    assert len(warnings) == 1 and "keine Mehrheit" in warnings[0]


def test_an_unknown_step_is_not_found(service: WorkflowService) -> None:
    number = released(service)
    with pytest.raises(NotFoundError):
        service.results.result_options(number, position=9, reader="session")
