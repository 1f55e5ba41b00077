"""What a paper type decides about its papers (``paper_types`` in the definitions).

Nothing here looks at a type's id or name: a Mitteilungsvorlage ends in Kenntnisnahme because
its type sets ``concluding_roles: [kenntnisnahme]``, an Antrag records its faction because its
type sets ``submitted_by: faction``, and an Anfrage is answered and ends without a vote because
its type sets ``answered: true`` and ``votes: false``. An Ergänzungsvorlage follows the rules
of its chain's original (it carries the original's matter on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from storage.schema import Paper
from workflow.core.errors import InvalidInput, TransitionNotAllowed
from workflow.core.i18n import _
from workflow.core.inputs import check_text
from workflow.core.model import (
    Action,
    AuditAction,
    ConsultationRole,
    Outcome,
    PaperView,
    ResultEffect,
    Submitter,
    VoteCount,
)
from workflow.papers.present import touch
from workflow.uow import Shared

if TYPE_CHECKING:
    from storage.schema import Consultation
    from workflow.core.catalog import Catalog, PaperType


class PaperTypeService:
    """Answers to Anfragen, and the checks each paper type's rules ask for."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def record_answer(
        self,
        number: str,
        *,
        user: str | None,
        text: str,
        date: dt.date,
        body: str | None = None,
    ) -> PaperView:
        """Record the administration's answer to an Anfrage (a type with ``answered: true``).

        :raises PermissionDenied: the user may not edit papers of the paper's office.
        :raises InvalidInput: empty answer, the type is not answered, or already answered.
        :raises TransitionNotAllowed: the paper is not released or is closed.
        """
        check_text(text, _("answer"))
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Action.PAPER_EDIT)
            if not text.strip():
                raise InvalidInput(_("the answer is empty"), field="text")
            self._require_answerable(catalog, paper)
            uow.refuse_future(
                _("the answer to {number} is dated").format(number=paper.number),
                date,
                _("record it once it has been given"),
            )
            paper.answer, paper.answer_date = text.strip(), date
            uow.record(
                paper,
                actor,
                AuditAction.ANSWER_RECORDED,
                None,
                None,
                {"date": date.isoformat(), "answer": paper.answer},
            )
            return touch(uow, catalog, paper)

    def _require_answerable(self, catalog: Catalog, paper: Paper) -> None:
        """An Anfrage (a type with ``answered: true``), released, not closed, not answered yet."""
        kind = rules_type(catalog, paper)
        if not kind.answered:
            answered = [t.id for t in catalog.paper_types.values() if t.answered]
            raise InvalidInput(
                _(
                    "{number} is a {name}, which is not answered (answered types: {answered})"
                ).format(
                    number=paper.number,
                    name=kind.name,
                    answered=", ".join(answered) or _("none"),
                )
            )
        lifecycle = catalog.lifecycle("paper")
        if not paper.frozen or lifecycle.state(paper.state).final:
            raise TransitionNotAllowed(
                paper.number,
                paper.state,
                _("record the answer"),
                self._shared.engine.paper_triggers(catalog, paper.state),
                _("an Anfrage is answered after its release and before it is closed"),
            )
        if paper.answer is not None:
            assert paper.answer_date is not None
            raise InvalidInput(
                _("{number} was answered on {answer_date:%d.%m.%Y} already").format(
                    number=paper.number, answer_date=paper.answer_date
                )
            )


def rules_type(catalog: Catalog, paper: Paper) -> PaperType:
    """The type whose rules apply: the paper's own, or for an Ergänzungsvorlage its
    original's (when this definitions version still knows it)."""
    own = catalog.paper_type(paper.paper_type)
    if paper.origin_id is None:
        return own
    origin = paper.origin
    if origin is None:
        return own
    return catalog.paper_types.get(origin.paper_type, own)


def check_submitter(
    kind: PaperType, faction: str | None, members: Sequence[str]
) -> tuple[str | None, list[str] | None]:
    """The faction and members to store, as the type's ``submitted_by`` asks for."""
    faction = (faction or "").strip() or None
    names = [m.strip() for m in members if m.strip()]
    if kind.submitted_by is Submitter.FACTION:
        if faction is None:
            raise InvalidInput(
                _(
                    "a paper of type {name} is submitted by a faction; name the faction "
                    "(and each submitting member)"
                ).format(name=kind.name),
                field="faction",
            )
        return faction, names or None
    if faction is not None or names:
        raise InvalidInput(
            _(
                "a paper of type {name} is written by an office, not submitted by a "
                "faction; leave out the faction and its members"
            ).format(name=kind.name),
            field="faction",
        )
    return None, None


def check_concluding(kind: PaperType, number: str, roles: Sequence[str]) -> None:
    """The path's concluding step must have a role the type allows (``concluding_roles``)."""
    if not kind.concluding_roles or not roles:
        return
    last = ConsultationRole(roles[-1])
    if last.concludes and last not in kind.concluding_roles:
        allowed = ", ".join(sorted(r.value for r in kind.concluding_roles))
        raise InvalidInput(
            _(
                "a paper of type {name} ends in {allowed}, but the path of {number} ends "
                "in {value}; make its last step {allowed}"
            ).format(name=kind.name, allowed=allowed, number=number, value=last.value),
            field="route",
        )


def check_result(
    catalog: Catalog,
    paper: Paper,
    step: Consultation,
    result: Outcome,
    votes: Sequence[VoteCount],
) -> None:
    """What the type allows a result to carry: votes, and the answer before an Anfrage closes."""
    kind = rules_type(catalog, paper)
    if votes and not kind.votes:
        raise InvalidInput(
            _(
                "a paper of type {name} ends without a vote; record {value!r} without vote counts"
            ).format(name=kind.name, value=result.value)
        )
    closes = result.effect in (
        ResultEffect.NOTE,
        ResultEffect.ADOPT,
        ResultEffect.REJECT,
        ResultEffect.APPROVE,
    )
    if kind.answered and closes and ConsultationRole(step.role).concludes and paper.answer is None:
        raise InvalidInput(
            _("{number} has no answer yet; record the answer first").format(number=paper.number)
        )
