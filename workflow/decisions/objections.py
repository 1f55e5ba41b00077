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
        hint = did_you_mean(kind, values) or f" (use one of {', '.join(values)})"
        raise InvalidInput(f"unknown kind of objection {kind!r}{hint}") from None


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
        f"the {objection.value} against {paper.number} is dated",
        date,
        "record it once it has been raised; check --date",
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
        configured = ", ".join(k.value for k in catalog.decisions.objections) or "none"
        raise InvalidInput(
            f"{kind.value!r} is not configured for {catalog.body.name} (configured: "
            f"{configured}); see decisions.objections in docs/definitions.md"
        )
    if not rule.repeatable:
        earlier = store.first_procedure(uow.session, paper.id, kind.value)
        if earlier is not None:
            raise InvalidInput(
                f"{rule.legal_basis or kind.value}: no second {kind.value} against "
                f"{paper.number} (the first was raised on {earlier.date:%d.%m.%Y})"
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
            f"the {kind.value} of {date:%d.%m.%Y} is before the decision of "
            f"{decided.date:%d.%m.%Y}; check --date"
        )
    if rule.within_days is not None:
        last = decided.date + dt.timedelta(days=rule.within_days)
        if date > last:
            raise InvalidInput(
                f"{rule.legal_basis or kind.value}: a {kind.value} against {paper.number} "
                f"had to be raised by {last:%d.%m.%Y} ({rule.within_days} days after the "
                f"decision of {decided.date:%d.%m.%Y})"
            )


def _einspruch(
    catalog: Catalog, decided: Consultation, date: dt.date, members: int | None
) -> Target:
    org = catalog.organization(decided.organization_id)
    rule = catalog.decisions.delegated.get(org.id)
    if rule is None:
        raise InvalidInput(
            f"{org.name} decides without an Einspruchsfrist; an Einspruch applies only to "
            "committees configured under decisions.delegated"
        )
    assert decided.date is not None
    until = decided.date + dt.timedelta(days=rule.days)
    if not decided.date <= date <= until:
        raise InvalidInput(
            f"the Einspruchsfrist ran from {decided.date:%d.%m.%Y} to {until:%d.%m.%Y}; "
            f"an Einspruch on {date:%d.%m.%Y} is outside it"
        )
    if members is not None:
        if not org.seats:
            raise InvalidInput(
                f"{org.name} has no statutory seats configured, so the share of members "
                "cannot be checked; add 'seats' in organizations.yaml"
            )
        needed = math.ceil(org.seats * rule.members_share)
        if members < needed:
            raise InvalidInput(
                f"an Einspruch needs {needed} of the {org.seats} members of {org.name} "
                f"({rule.members_share:.0%}), got {members}"
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
