"""Before a step's result is recorded: the results the step may record (the municipality's
labels first, then the outcomes' own) and the warnings a result with its votes would give
(quorum, majority), computed without recording anything. The session office's screen asks
these while the meeting goes on; ``apply_result`` gives the same warnings when it records."""

from __future__ import annotations

from collections.abc import Sequence

from workflow.core.catalog import Catalog
from workflow.core.model import ConsultationRole, Outcome, ResultChoice, ResultEffect, VoteCount
from workflow.papers.tally import check_votes, complete_vote, shown

#: Outcomes each role of step may record (Vorberatung results are recommendations).
_REROUTING = {
    ResultEffect.POSTPONE,
    ResultEffect.REFER,
    ResultEffect.DROP,
    ResultEffect.WITHDRAW,
}


ALLOWED_EFFECTS = {
    ConsultationRole.VORBERATUNG: {
        ResultEffect.RECOMMEND,
        ResultEffect.REJECT,
        ResultEffect.ADOPT,
        ResultEffect.NOTE,
        ResultEffect.SKIP,
        *_REROUTING,
    },
    ConsultationRole.ANHOERUNG: {
        ResultEffect.RECOMMEND,
        ResultEffect.REJECT,
        ResultEffect.ADOPT,
        ResultEffect.NOTE,
        ResultEffect.SKIP,
        *_REROUTING,
    },
    ConsultationRole.ENTSCHEIDUNG: {ResultEffect.ADOPT, ResultEffect.REJECT, *_REROUTING},
    ConsultationRole.KENNTNISNAHME: {ResultEffect.NOTE, ResultEffect.ANNUL, *_REROUTING},
    ConsultationRole.GENEHMIGUNG: {
        ResultEffect.APPROVE,
        ResultEffect.REJECT,
        ResultEffect.ANNUL,
        ResultEffect.POSTPONE,
        ResultEffect.DROP,
    },
}


def result_choices(catalog: Catalog, role: ConsultationRole) -> tuple[ResultChoice, ...]:
    """The results a step of ``role`` may record: the municipality's labels (as its minutes
    write them), then each fitting outcome's own label; one choice per label."""
    allowed, written = ALLOWED_EFFECTS[role], catalog.procedure.written_labels
    municipal = [
        ResultChoice(label=written.get(label, label), outcome=outcome, municipal=True)
        for label, outcome in catalog.procedure.outcome_labels.items()
        if outcome.effect in allowed
    ]
    own = [ResultChoice(label=o.label, outcome=o) for o in Outcome if o.effect in allowed]
    seen: set[str] = set()
    choices = []
    for choice in municipal + own:
        if choice.label.casefold() not in seen:
            seen.add(choice.label.casefold())
            choices.append(choice)
    return tuple(choices)


def result_warnings(
    catalog: Catalog, organization_id: str, outcome: str | None, votes: Sequence[VoteCount]
) -> list[str]:
    """The German warnings recording ``outcome`` (a label or an id; None: not chosen yet)
    with ``votes`` in ``organization_id`` would give: not quorate, no majority for a result
    that says adopted, a majority for one that says rejected.

    :raises InvalidInput: counts that cannot be (negative, more members than the body has
        seats, named ballots that contradict the counts).
    """
    org = catalog.organization(organization_id)
    result = catalog.procedure.outcome(outcome) if outcome else None
    completed = [complete_vote(v) for v in votes]
    return shown(check_votes(catalog.procedure.voting_rule(org.id), org, result, completed))
