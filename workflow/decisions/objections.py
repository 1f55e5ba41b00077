"""Widerspruch, Beanstandung, Aussetzung and Einspruch (domain.md 2.6, 2.8): they reopen a
paper's decision. The paper's execution is suspended and a re-decision step is inserted, with
the date window the definitions give (GO NRW § 54: day 3 to 2 weeks after the objection).

An Einspruch applies to the decision of a committee with delegated competence, within its
Einspruchsfrist, and needs a share of the committee's members; the Rat decides again.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from storage import decisions as store
from storage.schema import Consultation, DecisionProcedure, Paper
from workflow.core.errors import InvalidInput, did_you_mean
from workflow.core.i18n import _
from workflow.core.model import (
    AuditAction,
    ConsultationRole,
    ObjectionKind,
    OrganizationKind,
    PaperView,
)
from workflow.decisions.common import decision_step, procedure_payload
from workflow.papers.present import touch
from workflow.papers.steps import inside_window, outside_window
from workflow.uow import Trigger

if TYPE_CHECKING:
    from workflow.core.catalog import Catalog
    from workflow.uow import UnitOfWork

#: Where the re-decision goes, the legal basis, and its window in days after the objection.
Target = tuple[str, str | None, tuple[int | None, int | None]]


def objection_kind(kind: str) -> ObjectionKind:
    """The kind of objection named ``kind``.

    :raises InvalidInput: no such kind (with the closest one).
    """
    try:
        return ObjectionKind(kind)
    except ValueError:
        values = [k.value for k in ObjectionKind]
        hint = did_you_mean(kind, values) or _(" (use one of {values})").format(
            values=", ".join(values)
        )
        raise InvalidInput(
            _("unknown kind of objection {kind!r}{hint}").format(kind=kind, hint=hint)
        ) from None


def raise_objection(
    uow: UnitOfWork,
    number: str,
    *,
    objection: ObjectionKind,
    date: dt.date,
    reason: str,
    members: int | None,
    planned_date: dt.date | None,
) -> PaperView:
    """The ``objection`` against paper ``number``'s decision, in the unit of work ``uow``:
    execution is suspended and a re-decision step inserted."""
    paper, catalog, actor = uow.lock_paper(number, Trigger(objection.trigger))
    decided = decision_step(paper)
    org, basis, window = _target(uow, catalog, paper, decided, objection, date, members)
    start, end = _window(date, window)
    if planned_date and not inside_window(planned_date, start, end):
        raise InvalidInput(outside_window(planned_date, start, end, basis))
    uow.refuse_future(
        _("the {value} against {number} is dated").format(
            value=objection.value, number=paper.number
        ),
        date,
        _("record it once it has been raised"),
    )
    ctx = uow.flow(catalog, actor, paper)
    uow.engine.fire_paper(ctx, objection.trigger, kind=objection.value, date=date, reason=reason)
    assert ctx.insert_step is not None
    step = ctx.insert_step(
        max(paper.consultations, key=lambda c: c.position),
        organization=org,
        role=ConsultationRole.ENTSCHEIDUNG,
        public=None,
        planned_date=planned_date,
        note=f"{objection.value} vom {date:%d.%m.%Y} ({basis or 'definitions'})",
    )
    row = DecisionProcedure(
        paper_id=paper.id,
        kind=objection.value,
        date=date,
        organization_id=org,
        decided_by=f"{members} members" if members else None,
        reason=reason,
        legal_basis=basis,
        position=step.position,
        window_start=start,
        window_end=end,
        created_at=uow.now(),
        actor=actor.user_id,
    )
    uow.session.add(row)
    payload = procedure_payload(row) | {"decision_position": decided.position}
    uow.record(paper, actor, AuditAction.OBJECTION_RAISED, None, None, payload)
    return touch(uow, catalog, paper)


def _target(
    uow: UnitOfWork,
    catalog: Catalog,
    paper: Paper,
    decided: Consultation,
    kind: ObjectionKind,
    date: dt.date,
    members: int | None,
) -> Target:
    """Where the re-decision of an objection of ``kind`` goes, once it is allowed."""
    if kind is ObjectionKind.EINSPRUCH:
        return _einspruch(catalog, decided, date, members)
    target = _objection(uow, catalog, paper, decided, kind)
    _check_objection_date(catalog, paper, decided, kind, date)
    return target


def _objection(
    uow: UnitOfWork,
    catalog: Catalog,
    paper: Paper,
    decided: Consultation,
    kind: ObjectionKind,
) -> Target:
    rule = catalog.decisions.objections.get(kind)
    if rule is None:
        configured = ", ".join(k.value for k in catalog.decisions.objections) or _("none")
        raise InvalidInput(
            _(
                "{value!r} is not configured for {name} (configured: {configured}); see "
                "decisions.objections in docs/definitions.md"
            ).format(value=kind.value, name=catalog.body.name, configured=configured)
        )
    if not rule.repeatable:
        earlier = store.first_procedure(uow.session, paper.id, kind.value)
        if earlier is not None:
            raise InvalidInput(
                _(
                    "{basis}: no second {value} against {number} "
                    "(the first was raised on {date:%d.%m.%Y})"
                ).format(
                    basis=rule.legal_basis or kind.value,
                    value=kind.value,
                    number=paper.number,
                    date=earlier.date,
                )
            )
    org = catalog.organization(decided.organization_id)
    council = catalog.decisions.committee_objections_to
    target = council if council and org.kind is not OrganizationKind.COUNCIL else org.id
    return target, rule.legal_basis, (rule.earliest_days, rule.latest_days)


def _check_objection_date(
    catalog: Catalog, paper: Paper, decided: Consultation, kind: ObjectionKind, date: dt.date
) -> None:
    rule = catalog.decisions.objections[kind]
    assert decided.date is not None
    if date < decided.date:
        raise InvalidInput(
            _(
                "the {value} of {date:%d.%m.%Y} is before the decision of {decided_date:%d.%m.%Y}"
            ).format(value=kind.value, date=date, decided_date=decided.date),
            field="date",
        )
    if rule.within_days is not None:
        last = decided.date + dt.timedelta(days=rule.within_days)
        if date > last:
            raise InvalidInput(
                _(
                    "{basis}: a {value} against {number} had to be "
                    "raised by {last:%d.%m.%Y} ({within_days} days after the decision of "
                    "{date:%d.%m.%Y})"
                ).format(
                    basis=rule.legal_basis or kind.value,
                    value=kind.value,
                    number=paper.number,
                    last=last,
                    within_days=rule.within_days,
                    date=decided.date,
                )
            )


def _einspruch(
    catalog: Catalog, decided: Consultation, date: dt.date, members: int | None
) -> Target:
    org = catalog.organization(decided.organization_id)
    rule = catalog.decisions.delegated.get(org.id)
    if rule is None:
        raise InvalidInput(
            _(
                "{name} decides without an Einspruchsfrist; an Einspruch applies only to "
                "committees configured under decisions.delegated"
            ).format(name=org.name)
        )
    assert decided.date is not None
    until = decided.date + dt.timedelta(days=rule.days)
    if not decided.date <= date <= until:
        raise InvalidInput(
            _(
                "the Einspruchsfrist ran from {date:%d.%m.%Y} to {until:%d.%m.%Y}; an "
                "Einspruch on {date2:%d.%m.%Y} is outside it"
            ).format(date=decided.date, until=until, date2=date)
        )
    if members is not None:
        if not org.seats:
            raise InvalidInput(
                _(
                    "{name} has no statutory seats configured, so the share of members "
                    "cannot be checked; add 'seats' in organizations.yaml"
                ).format(name=org.name)
            )
        needed = math.ceil(org.seats * rule.members_share)
        if members < needed:
            raise InvalidInput(
                _(
                    "an Einspruch needs {needed} of the {seats} members of {name} "
                    "({members_share:.0%}), got {members}"
                ).format(
                    needed=needed,
                    seats=org.seats,
                    name=org.name,
                    members_share=rule.members_share,
                    members=members,
                )
            )
    return rule.escalate_to, rule.legal_basis, (None, None)


def _window(
    date: dt.date, window: tuple[int | None, int | None]
) -> tuple[dt.date | None, dt.date | None]:
    low, high = window
    return (
        date + dt.timedelta(days=low) if low is not None else None,
        date + dt.timedelta(days=high) if high is not None else None,
    )
