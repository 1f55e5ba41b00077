"""Issue 13, item 15: a periodic Beschlusskontrolle report falls due on its schedule, counted
from the task's first due date, whatever day a report came in. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from tests.conftest import on_day
from tests.test_decisions import S, adopted
from workflow.service import WorkflowService

D = dt.date


def report(service: WorkflowService, task: int, day: dt.date) -> dt.date | None:
    on_day(service.clock, day)
    return service.tasks.report_implementation(task, user="head", date=day, text="Bericht").due


def test_a_late_or_early_report_keeps_the_cycle(service: WorkflowService) -> None:
    number = adopted(service)  # decided 27.03.2025
    task = service.tasks.add_implementation_task(
        number, user=S, title="Bericht", office="amt1", due=D(2025, 12, 1), interval_months=6
    )
    assert report(service, task.id, D(2025, 12, 2)) == D(2026, 6, 1)  # one day late
    assert report(service, task.id, D(2026, 5, 20)) == D(2026, 12, 1)  # early
    # two cycles missed: the next report is the next one on the schedule after the report
    assert report(service, task.id, D(2027, 7, 1)) == D(2027, 12, 1)
    events = [e for e in service.audit.audit_trail(number) if e.action == "implementation_reported"]
    assert [e.payload["next_due"] for e in events] == ["2026-06-01", "2026-12-01", "2027-12-01"]


def test_the_month_end_does_not_wander(service: WorkflowService) -> None:
    number = adopted(service)
    task = service.tasks.add_implementation_task(
        number, user=S, title="Bericht", office="amt1", due=D(2025, 8, 31), interval_months=6
    )
    assert report(service, task.id, D(2025, 8, 31)) == D(2026, 2, 28)
    assert report(service, task.id, D(2026, 2, 28)) == D(2026, 8, 31)


def test_a_cycle_from_the_decision_counts_from_the_decision(service: WorkflowService) -> None:
    number = adopted(service)  # decided 27.03.2025
    task = service.tasks.add_implementation_task(
        number, user=S, title="Bericht", office="amt1", interval_months=12
    )
    assert task.due == D(2026, 3, 27)
    assert report(service, task.id, D(2026, 3, 20)) == D(2027, 3, 27)
