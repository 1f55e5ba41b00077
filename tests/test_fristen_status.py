"""The one judgement of a step's Fristen (``workflow.core.deadlines.step_fristen``) and the
step status ``check_path`` derives from it (issue 13, item 12). Pure: no database."""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.core.deadlines import (
    DayUnit,
    DeadlineRules,
    DeadlineStatus,
    LeadTimeRule,
    NoticeEvent,
    NoticeRule,
    PathStep,
    RuleSet,
    RuleSource,
    StepStanding,
    StepStatus,
    WorkingCalendar,
    check_path,
    step_deadlines,
    step_fristen,
)

CAL = WorkingCalendar("RP")
RULES = DeadlineRules(
    default=RuleSet(
        notice=NoticeRule(
            days=4,
            unit=DayUnit.CALENDAR_DAYS,
            count_event_day=False,
            count_meeting_day=False,
            event=NoticeEvent.DISPATCH,
            source=RuleSource(legal_basis="GemO § 34 Abs. 3 S. 1"),
        ),
        submission_cutoff=LeadTimeRule(
            days=5, unit=DayUnit.WORKING_DAYS, source=RuleSource(legal_basis="intern")
        ),
    )
)
# Meeting Thursday 14.03.2024: Ladung by Sat 09.03., Vorlagenschluss 5 working days before
# that, Monday 04.03.2024 (24:00 Berlin = 23:00 UTC)
MEETING = dt.date(2024, 3, 14)
CUTOFF_END = dt.datetime(2024, 3, 4, 23, 0, tzinfo=dt.UTC)
LADUNG_END = dt.datetime(2024, 3, 9, 23, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2024, 3, 20, 9, 0, tzinfo=dt.UTC)
EARLIER = dt.datetime(2024, 2, 20, 9, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def step(**fields: object) -> PathStep:
    values: dict[str, object] = {
        "position": 2,
        "organization_id": "rat",
        "organization_name": "Rat",
        "role": "entscheidung",
        "date": MEETING,
    }
    values.update(fields)
    return PathStep(**values)  # type: ignore[arg-type]


def judged(
    facts: PathStep, released_at: dt.datetime | None, now: dt.datetime | None
) -> dict[str, DeadlineStatus]:
    assert facts.date is not None
    found = step_deadlines(CAL, RULES.default, facts.date, facts.organization_name)
    return {
        c.kind: c.status
        for c in step_fristen(CAL, RULES, facts, found, released_at=released_at, now=now)
    }


@pytest.mark.parametrize(
    ("released", "now", "status"),
    [
        (CUTOFF_END, LATER, DeadlineStatus.KEPT),  # 24:00 on the last day is still in time
        (CUTOFF_END + SECOND, LATER, DeadlineStatus.MISSED),
        (None, LATER, DeadlineStatus.MISSED),
        (None, EARLIER, DeadlineStatus.OPEN),
        (None, None, DeadlineStatus.OPEN),  # a plan without a clock
        (CUTOFF_END + SECOND, None, DeadlineStatus.MISSED),  # late is late, whenever asked
    ],
)
def test_the_vorlagenschluss_against_the_release(
    released: dt.datetime | None, now: dt.datetime | None, status: DeadlineStatus
) -> None:
    assert judged(step(), released, now)["Vorlagenschluss"] is status


@pytest.mark.parametrize(
    ("has_meeting", "invited", "now", "status"),
    [
        (True, LADUNG_END, LATER, DeadlineStatus.KEPT),
        (True, LADUNG_END + SECOND, LATER, DeadlineStatus.MISSED),
        (True, None, LATER, DeadlineStatus.MISSED),
        (True, None, EARLIER, DeadlineStatus.OPEN),
        (False, None, LATER, DeadlineStatus.UNKNOWN),  # no meeting record: not recorded
        (False, None, EARLIER, DeadlineStatus.OPEN),  # ... but not yet due either
    ],
)
def test_the_ladung_against_the_invitation(
    has_meeting: bool, invited: dt.datetime | None, now: dt.datetime, status: DeadlineStatus
) -> None:
    facts = step(has_meeting=has_meeting, invited_at=invited)
    assert judged(facts, CUTOFF_END, now)["Ladung"] is status


@pytest.mark.parametrize("standing", [StepStanding.CANCELLED, StepStanding.DROPPED])
def test_a_step_without_its_meeting_has_no_fristen_to_keep(standing: StepStanding) -> None:
    """Released far too late, never invited: still not applicable, not missed."""
    facts = step(standing=standing, has_meeting=True)
    checks = step_fristen(CAL, RULES, facts, (), released_at=LATER, now=LATER)
    assert [(c.kind, c.status, c.due) for c in checks] == [
        ("Vorlagenschluss", DeadlineStatus.NOT_APPLICABLE, None),
        ("Ladung", DeadlineStatus.NOT_APPLICABLE, None),
    ]
    assert DeadlineStatus.NOT_APPLICABLE.label == "nicht anwendbar"


def test_an_urgent_decision_cites_its_legal_basis() -> None:
    facts = step(standing=StepStanding.URGENT, legal_basis="GemO § 48")
    checks = step_fristen(CAL, RULES, facts, (), released_at=LATER, now=LATER)
    assert {c.status for c in checks} == {DeadlineStatus.NOT_APPLICABLE}
    assert {c.legal_basis for c in checks} == {"GemO § 48"}
    assert checks[0].explanation == (
        "Dringlichkeitsentscheidung ohne Sitzung (GemO § 48) am Do 14.03.2024: "
        "Vorlagenschluss nicht anwendbar"
    )
    [check] = check_path(CAL, RULES, [facts], released_at=LATER, now=LATER)
    assert check.status is StepStatus.NOT_APPLICABLE
    assert check.message.startswith("Dringlichkeitsentscheidung ohne Sitzung (GemO § 48)")
    assert check.fristen == checks


def test_a_kept_frist_carries_the_rules_legal_basis() -> None:
    found = step_deadlines(CAL, RULES.default, MEETING, "Rat")
    checks = step_fristen(
        CAL, RULES, step(has_meeting=True, invited_at=EARLIER), found,
        released_at=EARLIER, now=LATER,
    )  # fmt: skip
    assert [(c.kind, c.status, c.legal_basis) for c in checks] == [
        ("Vorlagenschluss", DeadlineStatus.KEPT, "intern"),
        ("Ladung", DeadlineStatus.KEPT, "GemO § 34 Abs. 3 S. 1"),
    ]


def test_check_path_says_missed_where_the_release_came_too_late() -> None:
    [check] = check_path(CAL, RULES, [step()], released_at=CUTOFF_END + SECOND, now=LATER)
    assert check.status is StepStatus.MISSED
    assert check.message == "versäumt: Vorlagenschluss bis Mo 04.03.2024 (erfolgt Di 05.03.2024)"
    [in_time] = check_path(CAL, RULES, [step()], released_at=CUTOFF_END, now=LATER)
    assert in_time.status is StepStatus.OK


def test_a_dropped_step_is_no_nachtrag_and_blocks_nothing() -> None:
    """Step 1 meets the day before the dropped step 2 and after the invitation of step 3
    would have to go out; only an active step waits, and only for an active result."""
    first = step(position=1, organization_id="ausschuss", date=MEETING - dt.timedelta(days=1))
    dropped = step(position=2, organization_id="ausschuss", standing=StepStanding.DROPPED)
    later = step(position=3, date=MEETING + dt.timedelta(days=3))
    checks = check_path(CAL, RULES, [first, dropped, later], released_at=EARLIER, now=EARLIER)
    assert [c.status for c in checks] == [
        StepStatus.OK,
        StepStatus.NOT_APPLICABLE,
        StepStatus.NACHTRAG,
    ]
    assert checks[1].blocked_by == () and checks[1].deadlines == ()
    assert checks[2].blocked_by == (1,)  # not the dropped step 2, which has no result


def test_missed_comes_before_nachtrag_and_keeps_the_proposal() -> None:
    first = step(position=1, organization_id="ausschuss", date=MEETING - dt.timedelta(days=1))
    [_, second] = check_path(CAL, RULES, [first, step()], released_at=LATER, now=LATER)
    assert second.status is StepStatus.MISSED
    assert second.blocked_by == (1,) and second.proposed_date is not None
    assert second.message.startswith("versäumt: Vorlagenschluss bis Mo 04.03.2024")
    assert "Nachtrag / Tischvorlage" in second.message
