"""Deadline (Frist) arithmetic: pure date math on a municipality's working calendar.

Nothing here touches the database. Rules come from the ``deadlines`` section of the definitions
(see docs/definitions.md); every computed ``Deadline`` carries a German explanation naming the
rule, its legal basis, the days counted and the days skipped (and why), so that it can be shown
to an auditor as it is.


Dates are calendar dates in the municipality's time zone; a deadline "bis 24:00 am Tag X" is
the instant at which day X+1 begins there, stored as UTC. Counting by dates and converting at
the end keeps every deadline right across daylight-saving changes.

Import from here (``from workflow.core.deadlines import invitation_deadline``); the modules:

- ``rules``: the ``deadlines`` section as values (units, notice and lead-time rules, days off);
- ``workdays``: the working calendar (holidays, days off, time zone);
- ``counting``: one Frist counted and explained (``Deadline``);
- ``status``: whether a step kept its Vorlagenschluss and Ladung (``step_fristen``), the one
  judgement every view shows;
- ``paths``: the dependency check along a paper's path (``check_path``).
"""

from __future__ import annotations

from workflow.core.deadlines.counting import (
    SEARCH_LIMIT,
    Deadline,
    DeadlineEntry,
    add_months,
    counted_days,
    earliest_meeting,
    invitation_deadline,
    latest_event_day,
    lead_time_deadline,
    receipt_of,
    report_due_dates,
    satisfies,
    shift,
    show,
)
from workflow.core.deadlines.paths import (
    StepCheck,
    StepStatus,
    check_path,
    step_deadlines,
)
from workflow.core.deadlines.rules import (
    DayOff,
    DayUnit,
    DeadlineKind,
    DeadlineRules,
    LeadTimeRule,
    NonWorkingDayPolicy,
    NoticeEvent,
    NoticeRule,
    ReminderRule,
    ReportRule,
    RuleSet,
    RuleSource,
)
from workflow.core.deadlines.status import (
    DeadlineCheck,
    DeadlineStatus,
    PathStep,
    StepStanding,
    judge,
    step_fristen,
)
from workflow.core.deadlines.workdays import (
    WorkingCalendar,
    working_calendar,
)

__all__ = [
    "SEARCH_LIMIT",
    "DayOff",
    "DayUnit",
    "Deadline",
    "DeadlineCheck",
    "DeadlineEntry",
    "DeadlineKind",
    "DeadlineRules",
    "DeadlineStatus",
    "LeadTimeRule",
    "NonWorkingDayPolicy",
    "NoticeEvent",
    "NoticeRule",
    "PathStep",
    "ReminderRule",
    "ReportRule",
    "RuleSet",
    "RuleSource",
    "StepCheck",
    "StepStanding",
    "StepStatus",
    "WorkingCalendar",
    "add_months",
    "check_path",
    "counted_days",
    "earliest_meeting",
    "invitation_deadline",
    "judge",
    "latest_event_day",
    "lead_time_deadline",
    "receipt_of",
    "report_due_dates",
    "satisfies",
    "shift",
    "show",
    "step_deadlines",
    "step_fristen",
    "working_calendar",
]
