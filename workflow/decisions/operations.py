"""Decisions after the vote: the decision half of the ``WorkflowService`` API (domain.md 2.4,
2.6, 2.8).

- **Dringlichkeitsentscheidung**: the Bürgermeister (a user with the role ``mayor``), with a
  co-signer where the state requires one, decides in place of a Gremium. The decision is a
  held Entscheidung step; the paper is ``decided_urgently`` until the mandatory follow-up step
  (``genehmigung`` or ``kenntnisnahme``, from the definitions) in the Gremium's next meeting.
- **Widerspruch / Beanstandung / Aussetzung / Einspruch**: reopen a decision; the paper's
  execution is suspended and a re-decision step is inserted, with the date window the
  definitions give (GO NRW § 54: day 3 to 2 weeks after the objection).
- **Einspruchsfrist**: a delegated committee's decision waits in ``objection_period``;
  ``finalize`` ends it once the period is over (explicitly, never as a side effect of a read).
- **Beschlusskontrolle**: implementation tasks with due dates or report intervals.

Every rule that differs between states comes from the ``decisions`` section of the
definitions. As everywhere, one public method is one transaction and every change is audited
in it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from storage.schema import (
    Consultation,
    DecisionProcedure,
    ImplementationReport,
    ImplementationTask,
    Meeting,
    Paper,
)
from workflow.core.clock import local
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied, did_you_mean
from workflow.core.model import (
    OPEN_STEP_STATES,
    Action,
    Actor,
    AuditAction,
    ConsultationRole,
    ImplementationReportView,
    ImplementationTaskView,
    ObjectionKind,
    OrganizationKind,
    Outcome,
    PaperView,
    ProcedureView,
    ResultEffect,
    Role,
    TaskState,
)
from workflow.papers.present import touch
from workflow.papers.steps import (
    inside_window,
    outside_window,
)
from workflow.reminders.sync import paper_changed
from workflow.uow import Shared, UnitOfWork, require

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from workflow.core.catalog import Catalog

URGENT = "dringlichkeitsentscheidung"
_DECIDING = (ResultEffect.ADOPT, ResultEffect.APPROVE)


class DecisionService:
    """Dringlichkeitsentscheidungen, objections, Einspruchsfristen and Beschlusskontrolle."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    # -- Dringlichkeitsentscheidung ------------------------------------------------------------

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
        reason = _required(reason, "a Dringlichkeitsentscheidung needs its reasons; pass --reason")
        with self._shared.write(user, body) as uow:
            session = uow.session
            paper, catalog, actor = uow.lock_paper(number)
            if date < paper.date:
                raise InvalidInput(
                    f"the Dringlichkeitsentscheidung on {paper.number} is dated "
                    f"{date:%d.%m.%Y}, before the paper's date ({paper.date:%d.%m.%Y}); "
                    "check --date"
                )
            rule = catalog.decisions.urgent
            if rule is None:
                raise InvalidInput(
                    f"the definitions of {paper.number} configure no Dringlichkeitsentscheidung;"
                    " add decisions.urgent_decision (see docs/definitions.md)"
                )
            mayor = self._mayor(uow, body, decided_by)
            basis = rule.legal_basis or "the definitions"
            signer = (co_signer or "").strip() or None
            if rule.co_signer.value != "none" and signer is None:
                raise InvalidInput(
                    f"{basis}: the Bürgermeister decides together with a co-signer "
                    f"({rule.co_signer.value}); pass --co-signer NAME"
                )
            if rule.co_signer.value == "none" and signer is not None:
                raise InvalidInput(f"{basis}: the Bürgermeister decides alone; drop --co-signer")
            org = catalog.body_organization(body_of or _competent(paper))
            uow.refuse_future(
                f"the Dringlichkeitsentscheidung on {paper.number} is dated",
                date,
                "record it once the Bürgermeister has decided; check --date",
            )
            ctx = uow.flow(catalog, actor, paper)
            self._shared.engine.fire_paper(
                ctx, "decide_urgently", decided_by=mayor, co_signer=signer, date=date, reason=reason
            )
            for step in sorted(paper.consultations, key=lambda c: c.position):
                if step.state in OPEN_STEP_STATES:
                    self._shared.engine.fire_consultation(
                        ctx, step, "cancel", internal=True, reason="Dringlichkeitsentscheidung"
                    )
            decided = self._add_decided_step(uow, catalog, actor, paper, org.id, date, reason)
            decided.result_label = f"Dringlichkeitsentscheidung ({basis})"
            planned = self._next_meeting_day(uow, paper.body_id, org.id, date)
            label = "Genehmigung" if rule.follow_up is ConsultationRole.GENEHMIGUNG else "Kenntnis"
            assert ctx.insert_step is not None
            follow = ctx.insert_step(
                decided,
                organization=org.id,
                role=rule.follow_up,
                public=None,
                planned_date=planned,
                note=f"Dringlichkeitsentscheidung vom {date:%d.%m.%Y}: {label} ({basis})",
            )
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
                created_at=self._shared.clock.now(),
                actor=actor.user_id,
            )
            session.add(row)
            uow.record(
                paper,
                actor,
                AuditAction.URGENT_DECISION_RECORDED,
                None,
                None,
                _procedure_payload(row)
                | {"follow_up": rule.follow_up.value}
                | {"decided_position": decided.position, "decided_label": decided.result_label},
            )
            return touch(uow, catalog, paper)

    def _mayor(self, uow: UnitOfWork, body: str | None, user_id: str) -> str:
        current = uow.catalog(uow.body().definitions_version)
        user = current.user(user_id)
        if Role.MAYOR not in user.roles:
            mayors = [u.id for u in current.users.values() if Role.MAYOR in u.roles]
            raise PermissionDenied(
                f"{user.id!r} is not the Bürgermeister (role mayor); "
                f"--decided-by must be one of: {', '.join(mayors) or 'nobody has the role'}"
            )
        return user.id

    def _add_decided_step(
        self,
        uow: UnitOfWork,
        catalog: Catalog,
        actor: Actor,
        paper: Paper,
        organization: str,
        date: dt.date,
        note: str,
    ) -> Consultation:
        """The Bürgermeister's decision as a held Entscheidung step at the end of the path."""
        session = uow.session
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
        session.flush()
        payload = {"position": step.position, "organization": organization, "role": step.role}
        payload |= {"date": date.isoformat(), "outcome": step.outcome, "reason": note}
        payload |= {"level": step.level, "public": step.public}
        uow.record(paper, actor, AuditAction.CONSULTATION_ADDED, None, step.state, payload)
        return step

    @staticmethod
    def _next_meeting_day(
        uow: UnitOfWork, body_id: str, organization: str, after: dt.date
    ) -> dt.date | None:
        """The day of the Gremium's next planned or invited meeting after ``after``."""
        session = uow.session
        query = (
            select(Meeting)
            .where(Meeting.body_id == body_id, Meeting.organization_id == organization)
            .where(Meeting.state.in_(("planned", "invited")))
            .order_by(Meeting.start)
        )
        for meeting in session.scalars(query):
            day = local(meeting.start).date()
            if day > after:
                return day
        return None

    # -- objections ----------------------------------------------------------------------------

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
        objection = _objection_kind(kind)
        reason = _required(reason, "an objection needs its reasons; pass --reason TEXT")
        with self._shared.write(user, body) as uow:
            session = uow.session
            paper, catalog, actor = uow.lock_paper(number)
            decided = _decision_step(paper)
            if objection is ObjectionKind.EINSPRUCH:
                org, basis, window = self._einspruch(catalog, decided, date, members)
            else:
                org, basis, window = self._objection(uow, catalog, paper, decided, objection)
                self._check_objection_date(catalog, paper, decided, objection, date)
            start, end = _window(date, window)
            if planned_date and not inside_window(planned_date, start, end):
                raise InvalidInput(outside_window(planned_date, start, end, basis))
            uow.refuse_future(
                f"the {objection.value} against {paper.number} is dated",
                date,
                "record it once it has been raised; check --date",
            )
            ctx = uow.flow(catalog, actor, paper)
            self._shared.engine.fire_paper(
                ctx, objection.trigger, kind=objection.value, date=date, reason=reason
            )
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
                created_at=self._shared.clock.now(),
                actor=actor.user_id,
            )
            session.add(row)
            payload = _procedure_payload(row) | {"decision_position": decided.position}
            uow.record(paper, actor, AuditAction.OBJECTION_RAISED, None, None, payload)
            return touch(uow, catalog, paper)

    def _objection(
        self,
        uow: UnitOfWork,
        catalog: Catalog,
        paper: Paper,
        decided: Consultation,
        kind: ObjectionKind,
    ) -> tuple[str, str | None, tuple[int | None, int | None]]:
        session = uow.session
        rule = catalog.decisions.objections.get(kind)
        if rule is None:
            configured = ", ".join(k.value for k in catalog.decisions.objections) or "none"
            raise InvalidInput(
                f"{kind.value!r} is not configured for {catalog.body.name} (configured: "
                f"{configured}); see decisions.objections in docs/definitions.md"
            )
        if not rule.repeatable:
            earlier = session.scalars(
                select(DecisionProcedure).where(
                    DecisionProcedure.paper_id == paper.id, DecisionProcedure.kind == kind.value
                )
            ).first()
            if earlier is not None:
                raise InvalidInput(
                    f"{rule.legal_basis or kind.value}: no second {kind.value} against "
                    f"{paper.number} (the first was raised on {earlier.date:%d.%m.%Y})"
                )
        org = catalog.organization(decided.organization_id)
        council = catalog.decisions.committee_objections_to
        target = council if council and org.kind is not OrganizationKind.COUNCIL else org.id
        return target, rule.legal_basis, (rule.earliest_days, rule.latest_days)

    @staticmethod
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

    @staticmethod
    def _einspruch(
        catalog: Catalog, decided: Consultation, date: dt.date, members: int | None
    ) -> tuple[str, str | None, tuple[int | None, int | None]]:
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

    def finalize_decision(
        self, number: str, *, user: str | None, body: str | None = None
    ) -> PaperView:
        """End the Einspruchsfrist of a delegated committee's decision once it has passed.

        :raises InvalidInput: the period still runs.
        :raises TransitionNotAllowed: the paper is not in its Einspruchsfrist.
        """
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number)
            ctx = uow.flow(catalog, actor, paper)
            until = _period_end(catalog, paper)
            today = local(self._shared.clock.now()).date()
            if until is not None and today <= until:
                raise InvalidInput(
                    f"the Einspruchsfrist of {paper.number} runs until {until:%d.%m.%Y}; "
                    "finalize it after that day"
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
        reason = _required(reason, "the supervisory decision needs a reference; pass --reason")
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number)
            ctx = uow.flow(catalog, actor, paper)
            self._shared.engine.fire_paper(ctx, "annul" if annul else "confirm", reason=reason)
            return touch(uow, catalog, paper)

    def list_procedures(self, number: str, *, body: str | None = None) -> list[ProcedureView]:
        """The Dringlichkeitsentscheidungen and objections of a paper, oldest first."""
        with self._shared.read(body) as uow:
            session = uow.session
            paper = uow.paper(number, for_update=False)
            rows = session.scalars(
                select(DecisionProcedure)
                .where(DecisionProcedure.paper_id == paper.id)
                .order_by(DecisionProcedure.id)
            )
            return [_procedure_view(paper.number, row) for row in rows]

    # -- Beschlusskontrolle --------------------------------------------------------------------

    def add_implementation_task(
        self,
        number: str,
        *,
        user: str | None,
        title: str,
        office: str,
        due: dt.date | None = None,
        interval_months: int | None = None,
        report_to: str | None = None,
        body: str | None = None,
    ) -> ImplementationTaskView:
        """A follow-up on the execution of an adopted decision: done by ``due`` or reported
        every ``interval_months`` (default: deadlines.implementation_report) to ``report_to``.

        :raises InvalidInput: no title, no due date or interval, the paper is not adopted.
        :raises PermissionDenied: the user may not do implementation.plan.
        """
        title = _required(title, "a task needs a title; pass --title TEXT")
        if interval_months is not None and interval_months < 1:
            raise InvalidInput(f"--every must be at least 1 month, got {interval_months}")
        with self._shared.write(user, body) as uow:
            session = uow.session
            paper, catalog, actor = uow.lock_paper(number)
            require(catalog, actor, Action.IMPLEMENTATION_PLAN, paper.number)
            if catalog.lifecycle("paper").transition("implement", paper.state) is None:
                raise InvalidInput(
                    f"implementation tasks follow a decision in force; {paper.number} is "
                    f"{paper.state!r}"
                )
            decided = _decision_step(paper)
            responsible = catalog.office(office).id
            receiver = catalog.body_organization(report_to).id if report_to else None
            if interval_months is None and due is None:
                rule = catalog.deadlines.for_organization(decided.organization_id)
                if rule.implementation_report is None:
                    raise InvalidInput(
                        "pass --due DATE or --every MONTHS (no implementation_report interval "
                        "is configured in deadlines.yaml)"
                    )
                interval_months = rule.implementation_report.months
            assert decided.date is not None
            if due is not None and due < decided.date:
                raise InvalidInput(
                    f"the task is due on {due:%d.%m.%Y}, before the decision of "
                    f"{decided.date:%d.%m.%Y} it implements; check --due"
                )
            first = due or _add_months(decided.date, interval_months or 0)
            task = ImplementationTask(
                paper_id=paper.id,
                title=title,
                office_id=responsible,
                state=TaskState.OPEN.value,
                due=first,
                interval_months=interval_months,
                report_to=receiver,
                created_at=self._shared.clock.now(),
                actor=actor.user_id,
            )
            session.add(task)
            session.flush()
            payload = {"task": task.id, "title": title, "office": responsible, "due": first}
            payload |= {"interval_months": interval_months, "report_to": receiver}
            action = AuditAction.IMPLEMENTATION_TASK_ADDED
            uow.record(paper, actor, action, None, task.state, _plain(payload))
            paper_changed(uow, catalog, paper)
            return task_view(uow, task, paper.number)

    def report_implementation(
        self,
        task_id: int,
        *,
        user: str | None,
        date: dt.date,
        text: str,
        implemented: bool = False,
        body: str | None = None,
    ) -> ImplementationTaskView:
        """A report on a task (the next report falls due after its interval), or, with
        ``implemented``, its completion; when every task of the paper is done the paper is
        umgesetzt.

        :raises NotFoundError: no such task. :raises InvalidInput: no text, already done.
        :raises PermissionDenied: the user may not report for the task's office.
        """
        text = _required(text, "a report needs its text; pass --text TEXT")
        with self._shared.write(user, body) as uow:
            session = uow.session
            task = self._task(uow, body, task_id)
            paper, catalog, actor = uow.lock_paper(task.paper.number)
            require(catalog, actor, Action.IMPLEMENTATION_REPORT, f"task {task.id}", task.office_id)
            if task.state == TaskState.IMPLEMENTED.value:
                raise InvalidInput(f"task {task.id} of {paper.number} is already implemented")
            uow.refuse_future(
                f"the {'completion' if implemented else 'report'} of task {task.id} of "
                f"{paper.number} is dated",
                date,
                "record it once it has happened; check --date",
            )
            task.reports.append(
                ImplementationReport(
                    date=date,
                    text=text,
                    implemented=implemented,
                    created_at=self._shared.clock.now(),
                    actor=actor.user_id,
                )
            )
            before = task.state
            if implemented:
                task.state, task.due = TaskState.IMPLEMENTED.value, None
            else:
                task.state = TaskState.REPORTED.value
                task.due = _add_months(date, task.interval_months) if task.interval_months else None
            action = (
                AuditAction.IMPLEMENTATION_COMPLETED
                if implemented
                else AuditAction.IMPLEMENTATION_REPORTED
            )
            payload = {"task": task.id, "date": date, "text": text, "next_due": task.due}
            uow.record(paper, actor, action, before, task.state, _plain(payload))
            session.flush()
            if implemented and self._all_done(session, paper):
                ctx = uow.flow(catalog, actor, paper)
                if catalog.lifecycle("paper").transition("implement", paper.state):
                    self._shared.engine.fire_paper(ctx, "implement", internal=True, task=task.id)
            paper_changed(uow, catalog, paper)
            return task_view(uow, task, paper.number)

    def list_implementation_tasks(
        self,
        *,
        overdue: bool = False,
        office: str | None = None,
        paper: str | None = None,
        body: str | None = None,
    ) -> list[ImplementationTaskView]:
        """Open (not yet implemented) tasks by due date; ``overdue``: due before today."""
        with self._shared.read(body) as uow:
            return open_tasks(uow, overdue=overdue, office=office, paper=paper)

    def get_implementation_task(
        self, task_id: int, *, body: str | None = None
    ) -> ImplementationTaskView:
        with self._shared.read(body) as uow:
            task = self._task(uow, body, task_id)
            return task_view(uow, task, task.paper.number)

    def _task(self, uow: UnitOfWork, body: str | None, task_id: int) -> ImplementationTask:
        session = uow.session
        body_row = uow.body()
        task = session.get(ImplementationTask, task_id)
        if task is None or task.paper.body_id != body_row.id:
            raise NotFoundError(
                f"no implementation task {task_id} in {body_row.name}; see 'ratsweg decisions open'"
            )
        return task

    @staticmethod
    def _all_done(session: Session, paper: Paper) -> bool:
        states = session.scalars(
            select(ImplementationTask.state).where(ImplementationTask.paper_id == paper.id)
        ).all()
        return all(s == TaskState.IMPLEMENTED.value for s in states)


