"""The pure check of which Fristen a paper kept: Mitzeichnung and Einspruchsfrist (the
Vorlagenschluss and the Ladung are covered through ``decisions list`` in test_trail.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.audit.compliance import (
    CoSignFacts,
    DeadlineStatus,
    StepFacts,
    check_deadlines,
    decision_facts,
)
from workflow.core.deadlines import (
    DayUnit,
    DeadlineRules,
    LeadTimeRule,
    NoticeEvent,
    NoticeRule,
    RuleSet,
    WorkingCalendar,
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
        ),
        co_signing=LeadTimeRule(days=3, unit=DayUnit.WORKING_DAYS),
    )
)
# requested Monday 04.03.2024 10:00 (Berlin): three working days, due Thursday 07.03.2024
REQUESTED = dt.datetime(2024, 3, 4, 9, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2024, 3, 20, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("signed", "now", "status"),
    [
        (dt.datetime(2024, 3, 7, 22, 30, tzinfo=dt.UTC), NOW, DeadlineStatus.KEPT),  # 23:30
        (dt.datetime(2024, 3, 7, 23, 30, tzinfo=dt.UTC), NOW, DeadlineStatus.MISSED),  # 00:30
        (None, NOW, DeadlineStatus.MISSED),
        (None, dt.datetime(2024, 3, 6, 9, 0, tzinfo=dt.UTC), DeadlineStatus.OPEN),
    ],
)
def test_a_co_signature_is_kept_until_the_end_of_its_last_day_in_berlin(
    signed: dt.datetime | None, now: dt.datetime, status: DeadlineStatus
) -> None:
    [check] = check_deadlines(
        CAL,
        RULES,
        now=now,
        released_at=None,
        steps=[],
        co_signatures=[
            CoSignFacts(
                office_id="hauptamt", office_name="Hauptamt", requested_at=REQUESTED,
                signed_at=signed,
            )
        ],
    )  # fmt: skip
    assert (check.kind, check.position, check.due, check.status) == (
        "Mitzeichnung", None, dt.date(2024, 3, 7), status,
    )  # fmt: skip


def test_a_co_signature_never_requested_has_no_deadline() -> None:
    facts = CoSignFacts(office_id="a", office_name="A", requested_at=None, signed_at=None)
    assert (
        check_deadlines(CAL, RULES, now=NOW, released_at=None, steps=[], co_signatures=[facts])
        == []
    )


STEP = StepFacts(
    position=2,
    organization_id="asidq",
    organization_name="ASIDQ",
    date=dt.date(2024, 3, 5),
    invited_at=None,
    has_meeting=False,
)


@pytest.mark.parametrize(
    ("objected", "now", "status", "text"),
    [
        (None, NOW, DeadlineStatus.KEPT, "abgelaufen ohne Einspruch"),
        (None, dt.datetime(2024, 3, 11, 9, tzinfo=dt.UTC), DeadlineStatus.OPEN, "läuft"),
        (dt.date(2024, 3, 12), NOW, DeadlineStatus.KEPT, "Einspruch am Di 12.03.2024 in der"),
        (dt.date(2024, 3, 13), NOW, DeadlineStatus.MISSED, "Einspruch am Mi 13.03.2024 nach"),
    ],
)
def test_the_einspruchsfrist_of_a_delegated_decision(
    objected: dt.date | None, now: dt.datetime, status: DeadlineStatus, text: str
) -> None:
    decision = decision_facts({"asidq": 7}, STEP, objected)
    assert decision is not None
    checks = check_deadlines(CAL, RULES, now=now, released_at=None, steps=[], decision=decision)
    [period] = checks
    assert (period.kind, period.position, period.due, period.status) == (
        "Einspruchsfrist", 2, dt.date(2024, 3, 12), status,
    )  # fmt: skip
    assert period.explanation.startswith(text)


def test_no_einspruchsfrist_without_delegated_competence() -> None:
    assert decision_facts({"rat": 7}, STEP, None) is None
    assert decision_facts({"asidq": 7}, None, None) is None
