"""``ratsweg meeting``: local times in, UTC stored, agenda tables, one-line errors, exit codes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import on_day
from tests.test_cli import run
from tests.test_meeting import DAY, released
from workflow.service import WorkflowService


def created(service: WorkflowService) -> int:
    result = run(
        service,
        "meeting",
        "create",
        "--organization",
        "ausschuss",
        "--start",
        "2025-03-18 17:00",
        "--end",
        "19:30",
        "--location",
        "Ratssaal",
        "--json",
        user="session",
    )
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["id"])


def test_create_takes_local_time_and_shows_utc_json(service: WorkflowService) -> None:
    mid = created(service)
    shown = json.loads(run(service, "meeting", "show", str(mid), "--json").stdout)
    assert (shown["start"], shown["end"]) == ("2025-03-18T16:00:00Z", "2025-03-18T18:30:00Z")
    assert (shown["state"], shown["location"], shown["agenda"]) == ("planned", "Ratssaal", [])
    table = run(service, "meeting", "list").stdout
    assert "18.03.2025 17:00" in table and "Hauptausschuss" in table
    ndjson = run(service, "meeting", "list", "--format", "ndjson").stdout
    listed = json.loads(run(service, "meeting", "list", "--json").stdout)
    assert [json.loads(line) for line in ndjson.splitlines()] == listed
    assert [m["id"] for m in listed] == [mid]


def test_agenda_walkthrough_prints_numbered_tops(service: WorkflowService) -> None:
    number = released(service, title="Feuerwache")
    mid = created(service)
    steps = [
        ("meeting", "add-item", str(mid), "--title", "Mitteilungen", "--non-public"),
        ("meeting", "build-agenda", str(mid)),
        ("meeting", "invite", str(mid)),
    ]
    for args in steps:
        result = run(service, *args, user="session")
        assert result.exit_code == 0, result.output
    late = released(service, planned=None, title="Nachtrag zur Feuerwache")
    result = run(
        service,
        "consultation",
        "schedule",
        late,
        "--position",
        "1",
        "--meeting",
        str(mid),
        user="session",
    )
    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == f"{late} Schritt 1: auf der Tagesordnung der Sitzung {mid} (Ö 2, Nachtrag)\n"
    )
    result = run(service, "meeting", "agenda", str(mid))
    first, second, third = (i.id for i in service.meetings.get_meeting(mid).agenda)
    assert (first, second, third) == (2, 3, 1)  # Mitteilungen was added first
    assert result.stdout.splitlines() == [
        "ID    TOP    Ö/N    Nachtrag    Vorlage    Betreff",
        "----  -----  -----  ----------  ---------  -----------------------",
        f"2     Ö 1    Ö                  {number}   Feuerwache",
        f"3     Ö 2    Ö      Nachtrag    {late}   Nachtrag zur Feuerwache",
        "1     N 1    N                             Mitteilungen",
    ]
    csv = run(service, "meeting", "agenda", str(mid), "--format", "csv").stdout
    assert csv.splitlines()[0] == "ID,TOP,Ö/N,Nachtrag,Vorlage,Betreff"
    result = run(service, "meeting", "cancel", str(mid), "--reason", "Sturm", user="session")
    assert (result.exit_code, result.stderr) == (0, f"Sitzung {mid}: abgesagt (cancelled)\n")
    paper = json.loads(run(service, "paper", "show", number, "--json").stdout)
    assert paper["consultations"][0]["state"] == "planned"
    assert run(service, "audit", "verify").exit_code == 0


MUTATING = [
    ("meeting", "create", "--organization", "rat", "--start", "2025-03-18 17:00"),
    ("meeting", "add-item", "{mid}", "--title", "x"),
    ("meeting", "build-agenda", "{mid}"),
    ("meeting", "invite", "{mid}"),
    ("meeting", "hold", "{mid}"),
    ("meeting", "approve-minutes", "{mid}"),
    ("meeting", "cancel", "{mid}", "--reason", "x"),
    ("meeting", "move", "{mid}", "--date", "2025-03-20"),
    ("consultation", "schedule", "{paper}", "--position", "1", "--meeting", "{mid}"),
]


@pytest.mark.parametrize("args", MUTATING, ids=lambda a: " ".join(a[:2]))
def test_auditor_gets_one_line_and_exit_1(service: WorkflowService, args: tuple[str, ...]) -> None:
    number = released(service)
    mid = created(service)
    service.agendas.add_agenda_item(mid, user="session", title="Mitteilungen")
    if args[1] in ("hold", "approve-minutes"):
        service.meetings.invite_meeting(mid, user="session")
    if args[1] == "approve-minutes":
        on_day(service.clock, DAY)
        service.meetings.hold_meeting(mid, user="session")
    before = run(service, "meeting", "show", str(mid), "--json").stdout
    filled = [a.format(mid=mid, paper=number) for a in args]
    result = run(service, *filled, user="auditor")
    assert result.exit_code == 1, result.output
    assert "'auditor' hat keine Berechtigung für" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert run(service, "meeting", "show", str(mid), "--json").stdout == before


@pytest.mark.parametrize(
    "args",
    [
        ("meeting", "create", "--organization", "rat", "--start", "18.03.2025"),
        ("meeting", "show", "abc"),
        ("consultation", "schedule", "V/2025/1", "1", "--date", "2025-03-18", "--meeting", "1"),
        ("consultation", "schedule", "V/2025/1", "--meeting", "1"),
    ],
)
def test_usage_errors_exit_2(service: WorkflowService, args: tuple[str, ...]) -> None:
    result = run(service, *args, user="session")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_user_errors_exit_1_with_one_line(service: WorkflowService) -> None:
    result = run(service, "meeting", "invite", "7", user="session")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.endswith(": keine Sitzung 7 in Stadt Musterstadt\n")
    mid = created(service)
    result = run(service, "meeting", "invite", str(mid), user="session")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "die Tagesordnung ist leer" in result.stderr


def test_old_date_form_of_schedule_still_works(service: WorkflowService) -> None:
    number = released(service)
    result = run(
        service, "consultation", "schedule", number, "1", "--date", "2025-03-20", user="session"
    )
    assert result.exit_code == 0, result.output
    paper = json.loads(run(service, "paper", "show", number, "--json").stdout)
    assert paper["consultations"][0]["date"] == "2025-03-20"


def test_move_prints_the_new_start_and_moves_the_steps(service: WorkflowService) -> None:
    number = released(service, title="Feuerwache")
    mid = created(service)
    assert run(service, "meeting", "build-agenda", str(mid), user="session").exit_code == 0
    result = run(
        service,
        "meeting",
        "move",
        str(mid),
        "--date",
        "20.03.2025",
        "--time",
        "18:30",
        "--reason",
        "Saal belegt",
        user="session",
    )
    assert (result.exit_code, result.stderr) == (
        0,
        f"Sitzung {mid}: verlegt auf Do 20.03.2025 18:30; 1 Schritt mitverlegt\n",
    )
    shown = json.loads(run(service, "meeting", "show", str(mid), "--json").stdout)
    assert (shown["start"], shown["end"]) == ("2025-03-20T17:30:00Z", "2025-03-20T20:00:00Z")
    paper = json.loads(run(service, "paper", "show", number, "--json").stdout)
    step = paper["consultations"][0]
    assert (step["state"], step["date"], step["planned_date"]) == (
        "scheduled",
        "2025-03-20",
        "2025-03-18",
    )
    assert run(service, "audit", "verify").exit_code == 0


def test_move_refusals_are_one_line(service: WorkflowService) -> None:
    mid = created(service)
    result = run(service, "meeting", "move", str(mid), "--date", "18.03.2025", user="session")
    assert (result.exit_code, result.stderr.partition(": ")[2]) == (
        1,
        (
            f"Sitzung {mid} (Hauptausschuss, 18.03.2025 17:00) beginnt bereits dann; "
            "geben Sie einen anderen Tag oder eine andere Uhrzeit an; prüfen Sie --date\n"
        ),
    )
    run(service, "meeting", "cancel", str(mid), "--reason", "x", user="session")
    result = run(service, "meeting", "move", str(mid), "--date", "2025-03-20", user="session")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert f"Sitzung {mid} (Hauptausschuss, 18.03.2025 17:00)" in result.stderr
    assert "'abgesagt'" in result.stderr
    assert "(nur eine geplante oder geladene Sitzung lässt sich verlegen)" in result.stderr
    result = run(service, "meeting", "move", str(mid), "--date", "2025-03-20", "--time", "25:00")
    assert (
        result.exit_code == 2 and "'25:00' ist keine Uhrzeit; verwenden Sie HH:MM" in result.stderr
    )


# -- issue 13 item 19: times on the nights the clocks change -----------------------------------

GAP = "gibt es in Europe/Berlin nicht: die Uhren springen in dieser Nacht von 02:00 auf 03:00"


def _create_at(service: WorkflowService, start: str, *more: str):  # type: ignore[no-untyped-def]
    args = ("meeting", "create", "--organization", "ausschuss", "--start", start, *more)
    return run(service, *args, "--json", user="session")


def test_a_start_the_clocks_skip_is_refused_naming_the_gap(service: WorkflowService) -> None:
    for start, shown in (
        ("2027-03-28 02:30", "02:30"),
        ("28.03.2027 02:00", "02:00"),
        ("2027-03-28T02:59", "02:59"),
        ("2027-03-28 02:30+01:00", "02:30"),
    ):
        result = _create_at(service, start)
        assert result.exit_code == 2, result.output
        assert f"'--start': 28.03.2027 {shown} {GAP}" in result.stderr
    result = _create_at(service, "2027-03-28 18:00", "--end", "02:30")
    assert result.exit_code == 2 and "'--end'" in result.stderr and GAP in result.stderr
    assert json.loads(run(service, "meeting", "list", "--json").stdout) == []
    # the minutes either side of the gap exist
    assert _create_at(service, "2027-03-28 01:59").exit_code == 0
    assert _create_at(service, "2027-03-28 03:00").exit_code == 0


def test_a_start_the_clocks_show_twice_needs_its_offset(service: WorkflowService) -> None:
    result = _create_at(service, "2027-10-31 02:30")
    assert result.exit_code == 2
    assert (
        "31.10.2027 02:30 gibt es in Europe/Berlin zweimal: die Uhren werden von 03:00 auf 02:00 "
        "zurückgestellt; geben Sie den Versatz an, 02:30+02:00 für die erste (Sommerzeit) oder "
        "02:30+01:00 für die zweite"
    ) in result.stderr
    result = _create_at(service, "2027-10-31 02:30+03:00")
    assert result.exit_code == 2
    assert "31.10.2027 02:30+03:00: Europe/Berlin hat dann +01:00 oder +02:00" in result.stderr
    assert json.loads(run(service, "meeting", "list", "--json").stdout) == []
    first = _create_at(service, "2027-10-31 02:30+02:00", "--end", "02:45+01:00")
    second = _create_at(service, "31.10.2027 02:30 +01:00")
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert (json.loads(first.stdout)["start"], json.loads(first.stdout)["end"]) == (
        "2027-10-31T00:30:00Z",
        "2027-10-31T01:45:00Z",
    )
    assert json.loads(second.stdout)["start"] == "2027-10-31T01:30:00Z"
    # an offset on an ordinary day must be the day's own
    result = _create_at(service, "2025-03-18 17:00+02:00")
    assert result.exit_code == 2 and "Europe/Berlin hat dann +01:00" in result.stderr
    assert json.loads(_create_at(service, "2025-03-18 17:00+01:00").stdout)["start"] == (
        "2025-03-18T16:00:00Z"
    )


def test_moving_a_meeting_into_the_skipped_hour_is_refused(service: WorkflowService) -> None:
    mid = created(service)
    args = ("meeting", "move", str(mid), "--date", "2027-03-28", "--time", "02:30")
    result = run(service, *args, user="session")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.endswith(
        f": 28.03.2027 02:30 {GAP}; wählen Sie eine Zeit außerhalb dieser Stunde\n"
    )
    args = ("meeting", "move", str(mid), "--date", "2027-10-31", "--time", "02:30")
    result = run(service, *args, user="session")
    assert result.exit_code == 1 and "02:30 gibt es in Europe/Berlin zweimal" in result.stderr
    shown = json.loads(run(service, "meeting", "show", str(mid), "--json").stdout)
    assert shown["start"] == "2025-03-18T16:00:00Z"
    result = run(service, *args[:-1], "02:30+01:00", user="session")
    assert result.exit_code == 0, result.output
    shown = json.loads(run(service, "meeting", "show", str(mid), "--json").stdout)
    assert shown["start"] == "2027-10-31T01:30:00Z"
    assert run(service, "audit", "verify").exit_code == 0


def test_the_service_refuses_an_aware_start_the_clocks_skip(service: WorkflowService) -> None:
    from workflow.core.clock import BERLIN
    from workflow.core.errors import InvalidInput

    skipped = dt.datetime(2027, 3, 28, 2, 30, tzinfo=BERLIN)
    with pytest.raises(InvalidInput, match=f"^der Beginn: 28.03.2027 02:30 {GAP}"):
        service.meetings.create_meeting(user="session", organization="ausschuss", start=skipped)
    with pytest.raises(InvalidInput, match="^das Ende: 28.03.2027 02:30"):
        service.meetings.create_meeting(
            user="session",
            organization="ausschuss",
            start=dt.datetime(2027, 3, 28, 1, 0, tzinfo=BERLIN),
            end=skipped,
        )
    assert service.meetings.list_meetings() == []