# -- helpers ------------------------------------------------------------------------------------


def _required(value: str | None, message: str) -> str:
    if not (value and value.strip()):
        raise InvalidInput(message)
    return value.strip()


def _objection_kind(kind: str) -> ObjectionKind:
    try:
        return ObjectionKind(kind)
    except ValueError:
        values = [k.value for k in ObjectionKind]
        hint = did_you_mean(kind, values) or f" (use one of {', '.join(values)})"
        raise InvalidInput(f"unknown kind of objection {kind!r}{hint}") from None


def _competent(paper: Paper) -> str:
    """The Gremium of the paper's open concluding step, whose competence is used."""
    for step in sorted(paper.consultations, key=lambda c: -c.position):
        if step.state in OPEN_STEP_STATES and ConsultationRole(step.role).concludes:
            return step.organization_id
    raise InvalidInput(
        f"{paper.number} has no open Entscheidung; pass --body-of ORGANIZATION (the Gremium "
        "in whose place the Bürgermeister decides)"
    )


def _decision_step(paper: Paper) -> Consultation:
    """The step whose result is the paper's decision in force."""
    for step in sorted(paper.consultations, key=lambda c: -c.position):
        if step.outcome and Outcome(step.outcome).effect in _DECIDING and step.date:
            return step
    raise InvalidInput(f"{paper.number} has no decision yet; there is nothing to object to")


