"""Deadline arithmetic: counting conventions, holidays per state, DST, and the path check."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.core.deadlines import (
    DayOff,
    DayUnit,
    DeadlineKind,
    LeadTimeRule,
    NonWorkingDayPolicy,
    NoticeEvent,
    NoticeRule,
    PathStep,
    ReportRule,
    RuleSource,
    StepStatus,
    add_months,
    check_path,
    invitation_deadline,
    lead_time_deadline,
    report_due_dates,
    satisfies,
    working_calendar,
)
from workflow.definitions import load_catalog, resolve_definitions_dir

D = dt.date
RP, SL = working_calendar("RP"), working_calendar("SL")
TUESDAY = D(2025, 3, 25)  # the worked example of domain.md 1.3


def notice(days: int, unit: DayUnit = DayUnit.CALENDAR_DAYS, **kw: object) -> NoticeRule:
    fields: dict[str, object] = {
        "count_event_day": False,
        "count_meeting_day": False,
        "event": NoticeEvent.RECEIPT,
    }
    return NoticeRule(days=days, unit=unit, **(fields | kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "latest"),
    [
        (notice(4), D(2025, 3, 20)),  # GemO RLP § 34: four full days, neither end counted
        (notice(10), D(2025, 3, 14)),  # Mettmann: ten full days
        (notice(7, count_event_day=True), D(2025, 3, 18)),  # Gummersbach: on the 7th day before
        (notice(9, count_meeting_day=True), D(2025, 3, 16)),  # Hilden: meeting day counted
        (
            notice(12, count_event_day=True, count_meeting_day=True, event=NoticeEvent.DISPATCH),
            D(2025, 3, 14),  # Erftstadt: dispatch and meeting day counted
        ),
    ],
)
def test_counting_conventions_of_domain_table_1_3(rule: NoticeRule, latest: dt.date) -> None:
    deadline = invitation_deadline(RP, TUESDAY, rule)
    assert deadline.day == latest
    assert satisfies(RP, rule, latest, TUESDAY)
    assert not satisfies(RP, rule, latest + dt.timedelta(days=1), TUESDAY)


def test_calendar_day_deadline_on_a_sunday_stays_and_warns() -> None:
    deadline = invitation_deadline(RP, TUESDAY, notice(9, count_meeting_day=True))
    assert deadline.day == D(2025, 3, 16)
    assert deadline.warnings == (
        "Fristende So 16.03.2025 ist kein Arbeitstag (Sonntag); nicht verschoben",
    )


def test_calendar_day_deadline_can_move_to_the_previous_working_day() -> None:
    rule = notice(
        9, count_meeting_day=True, on_non_working_day=NonWorkingDayPolicy.PREVIOUS_WORKING_DAY
    )
    deadline = invitation_deadline(RP, TUESDAY, rule)
    assert deadline.day == D(2025, 3, 14)
    assert [day for day, _ in deadline.skipped] == [D(2025, 3, 16), D(2025, 3, 15)]


def test_working_days_skip_weekend_and_pentecost_monday() -> None:
    deadline = invitation_deadline(RP, D(2025, 6, 10), notice(3, DayUnit.WORKING_DAYS))
    assert deadline.counted == (D(2025, 6, 4), D(2025, 6, 5), D(2025, 6, 6))
    assert deadline.day == D(2025, 6, 3)
    assert (D(2025, 6, 9), "Feiertag Pfingstmontag (RP)") in deadline.skipped
    assert (
        "übersprungen: 07.06. (Samstag), 08.06. (Sonntag), 09.06. (Feiertag Pfingstmontag (RP))"
        in (deadline.explanation)
    )


def test_werktage_count_saturday_but_never_end_on_it() -> None:
    deadline = invitation_deadline(RP, D(2025, 6, 10), notice(3, DayUnit.WERKTAGE))
    assert deadline.counted == (D(2025, 6, 5), D(2025, 6, 6), D(2025, 6, 7))
    assert deadline.day == D(2025, 6, 4)


def test_receipt_with_delivery_allowance_moves_dispatch_earlier() -> None:
    electronic = invitation_deadline(RP, TUESDAY, notice(4))
    post = invitation_deadline(RP, TUESDAY, notice(4, delivery_days=3))
    post_working = invitation_deadline(
        RP, TUESDAY, notice(4, delivery_days=2, delivery_unit=DayUnit.WORKING_DAYS)
    )
    assert (electronic.receipt_day, electronic.day) == (D(2025, 3, 20), D(2025, 3, 20))
    assert (post.receipt_day, post.day) == (D(2025, 3, 20), D(2025, 3, 17))
    assert post_working.day == D(2025, 3, 18)
    assert "Zugangsfiktion 3 Kalendertage" in post.explanation
    dispatch = invitation_deadline(RP, TUESDAY, notice(4, event=NoticeEvent.DISPATCH))
    assert dispatch.receipt_day is None and dispatch.day == D(2025, 3, 20)


def test_urgent_period_is_shorter() -> None:
    urgent = invitation_deadline(RP, TUESDAY, notice(1), kind=DeadlineKind.URGENT_INVITATION)
    assert urgent.day == D(2025, 3, 23)
    assert urgent.explanation.startswith("Ladung (Dringlichkeit) zur Sitzung am Di 25.03.2025")


def test_mariae_himmelfahrt_counts_in_rp_but_not_in_sl() -> None:
    rule = notice(3, DayUnit.WORKING_DAYS)
    monday = D(2025, 8, 18)
    assert invitation_deadline(RP, monday, rule).day == D(2025, 8, 12)
    saarland = invitation_deadline(SL, monday, rule)
    assert saarland.day == D(2025, 8, 11)
    assert (D(2025, 8, 15), "Feiertag Mariä Himmelfahrt (SL)") in saarland.skipped
    assert RP.non_working(D(2025, 8, 15)) is None


def test_co_signing_due_after_a_holiday_in_sl() -> None:
    rule = LeadTimeRule(days=3, unit=DayUnit.WORKING_DAYS)
    thursday = D(2025, 8, 14)
    kw = {"kind": DeadlineKind.CO_SIGNING, "before": False, "anchor_text": "Anforderung"}
    assert lead_time_deadline(RP, thursday, rule, **kw).day == D(2025, 8, 19)  # type: ignore[arg-type]
    assert lead_time_deadline(SL, thursday, rule, **kw).day == D(2025, 8, 20)  # type: ignore[arg-type]
    calendar = LeadTimeRule(
        days=1, unit=DayUnit.CALENDAR_DAYS, on_non_working_day=NonWorkingDayPolicy.NEXT_WORKING_DAY
    )
    assert lead_time_deadline(SL, thursday, calendar, **kw).day == D(2025, 8, 18)  # type: ignore[arg-type]


def test_submission_cutoff_counts_working_days_before_dispatch() -> None:
    rule = LeadTimeRule(
        days=5, unit=DayUnit.WORKING_DAYS, source=RuleSource(verified=False, note="x")
    )
    cutoff = lead_time_deadline(
        RP,
        D(2011, 12, 8),
        rule,
        kind=DeadlineKind.SUBMISSION_CUTOFF,
        before=True,
        anchor_text="dem Versand",
    )
    assert cutoff.day == D(2011, 12, 1)
    assert cutoff.warnings == ("Regel nicht verifiziert: x",)


def test_municipal_days_off_are_skipped_by_working_days() -> None:
    closures = (
        DayOff(name="Rosenmontag", easter_offset=-48),
        DayOff(name="Heiligabend", annual=(12, 24)),
        DayOff(name="Betriebsausflug", date=D(2025, 6, 6)),
    )
    cal = working_calendar("RP", "Europe/Berlin", closures)
    assert cal.non_working(D(2025, 3, 3)) == "dienstfrei: Rosenmontag"
    assert cal.non_working(D(2026, 2, 16)) == "dienstfrei: Rosenmontag"
    assert cal.non_working(D(2025, 12, 24)) == "dienstfrei: Heiligabend"
    assert invitation_deadline(cal, D(2025, 6, 10), notice(3, DayUnit.WORKING_DAYS)).day == D(
        2025, 6, 2
    )


@pytest.mark.parametrize(
    ("meeting", "dispatch", "due_utc", "meeting_utc"),
    [
        # the clocks go forward on Sunday 30.03.2025: deadline in CET, meeting in CEST
        (D(2025, 4, 1), D(2025, 3, 27), "2025-03-27T23:00:00+00:00", "2025-04-01T16:00:00+00:00"),
        # and back on Sunday 26.10.2025: deadline in CEST, meeting in CET
        (
            D(2025, 10, 29),
            D(2025, 10, 24),
            "2025-10-24T22:00:00+00:00",
            "2025-10-29T17:00:00+00:00",
        ),
    ],
)
def test_instants_are_right_across_daylight_saving_changes(
    meeting: dt.date, dispatch: dt.date, due_utc: str, meeting_utc: str
) -> None:
    deadline = invitation_deadline(RP, meeting, notice(4))
    assert deadline.day == dispatch
    assert deadline.due.isoformat() == due_utc
    assert str(RP.at(meeting, dt.time(18, 0))) == meeting_utc.replace("T", " ")
    assert RP.local_date(deadline.due - dt.timedelta(microseconds=1)) == dispatch


def test_the_day_the_clocks_change_has_23_and_25_hours() -> None:
    assert RP.end_of_day(D(2025, 3, 30)) - RP.end_of_day(D(2025, 3, 29)) == dt.timedelta(hours=23)
    assert RP.end_of_day(D(2025, 10, 26)) - RP.end_of_day(D(2025, 10, 25)) == dt.timedelta(hours=25)


def test_report_due_dates_clamp_to_the_month_end() -> None:
    assert add_months(D(2025, 8, 31), 6) == D(2026, 2, 28)
    dues = report_due_dates(RP, D(2012, 3, 1), ReportRule(months=9), count=2)
    assert [d.day for d in dues] == [D(2012, 12, 1), D(2013, 9, 1)]


LANDAU_PATH = [
    (1, "stadtvorstand", D(2011, 11, 14)),
    (2, "beirat_migration", D(2011, 11, 17)),
    (3, "sozialausschuss", D(2011, 11, 17)),
    (4, "hauptausschuss", D(2011, 11, 29)),
    (5, "jugendhilfe_sozialausschuss", D(2011, 12, 7)),
    (6, "beirat_migration", D(2011, 12, 8)),
    (7, "stadtrat", D(2011, 12, 13)),
]


def test_landau_stadtrat_needs_the_beirat_result_as_a_nachtrag() -> None:
    catalog = load_catalog(resolve_definitions_dir("landau"))
    steps = [
        PathStep(
            position=position,
            organization_id=org,
            organization_name=catalog.organization(org).name,
            role="vorberatung" if position < 7 else "entscheidung",
            date=date,
        )
        for position, org, date in LANDAU_PATH
    ]
    checks = check_path(working_calendar("RP"), catalog.deadlines, steps)
    stadtrat = checks[-1]
    invitation = next(d for d in stadtrat.deadlines if d.kind is DeadlineKind.INVITATION)
    assert invitation.day == D(2011, 12, 8)
    assert invitation.counted == (D(2011, 12, 9), D(2011, 12, 10), D(2011, 12, 11), D(2011, 12, 12))
    assert "GemO § 34 Abs. 3 S. 1" in invitation.explanation
    assert stadtrat.status is StepStatus.NACHTRAG
    assert stadtrat.blocked_by == (6,)
    assert stadtrat.proposed_date == D(2011, 12, 14)
    assert "Nachtrag / Tischvorlage" in stadtrat.message
    assert [c.status for c in checks][3:5] == [StepStatus.OK, StepStatus.OK]


def test_a_body_without_a_notice_rule_is_reported_not_guessed() -> None:
    catalog = load_catalog(resolve_definitions_dir("herzogenrath"))
    step = PathStep(
        position=1,
        organization_id="asidq",
        organization_name="ASIDQ",
        role="entscheidung",
        date=D(2025, 3, 25),
    )
    [check] = check_path(working_calendar("NW"), catalog.deadlines, [step])
    assert check.status is StepStatus.NO_RULE
    assert "keine Ladungsfrist für 'asidq'" in check.message


# -- properties ---------------------------------------------------------------------------------

rules = st.builds(
    notice,
    days=st.integers(1, 15),
    unit=st.sampled_from(list(DayUnit)),
    count_event_day=st.booleans(),
    count_meeting_day=st.booleans(),
    event=st.sampled_from(list(NoticeEvent)),
    on_non_working_day=st.sampled_from(
        [NonWorkingDayPolicy.KEEP, NonWorkingDayPolicy.PREVIOUS_WORKING_DAY]
    ),
)
meetings = st.dates(D(2010, 1, 1), D(2035, 12, 31))
calendars = st.sampled_from([RP, SL, working_calendar("NW")])


@settings(max_examples=300, deadline=None)
@given(rule=rules, meeting=meetings, cal=calendars, delivery=st.integers(0, 4))
def test_computed_dispatch_day_always_satisfies_the_rule(
    rule: NoticeRule, meeting: dt.date, cal: object, delivery: int
) -> None:
    from dataclasses import replace

    from workflow.core.deadlines import WorkingCalendar

    assert isinstance(cal, WorkingCalendar)
    if rule.event is NoticeEvent.RECEIPT:
        rule = replace(rule, delivery_days=delivery)
    deadline = invitation_deadline(cal, meeting, rule)
    assert satisfies(cal, rule, deadline.day, meeting)
    if rule.unit is not DayUnit.CALENDAR_DAYS:
        assert cal.non_working(deadline.day) is None  # never on a weekend or holiday
    if rule.unit is DayUnit.CALENDAR_DAYS and rule.on_non_working_day is NonWorkingDayPolicy.KEEP:
        assert not satisfies(cal, rule, deadline.day + dt.timedelta(days=1), meeting)  # latest


@settings(max_examples=200, deadline=None)
@given(rule=rules, meeting=meetings, later=st.integers(0, 30))
def test_deadlines_are_monotonic_in_the_meeting_date(
    rule: NoticeRule, meeting: dt.date, later: int
) -> None:
    first = invitation_deadline(SL, meeting, rule).day
    assert first <= invitation_deadline(SL, meeting + dt.timedelta(days=later), rule).day


def test_day_counts_are_singular_for_one_day() -> None:
    assert DayUnit.CALENDAR_DAYS.amount(1, full=True) == "1 voller Kalendertag"
    assert DayUnit.CALENDAR_DAYS.amount(4, full=True) == "4 volle Kalendertage"
    assert DayUnit.WORKING_DAYS.amount(1) == "1 Arbeitstag"
    assert DayUnit.WERKTAGE.amount(2) == "2 Werktage"
    deadline = invitation_deadline(RP, D(2011, 11, 14), notice(1))
    assert ": 1 voller Kalendertag zwischen Zugang und Sitzungstag" in deadline.explanation
