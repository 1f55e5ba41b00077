"""The counts of a vote: completed from named ballots, checked for impossible numbers, and
quorum and majority doubts as warnings (domain.md 2.9, 2.10).

A warning is a message id with its values (``Warning``): the audit payload stores the English
text (``stored``), the person recording the result reads it in German (``shown``)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

from storage.schema import Vote
from workflow.core.catalog import Organization, VotingRule
from workflow.core.errors import InvalidInput
from workflow.core.i18n import N_, _
from workflow.core.model import Ballot, Outcome, ResultEffect, VoteCount, VoteKind

#: A warning: its English message id (marked with N_) and the values it is formatted with.
Warning = tuple[str, Mapping[str, object]]


def stored(warnings: Sequence[Warning]) -> list[str]:
    """The English texts, as the audit payload keeps them."""
    return [text.format(**values) for text, values in warnings]


def shown(warnings: Sequence[Warning]) -> list[str]:
    """The German texts, as the person recording the result reads them."""
    return [_(text).format(**values) for text, values in warnings]


COUNTS = {
    "yes": Ballot.YES,
    "no": Ballot.NO,
    "abstain": Ballot.ABSTAIN,
    "biased": Ballot.BIASED,
    "not_participating": Ballot.NOT_PARTICIPATING,
    "absent": Ballot.ABSENT,
}


def complete_vote(vote: VoteCount) -> VoteCount:
    """Check the counts; with named ballots, derive missing counts and refuse contradictions."""
    for name in COUNTS:
        count = getattr(vote, name)
        if count is not None and count < 0:
            raise InvalidInput(
                _("vote {subject!r}: count {name}={count} is negative").format(
                    subject=vote.subject, name=name, count=count
                )
            )
    if not vote.named:
        return vote
    members = Counter(n.member for n in vote.named)
    twice = sorted(m for m, k in members.items() if k > 1)
    if twice:
        raise InvalidInput(
            _("vote {subject!r}: {names} named more than once").format(
                subject=vote.subject, names=", ".join(twice)
            )
        )
    tally = Counter(n.ballot for n in vote.named)
    for name, ballot in COUNTS.items():
        given = getattr(vote, name)
        if given is not None and given != tally[ballot]:
            raise InvalidInput(
                _(
                    "vote {subject!r}: {name}={given} does not match the {named} "
                    "named {value} ballots"
                ).format(
                    subject=vote.subject,
                    name=name,
                    given=given,
                    named=tally[ballot],
                    value=ballot.value,
                )
            )
    return replace(
        vote,
        yes=tally[Ballot.YES],
        no=tally[Ballot.NO],
        abstain=tally[Ballot.ABSTAIN],
        biased=tally[Ballot.BIASED],
        not_participating=tally[Ballot.NOT_PARTICIPATING],
        absent=tally[Ballot.ABSENT],
    )


def check_votes(
    rule: VotingRule, org: Organization, result: Outcome | None, votes: Sequence[VoteCount]
) -> list[Warning]:
    """Quorum and majority doubts as warnings (domain.md 2.9, 2.10); impossible counts refused.
    Without a ``result`` (none chosen yet) only the quorum is checked.

    Quorum is computed both with and without the members excluded as befangen, because it
    is disputed whether they count as present.
    """
    warnings: list[Warning] = []
    seats = org.seats
    needed = math.floor(seats * rule.quorum_share) + 1 if seats else None
    for vote in votes:
        counts = [vote.yes, vote.no, vote.abstain, vote.biased, vote.not_participating]
        if all(c is None for c in counts):
            continue
        present = sum(c or 0 for c in counts)
        if seats and present + (vote.absent or 0) > seats:
            raise InvalidInput(
                _(
                    "vote {subject!r} counts {counted} members, but {name} "
                    "has {seats} seats; check the counts or 'seats' in organizations.yaml"
                ).format(
                    subject=vote.subject,
                    counted=present + (vote.absent or 0),
                    name=org.name,
                    seats=seats,
                )
            )
        if needed is None:
            continue
        biased = vote.biased or 0
        if present < needed:
            warnings.append(
                (
                    N_(
                        "{name} was not quorate for {subject!r}: {present} of {seats} members "
                        "present, {needed} needed"
                    ),
                    {"name": org.name, "subject": vote.subject, "present": present}
                    | {"seats": seats, "needed": needed},
                )
            )
        elif present - biased < needed:
            warnings.append(
                (
                    N_(
                        "{name} was quorate for {subject!r} only if the {biased} members "
                        "excluded as befangen count as present ({without} without them, "
                        "{needed} needed)"
                    ),
                    {"name": org.name, "subject": vote.subject, "biased": biased}
                    | {"without": present - biased, "needed": needed},
                )
            )
    main = [v for v in votes if v.kind is VoteKind.MAIN and v.yes is not None]
    if main and result is not None:
        warnings.extend(_majority_doubt(rule, result, main[-1]))
    return warnings


def _majority_doubt(rule: VotingRule, result: Outcome, vote: VoteCount) -> list[Warning]:
    against = (vote.no or 0) + ((vote.abstain or 0) if rule.abstentions_count else 0)
    carried = vote.yes is not None and vote.yes > against
    values = {"label": result.label, "yes": vote.yes, "against": against}
    positive = {ResultEffect.ADOPT, ResultEffect.APPROVE, ResultEffect.RECOMMEND}
    if result.effect in positive and not carried:
        if rule.abstentions_count:
            text = N_(
                "{label!r}, but the main vote has no majority "
                "(Ja {yes} against {against} Nein and Enthaltungen)"
            )
        else:
            text = N_(
                "{label!r}, but the main vote has no majority (Ja {yes} against {against} Nein)"
            )
        return [(text, values)]
    if result.effect is ResultEffect.REJECT and carried:
        if rule.abstentions_count:
            text = N_(
                "{label!r}, but the main vote has a majority "
                "(Ja {yes} against {against} Nein and Enthaltungen)"
            )
        else:
            text = N_(
                "{label!r}, but the main vote has a majority (Ja {yes} against {against} Nein)"
            )
        return [(text, values)]
    return []


def vote_row(position: int, vote: VoteCount) -> Vote:
    return Vote(
        position=position,
        subject=vote.subject,
        kind=vote.kind.value,
        yes=vote.yes,
        no=vote.no,
        abstain=vote.abstain,
        biased=vote.biased,
        not_participating=vote.not_participating,
        absent=vote.absent,
        label=vote.label,
        raw=vote.raw,
        named=[{"member": n.member, "ballot": n.ballot.value} for n in vote.named] or None,
    )
