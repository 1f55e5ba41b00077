"""The Beschlusskontrolle (domain.md 2.8) as ``service.tasks``: implementation tasks that
follow an adopted decision, each done by a due date or reported on every few months to a
Gremium, and the reports and completions the responsible office records. When every task of
a paper is done, the paper is umgesetzt.

``open_tasks`` and ``task_view`` take a unit of work: the calendar lists the open tasks in
its own transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from storage import decisions as store
from storage.schema import Consultation, ImplementationReport, ImplementationTask
from workflow.core.clock import local
from workflow.core.errors import InvalidInput, NotFoundError
from workflow.core.i18n import _
from workflow.core.inputs import check_line, check_text
from workflow.core.model import (
    Action,
    Actor,
    AuditAction,
    ImplementationReportView,
    ImplementationTaskView,
    TaskState,
)
from workflow.decisions.common import add_months, decision_step, plain, required
from workflow.reminders.sync import paper_changed
from workflow.uow import KNOWN_USERS, TRUSTED, Reader, Shared, UnitOfWork

if TYPE_CHECKING:
    from storage.schema import Paper
    from workflow.core.catalog import Catalog


#: The longest report interval of a task (ten years).
MAX_INTERVAL_MONTHS = 120


class TaskService:
    """Implementation tasks of adopted decisions, their reports and completions."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

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
        check_line(title, _("title"))
        title = required(title, _("a task needs a title"), "title")
        if interval_months is not None and not 1 <= interval_months <= MAX_INTERVAL_MONTHS:
            raise InvalidInput(
                _(
                    "the interval must be 1 to {MAX_INTERVAL_MONTHS} months, got {interval_months}"
                ).format(MAX_INTERVAL_MONTHS=MAX_INTERVAL_MONTHS, interval_months=interval_months),
                field="interval_months",
            )
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Action.IMPLEMENTATION_PLAN)
            if catalog.lifecycle("paper").transition("implement", paper.state) is None:
                raise InvalidInput(
                    _(
                        "implementation tasks follow a decision in force; {number} is {state!r}"
                    ).format(number=paper.number, state=paper.state)
                )
            decided = decision_step(paper)
            responsible = catalog.office(office).id
            receiver = catalog.body_organization(report_to).id if report_to else None
            first, interval_months = _schedule(catalog, decided, due, interval_months)
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
            uow.session.add(task)
            uow.session.flush()
            payload = {"task": task.id, "title": title, "office": responsible, "due": first}
            payload |= {"interval_months": interval_months, "report_to": receiver}
            action = AuditAction.IMPLEMENTATION_TASK_ADDED
            uow.record(paper, actor, action, None, task.state, plain(payload))
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
        check_text(text, _("report"))
        text = required(text, _("a report needs its text"), "text")
        with self._shared.write(user, body) as uow:
            task = _task(uow, task_id)
            paper, catalog, actor = uow.lock_paper(
                task.paper.number, Action.IMPLEMENTATION_REPORT, office=task.office_id
            )
            if task.state == TaskState.IMPLEMENTED.value:
                raise InvalidInput(
                    _("task {id} of {number} is already implemented").format(
                        id=task.id, number=paper.number
                    )
                )
            uow.refuse_future(
                (
                    _("the completion of task {id} of {number} is dated")
                    if implemented
                    else _("the report of task {id} of {number} is dated")
                ).format(id=task.id, number=paper.number),
                date,
                _("record it once it has happened"),
            )
            _add_report(uow, paper, actor, task, date, text, implemented)
            if implemented and _all_done(uow, paper):
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
        reader: str | Reader | None = TRUSTED,
    ) -> list[ImplementationTaskView]:
        """Open (not yet implemented) tasks by due date; ``overdue``: due before today."""
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            return open_tasks(uow, overdue=overdue, office=office, paper=paper)

    def get_implementation_task(
        self, task_id: int, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> ImplementationTaskView:
        """One task with its reports.

        :raises NotFoundError: the municipality has no such task.
        """
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            task = _task(uow, task_id)
            return task_view(uow, task, task.paper.number)


def open_tasks(
    uow: UnitOfWork, *, overdue: bool = False, office: str | None = None, paper: str | None = None
) -> list[ImplementationTaskView]:
    """Open (not yet implemented) tasks by due date; ``overdue``: due before today."""
    body_row = uow.body()
    current = uow.catalog(body_row.definitions_version)
    office_id = current.office(office).id if office else None
    paper_id = uow.paper(paper, for_update=False).id if paper else None
    rows = store.unfinished_tasks(uow.session, body_row.id, office_id=office_id, paper_id=paper_id)
    views = [task_view(uow, t, t.paper.number) for t in rows]
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


def _schedule(
    catalog: Catalog, decided: Consultation, due: dt.date | None, interval_months: int | None
) -> tuple[dt.date, int | None]:
    """The first due date of a new task and its report interval: ``due``, or the decision's
    day plus the interval (default: the Gremium's implementation_report in deadlines.yaml).

    :raises InvalidInput: neither is given nor configured, or ``due`` precedes the decision.
    """
    if interval_months is None and due is None:
        rule = catalog.deadlines.for_organization(decided.organization_id)
        if rule.implementation_report is None:
            raise InvalidInput(
                _(
                    "the task needs a due date or an interval in months (no "
                    "implementation_report interval is configured in deadlines.yaml)"
                ),
                field="due",
            )
        interval_months = rule.implementation_report.months
    assert decided.date is not None
    if due is not None and due < decided.date:
        raise InvalidInput(
            _(
                "the task is due on {due:%d.%m.%Y}, before the decision of "
                "{date:%d.%m.%Y} it implements"
            ).format(due=due, date=decided.date),
            field="due",
        )
    return due or add_months(decided.date, interval_months or 0), interval_months


def _next_due(uow: UnitOfWork, task: ImplementationTask, reported: dt.date) -> dt.date:
    """The report due after one on ``reported``: the first day of the task's schedule (its
    first due date plus whole intervals) after both the due date it answers and the report,
    so neither a late or early report nor a short month moves the cycle."""
    assert task.interval_months is not None
    start = store.task_first_due(uow.session, task) or task.due or reported
    after = max(task.due or start, reported)
    months = (after.year - start.year) * 12 + after.month - start.month
    cycle = max(1, months // task.interval_months)
    try:
        while (due := add_months(start, cycle * task.interval_months)) <= after:
            cycle += 1
    except ValueError:
        raise InvalidInput(
            _(
                "the next report of task {id} would fall after the year 9999; record its "
                "completion instead"
            ).format(id=task.id)
        ) from None
    return due


def _task(uow: UnitOfWork, task_id: int) -> ImplementationTask:
    """The municipality's task ``task_id``.

    :raises NotFoundError: no such task in the municipality.
    """
    body_row = uow.body()
    task = store.get_task(uow.session, task_id)
    if task is None or task.paper.body_id != body_row.id:
        raise NotFoundError(
            _("no implementation task {task_id} in {name}").format(
                task_id=task_id, name=body_row.name
            )
        )
    return task


def _all_done(uow: UnitOfWork, paper: Paper) -> bool:
    """Whether every implementation task of the paper is implemented."""
    states = store.task_states(uow.session, paper.id)
    return all(s == TaskState.IMPLEMENTED.value for s in states)


def _add_report(
    uow: UnitOfWork,
    paper: Paper,
    actor: Actor,
    task: ImplementationTask,
    date: dt.date,
    text: str,
    implemented: bool,
) -> None:
    """The report on ``task`` (its completion with ``implemented``), its next due date and
    its audit event."""
    task.reports.append(
        ImplementationReport(
            date=date,
            text=text,
            implemented=implemented,
            created_at=uow.clock.now(),
            actor=actor.user_id,
        )
    )
    before = task.state
    if implemented:
        task.state, task.due = TaskState.IMPLEMENTED.value, None
    else:
        task.state = TaskState.REPORTED.value
        task.due = _next_due(uow, task, date) if task.interval_months else None
    action = (
        AuditAction.IMPLEMENTATION_COMPLETED if implemented else AuditAction.IMPLEMENTATION_REPORTED
    )
    payload = {"task": task.id, "date": date, "text": text, "next_due": task.due}
    uow.record(paper, actor, action, before, task.state, plain(payload))
    uow.session.flush()
