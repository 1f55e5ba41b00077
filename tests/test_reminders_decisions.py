"""Beschlusskontrolle reminders: planned from implementation tasks, moved by each report,
cancelled when the task is implemented, escalated when overdue; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storage.session import Database
from tests.conftest import on_day
from tests.reminder_fixtures import RecordingNotifier, create_paper, reminder_definitions
from workflow.core.clock import FixedClock
from workflow.core.errors import PermissionDenied
from workflow.core.model import ReminderState
from workflow.service import WorkflowService
from workflow.worker import Worker

UTC = dt.UTC
D = dt.date


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2025, 3, 3, 9, tzinfo=UTC))


@pytest.fixture
def town(database: Database, clock: FixedClock, tmp_path: Path) -> WorkflowService:
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(reminder_definitions(tmp_path), user=None)
    return service


def adopted(town: WorkflowService) -> str:
    number = create_paper(town)
    town.papers.submit_paper(number, user="clerk")
    town.papers.release_paper(number, user="head")
    on_day(town.clock, D(2025, 3, 18))
    town.results.record_result(number, user="session", position=1, outcome="empfohlen")
    on_day(town.clock, D(2025, 3, 27))
    town.results.record_result(number, user="session", position=2, outcome="beschlossen")
    return number  # decided 27.03.2025, the clock's day


def reports(town: WorkflowService, state: ReminderState = ReminderState.PENDING) -> dict:
    return {
        r.key.split("@")[0]: r
        for r in town.reminders.list_reminders([state])
        if r.kind.value == "bericht" or r.key.startswith("eskalation:bericht")
    }


def test_an_adopted_paper_without_tasks_gets_the_first_report_of_the_rule(
    town: WorkflowService,
) -> None:
    adopted(town)
    (report,) = [r for k, r in reports(town).items() if k.startswith("bericht")]
    # implementation_report every 6 months after 27.03.2025: 27.09.2025, one day lead
    assert report.due_at == dt.datetime(2025, 9, 26, 22, tzinfo=UTC)
    assert "erika@musterstadt.example" in report.recipients


def test_a_task_plans_its_report_reminder_and_replaces_the_rule_default(
    town: WorkflowService,
) -> None:
    number = adopted(town)
    task = town.tasks.add_implementation_task(
        number, user="session", title="Bauantrag stellen", office="amt2", due=D(2025, 6, 30)
    )
    due = reports(town)
    assert set(due) == {f"bericht:1:t{task.id}", f"eskalation:bericht:1:t{task.id}"}
    report = due[f"bericht:1:t{task.id}"]
    # due 30.06. 24:00 Berlin (CEST) = 22:00 UTC, one day lead
    assert report.due_at == dt.datetime(2025, 6, 29, 22, tzinfo=UTC)
    assert set(report.recipients) == {"olaf@musterstadt.example", "ina@musterstadt.example"}
    escalation = due[f"eskalation:bericht:1:t{task.id}"]
    assert escalation.due_at == dt.datetime(2025, 7, 1, 22, tzinfo=UTC)  # 24 h after
    assert "ina@musterstadt.example" in escalation.recipients  # head of amt2, not amt1
    assert "max@musterstadt.example" not in escalation.recipients
    cancelled = reports(town, ReminderState.CANCELLED)
    assert set(cancelled) == {"bericht:1:s2", "eskalation:bericht:1:s2"}
    trail = [e for e in town.audit.audit_trail(number) if e.action.startswith("reminder_")]
    added = next(
        e for e in town.audit.audit_trail(number) if e.action == "implementation_task_added"
    )
    # the reminders changed in the task's transaction, audited as the same user right after it
    assert [e.actor for e in trail[-4:]] == ["session"] * 4
    assert all(e.seq > added.seq for e in trail[-4:])
    assert town.audit.verify_audit().ok


def test_a_report_moves_the_reminder_and_implementation_cancels_it(
    town: WorkflowService, clock: FixedClock
) -> None:
    number = adopted(town)
    task = town.tasks.add_implementation_task(
        number, user="session", title="Umsetzungsbericht", office="amt1", interval_months=12
    )
    slot = f"bericht:1:t{task.id}"
    assert reports(town)[slot].due_at == dt.datetime(2026, 3, 26, 23, tzinfo=UTC)  # CET
    clock.instant = dt.datetime(2026, 3, 20, 9, tzinfo=UTC)
    town.tasks.report_implementation(task.id, user="head", date=D(2026, 3, 20), text="Stand 1")
    moved = reports(town)[slot]
    assert moved.due_at == dt.datetime(2027, 3, 26, 23, tzinfo=UTC)  # on its cycle: 27.03.2027
    assert "reminder_moved" in [e.action for e in town.audit.audit_trail(number)]
    on_day(clock, D(2026, 4, 1))
    town.tasks.report_implementation(
        task.id, user="head", date=D(2026, 4, 1), text="fertig", implemented=True
    )
    assert reports(town) == {}
    assert slot in reports(town, ReminderState.CANCELLED)
    assert town.papers.get_paper(number).state == "implemented"
    assert town.audit.verify_audit().ok


def test_a_refused_report_changes_no_reminder(town: WorkflowService) -> None:
    number = adopted(town)
    task = town.tasks.add_implementation_task(
        number, user="session", title="Bauantrag", office="amt1", due=D(2025, 6, 30)
    )
    before = {k: r.due_at for k, r in reports(town).items()}
    events = len(town.audit.audit_trail(number))
    with pytest.raises(PermissionDenied):
        town.tasks.report_implementation(task.id, user="auditor", date=D(2025, 6, 1), text="x")
    assert {k: r.due_at for k, r in reports(town).items()} == before
    assert len(town.audit.audit_trail(number)) == events


def test_an_overdue_task_reminder_is_sent_then_escalated(
    town: WorkflowService, clock: FixedClock
) -> None:
    number = adopted(town)
    task = town.tasks.add_implementation_task(
        number, user="session", title="Bauantrag stellen", office="amt1", due=D(2025, 6, 30)
    )
    notifier = RecordingNotifier()
    clock.instant = dt.datetime(2025, 7, 3, 8, tzinfo=UTC)
    Worker(town, notifier, name="worker:test").sweep()
    keys = sorted(m.key.split("@")[0] for m in notifier.sent)
    assert keys == [f"bericht:1:t{task.id}", f"eskalation:bericht:1:t{task.id}"]
    first = next(m for m in notifier.sent if m.key.startswith("bericht"))
    assert first.subject.startswith(f"Bericht zur Beschlusskontrolle fällig: {number}")
    assert f"Aufgabe {task.id}: Bauantrag stellen" in first.body
    assert f"ratsweg decisions report {task.id}" in first.body
    assert "Frist: Mo 30.06.2025, 24:00 Uhr" in first.body
    escalation = next(m for m in notifier.sent if m.key.startswith("eskalation"))
    assert escalation.subject.startswith("Eskalation, Frist seit 24 Stunden überschritten")
    assert set(escalation.recipients) >= {"max@musterstadt.example", "buero@musterstadt.example"}
    sent = [e for e in town.audit.audit_trail(number) if e.action == "reminder_sent"]
    assert len(sent) == 2


def test_deadlines_list_the_beschlusskontrolle_reports_with_the_filters(
    town: WorkflowService, clock: FixedClock
) -> None:
    number = adopted(town)

    def listed(**filters: object) -> list[tuple[str, str, dt.date, int | None]]:
        return [
            (e.deadline.kind.value, e.organization_id, e.deadline.day, e.task)
            for e in town.deadlines.list_deadlines(**filters)  # type: ignore[arg-type]
        ]

    # no task yet: the first report under the rule, owed by the paper's office
    assert listed() == [("bericht", "amt1", D(2025, 9, 27), None)]
    task = town.tasks.add_implementation_task(
        number, user="session", title="Bauantrag stellen", office="amt2", due=D(2025, 6, 30)
    )
    mine = ("bericht", "amt2", D(2025, 6, 30), task.id)
    assert listed() == [mine]  # the task replaces the rule's first report
    assert listed(office="amt2") == listed(user="clerk2") == listed(organization="amt2") == [mine]
    assert listed(paper=number, start=D(2025, 6, 30), end=D(2025, 6, 30)) == [mine]
    assert listed(organization="amt1") == listed(start=D(2025, 7, 1)) == []
    (entry,) = town.deadlines.list_deadlines()
    assert f"Aufgabe {task.id} „Bauantrag stellen“" in entry.deadline.explanation
    on_day(clock, D(2025, 6, 1))
    town.tasks.report_implementation(
        task.id, user="head2", date=D(2025, 6, 1), text="fertig", implemented=True
    )
    assert listed() == []
