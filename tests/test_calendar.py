"""``calendar export``: meetings and deadlines as iCalendar, parsed back with ``icalendar``;
time zones across the change to summer time; stable UIDs; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from icalendar import Calendar

from storage.session import Database
from tests.conftest import on_day
from tests.reminder_fixtures import create_paper, reminder_definitions
from workflow.calendar.ical import DeadlineStyle, build_calendar
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.errors import InvalidInput, NotFoundError
from workflow.service import WorkflowService

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
D = dt.date


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2025, 3, 3, 9, tzinfo=UTC))


@pytest.fixture
def town(database: Database, clock: FixedClock, tmp_path: Path) -> WorkflowService:
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(reminder_definitions(tmp_path), user=None)
    return service


def export(service: WorkflowService, *args: str) -> Result:
    return CliRunner().invoke(cli, ["calendar", "export", *args], obj=service)


def parse(text: str | bytes) -> Calendar:
    return Calendar.from_ical(text)


def by_uid(cal: Calendar, name: str = "VEVENT") -> dict[str, object]:
    return {str(c["uid"]): c for c in cal.walk(name)}


def setup_town(town: WorkflowService) -> tuple[str, int, int, int]:
    """A paper of amt1 co-signed by amt2 on the Ausschuss agenda of 18.03. (CET), a Rat
    meeting on 01.04. (CEST, after the change on 30.03.) and a cancelled one."""
    number = create_paper(town, participants=("amt2",))
    town.papers.submit_paper(number, user="clerk")
    ausschuss = town.meetings.create_meeting(
        user="session",
        organization="ausschuss",
        start=dt.datetime(2025, 3, 18, 17, tzinfo=BERLIN),
        end=dt.datetime(2025, 3, 18, 19, 30, tzinfo=BERLIN),
        location="Rathaus, Sitzungssaal 1",
    ).id
    rat = town.meetings.create_meeting(
        user="session", organization="rat", start=dt.datetime(2025, 4, 1, 17, tzinfo=BERLIN)
    ).id
    cancelled = town.meetings.create_meeting(
        user="session", organization="rat", start=dt.datetime(2025, 4, 8, 17, tzinfo=BERLIN)
    ).id
    town.meetings.cancel_meeting(cancelled, user="session", reason="Terminkollision")
    town.co_signing.co_sign(number, user="clerk2", office="amt2")
    town.papers.release_paper(number, user="head")
    town.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=ausschuss)
    town.agendas.add_agenda_item(ausschuss, user="session", title="Personalsache", public=False)
    return number, ausschuss, rat, cancelled


def test_meetings_are_events_in_berlin_time_across_the_change_to_summer_time(
    town: WorkflowService,
) -> None:
    number, ausschuss, rat, cancelled = setup_town(town)
    result = export(town, "--from", "2025-03-01", "--to", "2025-04-30")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    cal = parse(result.stdout)
    assert str(cal["version"]) == "2.0" and "ratsweg" in str(cal["prodid"])
    events = by_uid(cal)
    first = events[f"sitzung-{ausschuss}@musterstadt.ratsweg"]
    second = events[f"sitzung-{rat}@musterstadt.ratsweg"]
    start = first.decoded("dtstart")
    assert first["dtstart"].params["TZID"] == "Europe/Berlin"
    assert start == dt.datetime(2025, 3, 18, 17, tzinfo=BERLIN)
    assert start.astimezone(UTC) == dt.datetime(2025, 3, 18, 16, tzinfo=UTC)  # CET, +01:00
    assert first.decoded("dtend").astimezone(UTC) == dt.datetime(2025, 3, 18, 18, 30, tzinfo=UTC)
    summer = second.decoded("dtstart")
    assert second["dtstart"].params["TZID"] == "Europe/Berlin"
    assert summer.astimezone(UTC) == dt.datetime(2025, 4, 1, 15, tzinfo=UTC)  # CEST, +02:00
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Berlin"
    daylight = [c for c in zone.walk("DAYLIGHT") if c.decoded("dtstart").date() == D(2025, 3, 30)]
    assert daylight and daylight[0].decoded("tzoffsetto") == dt.timedelta(hours=2)
    # the calendar's own time zone definition gives the same instants as zoneinfo
    assert zone.to_tz().utcoffset(dt.datetime(2025, 4, 1, 17)) == dt.timedelta(hours=2)
    assert zone.to_tz().utcoffset(dt.datetime(2025, 3, 18, 17)) == dt.timedelta(hours=1)

    assert str(first["location"]) == "Rathaus, Sitzungssaal 1"
    assert str(first["class"]) == "PUBLIC" and str(first["status"]) == "TENTATIVE"
    text = str(first["description"])
    assert "Öffentliche Sitzung mit nichtöffentlichem Teil (Hauptausschuss)" in text
    assert f"(Vorlage {number})" in text
    assert "Personalsache" not in text and "Nichtöffentlicher Teil: 1 Punkt(e)" in text
    gone = events[f"sitzung-{cancelled}@musterstadt.ratsweg"]
    assert str(gone["status"]) == "CANCELLED" and gone.decoded("sequence") >= 1


def test_a_re_export_keeps_the_uids_and_a_change_raises_the_sequence(
    town: WorkflowService, clock: FixedClock
) -> None:
    _, ausschuss, _, _ = setup_town(town)
    before = by_uid(parse(export(town, "--from", "2025-03-01").stdout))
    again = by_uid(parse(export(town, "--from", "2025-03-01").stdout))
    assert set(before) == set(again)
    uid = f"sitzung-{ausschuss}@musterstadt.ratsweg"
    clock.instant = dt.datetime(2025, 3, 5, 9, tzinfo=UTC)
    town.meetings.invite_meeting(ausschuss, user="session")
    after = by_uid(parse(export(town, "--from", "2025-03-01").stdout))
    assert set(after) <= set(before)  # the invitation ends the Ladung deadline's period
    assert after[uid].decoded("sequence") > before[uid].decoded("sequence")
    assert str(after[uid]["status"]) == "CONFIRMED"
    assert after[uid].decoded("last-modified") == dt.datetime(2025, 3, 5, 9, tzinfo=UTC)


def test_deadlines_name_the_paper_and_what_to_do(town: WorkflowService) -> None:
    number = create_paper(town, participants=("amt2",))
    town.papers.submit_paper(number, user="clerk")
    cal = parse(export(town, "--office", "amt2").stdout)
    (co_signing,) = [e for e in cal.walk("VEVENT") if "Mitzeichnung" in str(e["summary"])]
    assert str(co_signing["summary"]) == f"Frist: Mitzeichnung fällig: {number} Radweg Hauptstraße"
    assert co_signing.decoded("dtstart") == D(2025, 3, 6)  # 3 Arbeitstage after 03.03.
    assert co_signing.decoded("dtend") == D(2025, 3, 7)
    assert f"ratsweg paper co-sign {number} --office amt2" in str(co_signing["description"])
    todos = parse(export(town, "--office", "amt1", "--deadlines", "todo").stdout).walk("VTODO")
    summaries = {str(t["summary"]): t for t in todos}
    cutoff = summaries[
        f"Frist: Vorlagenschluss: {number} Radweg Hauptstraße (Hauptausschuss, Sitzung Di 18.03.2025)"
    ]
    assert cutoff.decoded("due") == D(2025, 3, 11)
    assert "Sitzung: Hauptausschuss am Di 18.03.2025" in str(cutoff["description"])
    assert f"ratsweg paper release {number}" in str(cutoff["description"])
    assert any(s.startswith("Frist: Ladung fällig") for s in summaries)


def test_tasks_and_the_period_filter(town: WorkflowService) -> None:
    number = create_paper(town)
    town.papers.submit_paper(number, user="clerk")
    town.papers.release_paper(number, user="head")
    on_day(town.clock, D(2025, 3, 18))
    town.results.record_result(number, user="session", position=1, outcome="empfohlen")
    on_day(town.clock, D(2025, 3, 27))
    town.results.record_result(number, user="session", position=2, outcome="beschlossen")
    task = town.tasks.add_implementation_task(
        number,
        user="session",
        title="Bauantrag stellen",
        office="amt1",
        due=D(2025, 6, 30),
        report_to="ausschuss",
    )
    uid = f"bericht-aufgabe-{task.id}@musterstadt.ratsweg"
    for args in (("--organization", "ausschuss"), ("--user", "head"), ()):
        events = by_uid(parse(export(town, *args).stdout))
        assert "Aufgabe" in str(events[uid]["description"]), args
    assert uid not in by_uid(parse(export(town, "--organization", "rat").stdout))
    assert uid not in by_uid(parse(export(town, "--office", "amt2").stdout))
    assert uid not in by_uid(parse(export(town, "--to", "2025-06-29").stdout))


def test_the_feed_is_filtered_by_user_office_and_organization(town: WorkflowService) -> None:
    _, ausschuss, rat, _ = setup_town(town)

    def meetings(*args: str) -> set[str]:
        return {u for u in by_uid(parse(export(town, *args).stdout)) if u.startswith("sitzung")}

    assert meetings("--organization", "rat") == {
        f"sitzung-{rat}@musterstadt.ratsweg",
        f"sitzung-{rat + 1}@musterstadt.ratsweg",
    }
    assert meetings("--office", "amt1") == {f"sitzung-{ausschuss}@musterstadt.ratsweg"}
    assert meetings("--user", "clerk2") == set()  # amt2 has no paper on an agenda
    assert len(meetings("--user", "session")) == 3  # no office: the whole municipality


def test_writing_to_a_file(town: WorkflowService, tmp_path: Path) -> None:
    setup_town(town)
    target = tmp_path / "rat.ics"
    result = export(town, "--organization", "rat", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.startswith("2 Sitzungen und 1 Frist (")
    assert target.read_bytes().count(b"\r\n") > 10
    assert len(parse(target.read_bytes()).walk("VEVENT")) >= 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--office", "amt1", "--user", "clerk"),
            "geben Sie nur eines an: einen Benutzer, ein Amt oder ein Gremium",
        ),
        (
            ("--from", "2025-05-01", "--to", "2025-04-01"),
            "2025-05-01 liegt nach 2025-04-01; prüfen Sie --to",
        ),
        (("--organization", "ausschus"), "Gremium 'ausschus' gibt es nicht (meinten Sie"),
        (("--office", "rat"), "'rat'"),
        (("--user", "nobody"), "'nobody'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    town: WorkflowService, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    target = tmp_path / "out.ics"
    result = export(town, *args, "--output", str(target))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Fehler: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert not target.exists() and not list(tmp_path.glob("*.part"))


def test_the_service_refuses_two_subjects(town: WorkflowService) -> None:
    with pytest.raises(InvalidInput):
        town.calendar.calendar_feed(user="clerk", organization="rat")
    with pytest.raises(NotFoundError):
        town.calendar.calendar_feed(office="amt9")


def test_an_empty_feed_is_a_valid_calendar(town: WorkflowService, clock: FixedClock) -> None:
    feed = town.calendar.calendar_feed(organization="rat")
    cal = parse(build_calendar(feed, now=clock.now(), style=DeadlineStyle.TODO))
    assert cal.walk("VEVENT") == [] and cal.walk("VTODO") == []
    assert "Rat der Stadt Musterstadt" in str(cal["x-wr-calname"])


def test_a_meeting_without_an_end_lasts_as_its_gremium_says(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    """Issue 13 item 19: DTEND of a meeting planned without ``--end``: the Gremium's
    ``meeting_length_minutes``, else three hours."""
    folder = reminder_definitions(tmp_path)
    orgs = folder / "organizations.yaml"
    text = orgs.read_text(encoding="utf-8")
    assert "  - id: ausschuss\n    name: Hauptausschuss\n" in text
    orgs.write_text(
        text.replace(
            "  - id: ausschuss\n    name: Hauptausschuss\n",
            "  - id: ausschuss\n    name: Hauptausschuss\n    meeting_length_minutes: 150\n",
        ),
        encoding="utf-8",
    )
    town = WorkflowService(database, clock)
    town.bodies.load_definitions(folder, user=None)
    start = dt.datetime(2025, 3, 18, 17, tzinfo=BERLIN)
    ausschuss, rat, ended = (
        town.meetings.create_meeting(user="session", organization=org, start=start, end=end).id
        for org, end in (
            ("ausschuss", None),
            ("rat", None),
            ("rat", dt.datetime(2025, 3, 18, 18, tzinfo=BERLIN)),
        )
    )
    result = export(town, "--from", "2025-03-01", "--to", "2025-03-31")
    assert result.exit_code == 0, result.output
    events = by_uid(parse(result.stdout))
    ends = {
        mid: events[f"sitzung-{mid}@musterstadt.ratsweg"].decoded("dtend")
        for mid in (ausschuss, rat, ended)
    }
    assert ends == {
        ausschuss: dt.datetime(2025, 3, 18, 19, 30, tzinfo=BERLIN),
        rat: dt.datetime(2025, 3, 18, 20, 0, tzinfo=BERLIN),
        ended: dt.datetime(2025, 3, 18, 18, 0, tzinfo=BERLIN),
    }
    assert events[f"sitzung-{rat}@musterstadt.ratsweg"]["dtend"].params["TZID"] == "Europe/Berlin"
