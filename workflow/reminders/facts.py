"""What the reminder planner (``workflow.reminders.planning``) knows of a paper, its steps and
tasks, and of a meeting: plain values, built by the operations from their rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class StepFacts:
    consultation_id: int
    position: int
    organization_id: str
    role: str
    open: bool  # planned or scheduled
    date: dt.date | None  # held, scheduled or planned meeting day
    meeting_id: int | None = None  # scheduled into a meeting: its Ladung is the meeting's


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskFacts:
    """An implementation task (Beschlusskontrolle) that is not yet implemented."""

    id: int
    title: str
    office_id: str
    due: dt.date | None  # next report or completion due
    interval_months: int | None
    report_to: str | None  # Gremium receiving the reports


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperFacts:
    """What the planner needs to know about a paper (built by the service from its row)."""

    id: int
    number: str
    title: str
    office_id: str
    state: str
    final: bool  # the paper's lifecycle state is final
    released: bool
    steps: tuple[StepFacts, ...]
    pending_co_signatures: tuple[tuple[str, dt.datetime], ...]  # (office, requested at)
    open_tasks: tuple[TaskFacts, ...] = ()  # Beschlusskontrolle, not yet implemented
    has_tasks: bool = False  # any implementation task, also implemented ones


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingFacts:
    """What the planner needs to know about a meeting (built by the meeting operations)."""

    id: int
    label: str  # "meeting 3 (Hauptausschuss, 20.03.2025 17:00)"
    organization_id: str
    day: dt.date  # local day of its start
    awaiting_invitation: bool  # planned (not invited, held or cancelled) with an agenda
    papers: tuple[tuple[str, str, str], ...] = ()  # (number, title, office) on its agenda
