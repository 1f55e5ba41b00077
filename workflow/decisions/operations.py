"""Decisions after the vote: ``service.decisions`` (domain.md 2.4,
2.6, 2.8), as ``service.decisions``.

- **Dringlichkeitsentscheidung**: the Bürgermeister decides in place of a Gremium
  (``workflow.decisions.urgent``).
- **Widerspruch / Beanstandung / Aussetzung / Einspruch**: reopen a decision
  (``workflow.decisions.objections``).
- **Einspruchsfrist**: a delegated committee's decision waits in ``objection_period``;
  ``finalize`` ends it once the period is over (explicitly, never as a side effect of a read).
- **Aufsichtsbehörde**: its decision on an upheld decision confirms or annuls it.

The Beschlusskontrolle (implementation tasks) is ``service.tasks``
(``workflow.decisions.tasks``). Every rule that differs between states comes from the
``decisions`` section of the definitions. As everywhere, one public method is one transaction
and every change is audited in it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from storage import decisions as store
from workflow.core.clock import local
from workflow.core.errors import InvalidInput
from workflow.core.i18n import _
from workflow.core.inputs import check_line
from workflow.core.model import Outcome, PaperView, ProcedureView
from workflow.decisions import objections, urgent
from workflow.decisions.common import DECIDING, procedure_view, required
from workflow.papers.present import touch
from workflow.uow import KNOWN_USERS, TRUSTED, Reader, Shared, Trigger

if TYPE_CHECKING:
    from storage.schema import Paper
    from workflow.core.catalog import Catalog


class DecisionService:
    """Dringlichkeitsentscheidungen, objections, Einspruchsfristen and the Aufsichtsbehörde's
    decisions."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def record_urgent_decision(
        self,
        number: str,
        *,
        user: str | None,
        decided_by: str,
        date: dt.date,
        reason: str,
        co_signer: str | None = None,
        body_of: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """The Bürgermeister decides in place of ``body_of`` (default: the Gremium of the
        paper's concluding step); the follow-up step goes to that Gremium's next meeting.

        :raises InvalidInput: no reason, the co-signer rule is not met, nothing configured.
        :raises PermissionDenied: ``decided_by`` is not a mayor, or the actor may not record.
        :raises TransitionNotAllowed: the paper is not released or in consultation.
        """
        check_line(decided_by, _("name of who decided"))
        check_line(reason, _("reason"))
        reason = required(reason, _("a Dringlichkeitsentscheidung needs its reasons"), "reason")
        with self._shared.write(user, body) as uow:
            return urgent.record_urgent_decision(
                uow,
                number,
                decided_by=decided_by,
                date=date,
                reason=reason,
                co_signer=co_signer,
                body_of=body_of,
            )

    def raise_objection(
        self,
        number: str,
        *,
        user: str | None,
        kind: str,
        date: dt.date,
        reason: str,
        members: int | None = None,
        planned_date: dt.date | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Widerspruch, Beanstandung, Aussetzung or Einspruch against the paper's decision:
        execution is suspended and a re-decision step is inserted (``planned_date`` must lie
        in the window the definitions give).

        :raises InvalidInput: the kind is not configured, too late, a second Widerspruch, too
            few members for an Einspruch, or a planned date outside the window.
        :raises TransitionNotAllowed: the paper is not decided.
        """
        check_line(reason, _("reason"))
        objection = objections.objection_kind(kind)
        reason = required(reason, _("an objection needs its reasons"), "reason")
        with self._shared.write(user, body) as uow:
            return objections.raise_objection(
                uow,
                number,
                objection=objection,
                date=date,
                reason=reason,
                members=members,
                planned_date=planned_date,
            )

    def finalize_decision(
        self, number: str, *, user: str | None, body: str | None = None
    ) -> PaperView:
        """End the Einspruchsfrist of a delegated committee's decision once it has passed.

        :raises InvalidInput: the period still runs.
        :raises TransitionNotAllowed: the paper is not in its Einspruchsfrist.
        """
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Trigger("finalize"))
            ctx = uow.flow(catalog, actor, paper)
            until = _period_end(catalog, paper)
            today = local(self._shared.clock.now()).date()
            if until is not None and today <= until:
                raise InvalidInput(
                    _(
                        "the Einspruchsfrist of {number} runs until {until:%d.%m.%Y}; finalize "
                        "it after that day"
                    ).format(number=paper.number, until=until)
                )
            kw: dict[str, Any] = {"objection_period_until": until} if until else {}
            self._shared.engine.fire_paper(ctx, "finalize", **kw)
            return touch(uow, catalog, paper)

    def record_supervisory_decision(
        self,
        number: str,
        *,
        user: str | None,
        annul: bool,
        reason: str,
        body: str | None = None,
    ) -> PaperView:
        """The Aufsichtsbehörde's decision on an upheld decision: confirmed or annulled."""
        check_line(reason, _("reason"))
        reason = required(reason, _("the supervisory decision needs a reference"), "reason")
        with self._shared.write(user, body) as uow:
            trigger = "annul" if annul else "confirm"
            paper, catalog, actor = uow.lock_paper(number, Trigger(trigger))
            ctx = uow.flow(catalog, actor, paper)
            self._shared.engine.fire_paper(ctx, trigger, reason=reason)
            return touch(uow, catalog, paper)

    def list_procedures(
        self, number: str, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> list[ProcedureView]:
        """The Dringlichkeitsentscheidungen and objections of a paper, oldest first."""
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            paper = uow.paper(number, for_update=False)
            rows = store.procedures(uow.session, paper.id)
            return [procedure_view(paper.number, row) for row in rows]


def _period_end(catalog: Catalog, paper: Paper) -> dt.date | None:
    """The last day of the Einspruchsfrist of the paper's decision (None: it has none)."""
    step = next(
        (
            s
            for s in sorted(paper.consultations, key=lambda c: -c.position)
            if s.outcome and Outcome(s.outcome).effect in DECIDING and s.date
        ),
        None,
    )
    if step is None or step.date is None:
        return None
    rule = catalog.decisions.delegated.get(step.organization_id)
    return step.date + dt.timedelta(days=rule.days) if rule else None