def _period_end(catalog: Catalog, paper: Paper) -> dt.date | None:
    step = next(
        (
            s
            for s in sorted(paper.consultations, key=lambda c: -c.position)
            if s.outcome and Outcome(s.outcome).effect in _DECIDING and s.date
        ),
        None,
    )
    if step is None or step.date is None:
        return None
    rule = catalog.decisions.delegated.get(step.organization_id)
    return step.date + dt.timedelta(days=rule.days) if rule else None


def _window(
    date: dt.date, window: tuple[int | None, int | None]
) -> tuple[dt.date | None, dt.date | None]:
    low, high = window
    return (
        date + dt.timedelta(days=low) if low is not None else None,
        date + dt.timedelta(days=high) if high is not None else None,
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _plain(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in payload.items()}


def _procedure_payload(row: DecisionProcedure) -> dict[str, Any]:
    return _plain(
        {
            "kind": row.kind,
            "date": row.date,
            "organization": row.organization_id,
            "decided_by": row.decided_by,
            "co_signer": row.co_signer,
            "reason": row.reason,
            "legal_basis": row.legal_basis,
            "position": row.position,
            "window_start": row.window_start,
            "window_end": row.window_end,
        }
    )


def _procedure_view(number: str, row: DecisionProcedure) -> ProcedureView:
    return ProcedureView(
        paper_number=number,
        kind=row.kind,
        date=row.date,
        organization_id=row.organization_id,
        decided_by=row.decided_by,
        co_signer=row.co_signer,
        reason=row.reason,
        legal_basis=row.legal_basis,
        position=row.position,
        window_start=row.window_start,
        window_end=row.window_end,
        actor=row.actor,
    )


def open_tasks(
    uow: UnitOfWork, *, overdue: bool = False, office: str | None = None, paper: str | None = None
) -> list[ImplementationTaskView]:
    """Open (not yet implemented) tasks by due date; ``overdue``: due before today."""
    session = uow.session
    body_row = uow.body()
    current = uow.catalog(body_row.definitions_version)
    query = (
        select(ImplementationTask)
        .join(Paper, ImplementationTask.paper_id == Paper.id)
        .where(Paper.body_id == body_row.id)
        .where(ImplementationTask.state != TaskState.IMPLEMENTED.value)
    )
    if office:
        query = query.where(ImplementationTask.office_id == current.office(office).id)
    if paper:
        row = uow.paper(paper, for_update=False)
        query = query.where(ImplementationTask.paper_id == row.id)
    views = [task_view(uow, t, t.paper.number) for t in session.scalars(query)]
    views = [v for v in views if v.overdue or not overdue]
    return sorted(views, key=lambda v: (v.due or dt.date.max, v.paper_number, v.id))


def task_view(uow: UnitOfWork, task: ImplementationTask, number: str) -> ImplementationTaskView:
    """A task as the API returns it (overdue: due before the clock's day)."""
    today = local(uow.now()).date()
    return ImplementationTaskView(
        id=task.id,
        paper_number=number,
        title=task.title,
        office_id=task.office_id,
        state=TaskState(task.state),
        due=task.due,
        interval_months=task.interval_months,
        report_to=task.report_to,
        overdue=task.due is not None and task.due < today,
        created_at=task.created_at,
        reports=tuple(
            ImplementationReportView(
                date=r.date, text=r.text, actor=r.actor, implemented=r.implemented
            )
            for r in task.reports
        ),
    )
