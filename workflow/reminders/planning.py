"""Reminder planning: from a paper's path, the deadline rules and its state, the reminders it
should have now. Pure: no database, no clock (the storage diff decides what is new).

Kinds (``ReminderKind``) and who gets them:
- Vorlagenschluss approaching (first open step with a date, paper not yet released): the
  users of the paper's office;
- Mitzeichnung pending (each pending co-signature): the users of the co-signing office;
- Ladung due: for a meeting that has an agenda and is not yet invited, one reminder per
  meeting (``plan_meeting_reminders``, synced by the meeting operations); for an open step
  with only a planned date (no meeting yet), one per step. The session office;
- result not recorded (each open step with a date, paper released): the session office, at
  the end of the meeting day;
- Beschlusskontrolle report due: for each open implementation task with a due date (``decisions
  task-add``), the users of the task's office; moved by each report (the next one falls due),
  cancelled when the task is implemented. An adopted paper without tasks gets one for the
  first report under the rule ``implementation_report`` of the deciding Gremium, to the paper's
  office;
- escalation: ``deadlines.reminders.escalate_after_hours`` after the deadline, to
  ``escalate_to`` (office_head = the heads of the office concerned, for a meeting's Ladung the
  heads of the offices of the papers on its agenda; session_office; an office id = its users;
  a role = every user holding it; a user id; an e-mail address). Cancelled like the reminder
  it belongs to once the matter is dealt with.

A reminder is due ``lead_days`` local calendar days before its deadline, at the same local time
(24:00 less one day is 00:00 of the day before, across a change of daylight saving time); the
result reminder at the deadline. The escalation is ``escalate_after_hours`` elapsed hours after
the deadline (hours are hours, also across such a change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from workflow.core.catalog import Catalog
from workflow.core.deadlines import (
    Deadline,
    DeadlineKind,
    ReminderRule,
    WorkingCalendar,
    lead_time_deadline,
    report_due_dates,
    show,
    step_deadlines,
)
from workflow.core.model import PlannedReminder, ReminderKind
from workflow.reminders.facts import MeetingFacts, PaperFacts, StepFacts, TaskFacts
from workflow.reminders.messages import _LABELS, _meeting_text, _text
from workflow.reminders.recipients import _escalation_recipients, _office_users, _session_office

__all__ = [
    "MeetingFacts",
    "PaperFacts",
    "ReportDeadline",
    "StepFacts",
    "TaskFacts",
    "plan_meeting_reminders",
    "plan_reminders",
    "report_deadlines",
]


def plan_meeting_reminders(catalog: Catalog, meeting: MeetingFacts) -> list[PlannedReminder]:
    """The meeting's one Ladung reminder (and its escalation) while its invitation is due;
    empty once it is invited, held or cancelled, or without ``deadlines.reminders``."""
    rule = catalog.deadlines.reminders
    if rule is None or not meeting.awaiting_invitation:
        return []
    cal = catalog.calendar()
    name = catalog.organization_name(meeting.organization_id)
    rules = catalog.deadlines.for_organization(meeting.organization_id)
    found = []
    for deadline in step_deadlines(cal, rules, meeting.day, name):
        if deadline.kind is not DeadlineKind.INVITATION:
            continue
        slot = f"{ReminderKind.INVITATION.value}:m{meeting.id}"
        due = cal.days_before(deadline.due, rule.lead_days)
        escalate = _escalate_at(rule, deadline)
        base = PlannedReminder(
            slot=slot,
            key=_key(slot, due),
            kind=ReminderKind.INVITATION,
            due_at=due,
            deadline_at=deadline.due,
            escalate_at=escalate,
            recipients=tuple(dict.fromkeys(_session_office(catalog))),
            subject=(
                f"{_LABELS[ReminderKind.INVITATION]}: Sitzung {name} am {show(meeting.day)} "
                f"(Frist {show(deadline.day)})"
            ),
            text=_meeting_text(catalog, meeting, deadline),
            consultation_id=None,
        )
        found.append(base)
        offices = sorted({office for _, _, office in meeting.papers})
        escalation = _escalation_of(catalog, rule, base, offices)
        if escalation is not None:
            found.append(escalation)
    return found


def plan_reminders(catalog: Catalog, paper: PaperFacts) -> list[PlannedReminder]:
    """Every reminder ``paper`` should have; empty without ``deadlines.reminders``."""
    rule = catalog.deadlines.reminders
    if rule is None:
        return []
    cal = catalog.calendar()
    base: list[PlannedReminder] = []
    if not paper.final:
        base += _step_reminders(catalog, cal, rule, paper)
        base += _co_signing_reminders(catalog, cal, rule, paper)
    base += _report_reminders(catalog, rule, paper)
    escalations = [e for r in base if (e := _escalation(catalog, rule, paper, r)) is not None]
    return base + escalations


def _step_reminders(
    catalog: Catalog, cal: WorkingCalendar, rule: ReminderRule, paper: PaperFacts
) -> list[PlannedReminder]:
    found: list[PlannedReminder] = []
    dated = [s for s in paper.steps if s.open and s.date is not None]
    for index, step in enumerate(dated):
        assert step.date is not None
        name = catalog.organization_name(step.organization_id)
        rules = catalog.deadlines.for_organization(step.organization_id)
        for deadline in step_deadlines(cal, rules, step.date, name):
            if (
                deadline.kind is DeadlineKind.SUBMISSION_CUTOFF
                and index == 0
                and not paper.released
            ):
                kind, to = ReminderKind.SUBMISSION_CUTOFF, _office_users(catalog, paper.office_id)
            elif deadline.kind is DeadlineKind.INVITATION and step.meeting_id is None:
                # in a meeting, the meeting's one reminder stands for every step on its agenda
                kind, to = ReminderKind.INVITATION, _session_office(catalog)
            else:
                continue
            found.append(_plan(catalog, rule, paper, kind, deadline, to, step))
        if paper.released:
            end = cal.end_of_day(step.date)
            result = Deadline(
                kind=DeadlineKind.INVITATION,  # only its day and due are used
                day=step.date,
                due=end,
                explanation=f"Sitzung {name} am {show(step.date)}; Ergebnis danach zu erfassen",
            )
            found.append(
                _plan(
                    catalog,
                    rule,
                    paper,
                    ReminderKind.RESULT,
                    result,
                    _session_office(catalog),
                    step,
                    lead=False,
                )
            )
    return found


def _co_signing_reminders(
    catalog: Catalog, cal: WorkingCalendar, rule: ReminderRule, paper: PaperFacts
) -> list[PlannedReminder]:
    found = []
    for office, requested in paper.pending_co_signatures:
        co_signing = catalog.deadlines.for_organization(office).co_signing
        if co_signing is None:
            continue
        deadline = lead_time_deadline(
            cal,
            cal.local_date(requested),
            co_signing,
            kind=DeadlineKind.CO_SIGNING,
            before=False,
            anchor_text="der Anforderung am",
        )
        to = _office_users(catalog, office)
        found.append(
            _plan(catalog, rule, paper, ReminderKind.CO_SIGNING, deadline, to, office=office)
        )
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportDeadline:
    """An open Beschlusskontrolle deadline: a task's next report (or its completion), or the
    first report of an adopted paper without tasks; ``office_id`` is the office that owes it."""

    office_id: str
    deadline: Deadline
    step: StepFacts | None = None  # the deciding step (first report without tasks)
    task: TaskFacts | None = None


def report_deadlines(catalog: Catalog, paper: PaperFacts) -> list[ReportDeadline]:
    """The paper's open report deadlines, as the planner reminds of them: each open task with
    a due date, else (no task at all) the first report under ``implementation_report`` of the
    deciding Gremium once the paper is adopted."""
    cal = catalog.calendar()
    if paper.has_tasks:
        return [
            ReportDeadline(
                office_id=task.office_id, deadline=_task_deadline(catalog, cal, task), task=task
            )
            for task in paper.open_tasks
            if task.due is not None
        ]
    if paper.state != "adopted":
        return []
    held = [s for s in paper.steps if s.date is not None and not s.open]
    if not held:
        return []
    deciding = max(held, key=lambda s: s.position)
    assert deciding.date is not None
    report = catalog.deadlines.for_organization(deciding.organization_id).implementation_report
    if report is None:
        return []
    (deadline,) = report_due_dates(cal, deciding.date, report, 1)
    return [ReportDeadline(office_id=paper.office_id, deadline=deadline, step=deciding)]


def _task_deadline(catalog: Catalog, cal: WorkingCalendar, task: TaskFacts) -> Deadline:
    assert task.due is not None
    what = (
        f"Umsetzungsbericht, alle {task.interval_months} Monate"
        if task.interval_months
        else "Umsetzung"
    )
    receiver = f" an {catalog.organization_name(task.report_to)}" if task.report_to else ""
    return Deadline(
        kind=DeadlineKind.IMPLEMENTATION_REPORT,
        day=task.due,
        due=cal.end_of_day(task.due),
        explanation=(
            f"Beschlusskontrolle, Aufgabe {task.id} „{task.title}“: {what}{receiver}; "
            f"fällig {show(task.due)}"
        ),
    )


def _report_reminders(
    catalog: Catalog, rule: ReminderRule, paper: PaperFacts
) -> list[PlannedReminder]:
    return [
        _plan(
            catalog,
            rule,
            paper,
            ReminderKind.REPORT,
            r.deadline,
            _office_users(catalog, r.office_id),
            r.step,
            task=r.task,
        )
        for r in report_deadlines(catalog, paper)
    ]


def _plan(
    catalog: Catalog,
    rule: ReminderRule,
    paper: PaperFacts,
    kind: ReminderKind,
    deadline: Deadline,
    recipients: Iterable[str],
    step: StepFacts | None = None,
    *,
    office: str | None = None,
    task: TaskFacts | None = None,
    lead: bool = True,
) -> PlannedReminder:
    where = f"s{step.consultation_id}" if step else f"t{task.id}" if task else f"o{office}"
    slot = f"{kind.value}:{paper.id}:{where}"
    cal = catalog.calendar()
    due = cal.days_before(deadline.due, rule.lead_days) if lead else deadline.due
    escalate = _escalate_at(rule, deadline)
    subject = f"{_LABELS[kind]}: {paper.number} {paper.title} (Frist {show(deadline.day)})"
    return PlannedReminder(
        slot=slot,
        key=_key(slot, due),
        kind=kind,
        due_at=due,
        deadline_at=deadline.due,
        escalate_at=escalate,
        recipients=tuple(dict.fromkeys(recipients)),
        subject=subject,
        text=_text(catalog, paper, kind, deadline, step, office, task),
        consultation_id=step.consultation_id if step else None,
    )


def _escalate_at(rule: ReminderRule, deadline: Deadline) -> dt.datetime | None:
    """Elapsed hours after the deadline (in UTC: 24 hours are 24 hours, also on the night
    daylight saving time changes)."""
    if rule.escalate_after_hours is None:
        return None
    return deadline.due + dt.timedelta(hours=rule.escalate_after_hours)


def _escalation(
    catalog: Catalog, rule: ReminderRule, paper: PaperFacts, base: PlannedReminder
) -> PlannedReminder | None:
    office = paper.office_id
    if base.kind is ReminderKind.CO_SIGNING:
        office = base.slot.rsplit(":o", 1)[-1]
    elif base.kind is ReminderKind.REPORT and ":t" in base.slot:
        task_id = int(base.slot.rsplit(":t", 1)[-1])
        office = next(t.office_id for t in paper.open_tasks if t.id == task_id)
    return _escalation_of(catalog, rule, base, [office])


def _escalation_of(
    catalog: Catalog, rule: ReminderRule, base: PlannedReminder, offices: Iterable[str]
) -> PlannedReminder | None:
    if base.escalate_at is None:
        return None
    to = _escalation_recipients(catalog, rule, offices)
    slot = f"{ReminderKind.ESCALATION.value}:{base.slot}"
    hours = rule.escalate_after_hours
    return PlannedReminder(
        slot=slot,
        key=_key(slot, base.escalate_at),
        kind=ReminderKind.ESCALATION,
        due_at=base.escalate_at,
        deadline_at=base.escalate_at,
        escalate_at=None,
        recipients=tuple(dict.fromkeys(to)),
        subject=f"Eskalation, Frist seit {hours} Stunden überschritten: {base.subject}",
        text=(
            f"Die folgende Frist ist seit {hours} Stunden überschritten, und die Sache ist noch "
            f"offen. Die ursprüngliche Erinnerung ging an: {', '.join(base.recipients) or '-'}."
            f"\n\n{base.text}"
        ),
        consultation_id=base.consultation_id,
    )


def _key(slot: str, due: dt.datetime) -> str:
    return f"{slot}@{due.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
