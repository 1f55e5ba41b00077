"""The Dringlichkeitsentscheidung (domain.md 2.4): the Bürgermeister (a user with the role
``mayor``), with a co-signer where the state requires one, decides in place of a Gremium.

The decision is a held Entscheidung step at the end of the paper's path; the paper is
``decided_urgently`` until the mandatory follow-up step (``genehmigung`` or ``kenntnisnahme``,
from the definitions' ``decisions.urgent_decision``) in the Gremium's next meeting.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from storage import decisions as store
from storage.schema import Consultation, DecisionProcedure, Paper
from workflow.core.clock import local
from workflow.core.errors import InvalidInput, PermissionDenied
from workflow.core.i18n import _
from workflow.core.model import (
    OPEN_STEP_STATES,
    Actor,
    AuditAction,
    ConsultationRole,
    Outcome,
    PaperView,
    Role,
)
from workflow.decisions.common import procedure_payload
from workflow.papers.present import touch
from workflow.uow import Trigger

if TYPE_CHECKING:
    from workflow.core.catalog import Catalog, UrgentDecisionRule
    from workflow.core.engine import ConsultationRecord, StepInserter
    from workflow.uow import UnitOfWork

#: The kind under which a Dringlichkeitsentscheidung is stored among the procedures.
URGENT = "dringlichkeitsentscheidung"


def record_urgent_decision(
    uow: UnitOfWork,
    number: str,
    *,
    decided_by: str,
    date: dt.date,
    reason: str,
    co_signer: str | None,
    body_of: str | None,
) -> PaperView:
    """The Bürgermeister ``decided_by`` decides on paper ``number`` in place of ``body_of``
    (default: the Gremium of the paper's concluding step), in the unit of work ``uow``."""
    paper, catalog, actor = uow.lock_paper(number, Trigger("decide_urgently"))
    rule = _urgent_rule(catalog, paper, date)
    mayor = _mayor(uow, decided_by)
    basis = rule.legal_basis or "the definitions"
    signer = _co_signer(rule, basis, co_signer)
    org = catalog.body_organization(body_of or _competent(paper))
    uow.refuse_future(
        _("the Dringlichkeitsentscheidung on {number} is dated").format(number=paper.number),
        date,
        _("record it once the Bürgermeister has decided"),
    )
    ctx = uow.flow(catalog, actor, paper)
    uow.engine.fire_paper(
        ctx, "decide_urgently", decided_by=mayor, co_signer=signer, date=date, reason=reason
    )
    for step in sorted(paper.consultations, key=lambda c: c.position):
        if step.state in OPEN_STEP_STATES:
            uow.engine.fire_consultation(
                ctx, step, "cancel", internal=True, reason="Dringlichkeitsentscheidung"
            )
    decided = _add_decided_step(uow, catalog, actor, paper, org.id, date, reason)
    decided.result_label = f"Dringlichkeitsentscheidung ({basis})"
    assert ctx.insert_step is not None
    follow = _insert_follow_up(uow, ctx.insert_step, decided, paper, org.id, date, rule)
    row = DecisionProcedure(
        paper_id=paper.id,
        kind=URGENT,
        date=date,
        organization_id=org.id,
        decided_by=mayor,
        co_signer=signer,
        reason=reason,
        legal_basis=rule.legal_basis,
        position=follow.position,
        created_at=uow.now(),
        actor=actor.user_id,
    )
    uow.session.add(row)
    payload = procedure_payload(row) | {"follow_up": rule.follow_up.value}
    payload |= {"decided_position": decided.position, "decided_label": decided.result_label}
    uow.record(paper, actor, AuditAction.URGENT_DECISION_RECORDED, None, None, payload)
    return touch(uow, catalog, paper)


def _urgent_rule(catalog: Catalog, paper: Paper, date: dt.date) -> UrgentDecisionRule:
    """The rule of the paper's definitions, once the date is checked against the paper's."""
    if date < paper.date:
        raise InvalidInput(
            _(
                "the Dringlichkeitsentscheidung on {number} is dated {date:%d.%m.%Y}, "
                "before the paper's date ({paper_date:%d.%m.%Y})"
            ).format(number=paper.number, date=date, paper_date=paper.date),
            field="date",
        )
    rule = catalog.decisions.urgent
    if rule is None:
        raise InvalidInput(
            _(
                "the definitions of {number} configure no Dringlichkeitsentscheidung; "
                "add decisions.urgent_decision (see docs/definitions.md)"
            ).format(number=paper.number)
        )
    return rule


def _mayor(uow: UnitOfWork, user_id: str) -> str:
    """``user_id``, once the municipality's current definitions show them as Bürgermeister."""
    current = uow.catalog(uow.body().definitions_version)
    user = current.user(user_id)
    if Role.MAYOR not in user.roles:
        mayors = [u.id for u in current.users.values() if Role.MAYOR in u.roles]
        raise PermissionDenied(
            _(
                "{id!r} is not the Bürgermeister (role mayor); who decided must be one of: {mayors}"
            ).format(
                id=user.id,
                mayors=", ".join(mayors) or _("nobody has the role"),
            )
        )
    return user.id


def _co_signer(rule: UrgentDecisionRule, basis: str, co_signer: str | None) -> str | None:
    """The co-signer, present exactly where the state's rule wants one."""
    signer = (co_signer or "").strip() or None
    if rule.co_signer.value != "none" and signer is None:
        raise InvalidInput(
            _("{basis}: the Bürgermeister decides together with a co-signer ({value})").format(
                basis=basis, value=rule.co_signer.value
            ),
            field="co_signer",
        )
    if rule.co_signer.value == "none" and signer is not None:
        raise InvalidInput(
            _("{basis}: the Bürgermeister decides alone, without a co-signer").format(basis=basis),
            field="co_signer",
        )
    return signer


def _competent(paper: Paper) -> str:
    """The Gremium of the paper's open concluding step, whose competence is used."""
    for step in sorted(paper.consultations, key=lambda c: -c.position):
        if step.state in OPEN_STEP_STATES and ConsultationRole(step.role).concludes:
            return step.organization_id
    raise InvalidInput(
        _(
            "{number} has no open Entscheidung; name the Gremium in whose place the "
            "Bürgermeister decides"
        ).format(number=paper.number),
        field="body_of",
    )


def _add_decided_step(
    uow: UnitOfWork,
    catalog: Catalog,
    actor: Actor,
    paper: Paper,
    organization: str,
    date: dt.date,
    note: str,
) -> Consultation:
    """The Bürgermeister's decision as a held Entscheidung step at the end of the path."""
    lifecycle = catalog.lifecycle("consultation")
    hold = lifecycle.transition("hold", "scheduled")
    step = Consultation(
        position=len(paper.consultations) + 1,
        level=max((c.level for c in paper.consultations), default=0) + 1,
        organization_id=organization,
        role=ConsultationRole.ENTSCHEIDUNG.value,
        public=catalog.organization(organization).public,
        state=hold.dest if hold else "held",
        date=date,
        outcome=Outcome.BESCHLOSSEN.value,
        note=note,
    )
    paper.consultations.append(step)
    uow.session.flush()
    payload = {"position": step.position, "organization": organization, "role": step.role}
    payload |= {"date": date.isoformat(), "outcome": step.outcome, "reason": note}
    payload |= {"level": step.level, "public": step.public}
    uow.record(paper, actor, AuditAction.CONSULTATION_ADDED, None, step.state, payload)
    return step


def _insert_follow_up(
    uow: UnitOfWork,
    insert_step: StepInserter,
    decided: Consultation,
    paper: Paper,
    organization: str,
    date: dt.date,
    rule: UrgentDecisionRule,
) -> ConsultationRecord:
    """The Genehmigung or Kenntnisnahme of the decision of ``date``, planned for the
    Gremium's next meeting after it."""
    basis = rule.legal_basis or "the definitions"
    planned = _next_meeting_day(uow, paper.body_id, organization, date)
    label = "Genehmigung" if rule.follow_up is ConsultationRole.GENEHMIGUNG else "Kenntnis"
    return insert_step(
        decided,
        organization=organization,
        role=rule.follow_up,
        public=None,
        planned_date=planned,
        note=f"Dringlichkeitsentscheidung vom {date:%d.%m.%Y}: {label} ({basis})",
    )


def _next_meeting_day(
    uow: UnitOfWork, body_id: str, organization: str, after: dt.date
) -> dt.date | None:
    """The day of the Gremium's next planned or invited meeting after ``after``."""
    for meeting in store.upcoming_meetings(uow.session, body_id, organization):
        day = local(meeting.start).date()
        if day > after:
            return day
    return None
