"""Nothing is recorded as having happened after today (the clock's day in Europe/Berlin):
results, minutes, held meetings, Dringlichkeitsentscheidungen, objections, answers and
implementation reports. Planned dates stay free. On SQLite and PostgreSQL.

The clock stands on 10.03.2025 10:00 in Berlin (START in conftest).
"""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from storage.session import Database
from tests.conftest import on_day
from tests.test_meeting import meeting, meeting_events
from tests.test_meeting import released as released_for_meetings
from tests.test_paper_types import TOWNS, create, release
from tests.test_service import released
from workflow.cli import cli
from workflow.core.clock import BERLIN, FixedClock
from workflow.core.errors import InvalidInput
from workflow.definitions import resolve_definitions_dir
from workflow.meetings.minutes import MinutesItem
from workflow.service import WorkflowService

D = dt.date
S = "session"
TODAY, TOMORROW = D(2025, 3, 10), D(2025, 3, 11)


def refused(text: str, what: str, fix: str) -> None:
    """A date after today (10.03.2025) refused: what was dated when, today, and the fix."""
    assert text.startswith(f"{what}, ") and text.endswith(f"; {fix}"), text
    assert "10.03.2025" in text and "\n" not in text


def trail(service: WorkflowService, number: str) -> int:
    return len(service.audit.audit_trail(number))


def decided(service: WorkflowService) -> str:
    """Recommended on 04.03., adopted by the Rat on 08.03.2025 (a Widerspruch is due within
    three days); the clock stays on 10.03."""
    number = released(service)
    service.results.record_result(
        number, user=S, position=1, outcome="empfohlen", date=D(2025, 3, 4)
    )
    service.results.record_result(
        number, user=S, position=2, outcome="beschlossen", date=D(2025, 3, 8)
    )
    return number


# -- results ------------------------------------------------------------------------------------


def test_a_result_dated_tomorrow_is_refused_and_today_accepted(
    service: WorkflowService,
) -> None:
    number = released(service)
    before = (service.papers.get_paper(number), trail(service, number))
    with pytest.raises(InvalidInput) as info:
        service.results.record_result(
            number, user=S, position=1, outcome="empfohlen", date=TOMORROW
        )
    refused(
        str(info.value),
        "das Ergebnis von Schritt 1 der Vorlage V/2025/1 ist datiert auf 11.03.2025",
        "erfassen Sie es, sobald es gefasst ist",
    )
    # without --date the step's planned day (18.03.) would be the result's date
    with pytest.raises(InvalidInput) as planned:
        service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    refused(
        str(planned.value),
        "das Ergebnis von Schritt 1 der Vorlage V/2025/1 ist datiert auf 18.03.2025",
        "das ist sein geplanter Tag, nicht der Tag, an dem es gefasst wurde",
    )
    assert (service.papers.get_paper(number), trail(service, number)) == before
    view = service.results.record_result(
        number, user=S, position=1, outcome="empfohlen", date=TODAY
    )
    assert (view.consultations[0].state, view.consultations[0].date) == ("held", TODAY)
    assert trail(service, number) > before[1]
    assert service.audit.verify_audit().ok


def test_today_is_the_day_in_berlin_not_in_utc(service: WorkflowService, clock: FixedClock) -> None:
    number = released(service)
    clock.instant = dt.datetime(2025, 3, 10, 23, 30, tzinfo=dt.UTC)  # 11.03. 00:30 in Berlin
    view = service.results.record_result(
        number, user=S, position=1, outcome="empfohlen", date=TOMORROW
    )
    assert view.consultations[0].date == TOMORROW
    with pytest.raises(InvalidInput, match=r"datiert auf 12\.03\.2025, .*\(11\.03\.2025\)"):
        service.results.record_result(
            number, user=S, position=2, outcome="beschlossen", date=D(2025, 3, 12)
        )


def test_a_result_in_a_meeting_before_its_day_is_refused(service: WorkflowService) -> None:
    number = released_for_meetings(service)
    mid = meeting(service)  # 18.03.2025 17:00
    service.agendas.build_agenda(mid, user=S)
    service.meetings.invite_meeting(mid, user=S)
    before = (
        service.papers.get_paper(number),
        trail(service, number),
        meeting_events(service, mid),
    )
    with pytest.raises(InvalidInput, match="datiert auf 18.03.2025, .*Tag seiner Sitzung"):
        service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    with pytest.raises(InvalidInput, match="TOP Ö 1 .*datiert auf 18.03.2025, "):
        service.minutes.record_minutes(
            mid, [MinutesItem(where="item 1", top="Ö 1", paper=None, outcome="empfohlen")], user=S
        )
    after = (service.papers.get_paper(number), trail(service, number), meeting_events(service, mid))
    assert after == before


def test_planned_dates_stay_free(service: WorkflowService) -> None:
    number = released(service)
    view = service.paths.schedule_consultation(number, user=S, position=1, date=D(2026, 1, 20))
    assert view.consultations[0].date == D(2026, 1, 20)
    start = dt.datetime(2026, 1, 20, 17, tzinfo=BERLIN)
    assert (
        service.meetings.create_meeting(user=S, organization="rat", start=start).state == "planned"
    )


# -- meetings -----------------------------------------------------------------------------------


def test_holding_a_meeting_before_its_day_is_refused(
    service: WorkflowService, clock: FixedClock
) -> None:
    mid = meeting(service)  # 18.03.2025 17:00
    service.agendas.add_agenda_item(mid, user=S, title="Mitteilungen")
    service.meetings.invite_meeting(mid, user=S)
    before = (service.meetings.get_meeting(mid), meeting_events(service, mid))
    with pytest.raises(InvalidInput) as info:
        service.meetings.hold_meeting(mid, user=S)
    refused(
        str(info.value),
        "Sitzung 1 findet statt am 18.03.2025",
        "markieren Sie sie an diesem Tag oder später als abgehalten; hat sie früher getagt, "
        "verlegen Sie sie zuerst auf diesen Tag",
    )
    assert (service.meetings.get_meeting(mid), meeting_events(service, mid)) == before
    on_day(clock, D(2025, 3, 18), dt.time(8, 0))  # the morning of its day is its day
    assert service.meetings.hold_meeting(mid, user=S).state == "held"


# -- decisions ----------------------------------------------------------------------------------


def test_an_urgent_decision_dated_tomorrow_is_refused(service: WorkflowService) -> None:
    number = released(service)
    before = (
        service.papers.get_paper(number),
        trail(service, number),
        service.decisions.list_procedures(number),
    )
    fields = {"user": S, "decided_by": "mayor", "co_signer": "RM Schmitz", "reason": "eilt"}
    with pytest.raises(InvalidInput) as info:
        service.decisions.record_urgent_decision(number, date=TOMORROW, **fields)
    refused(
        str(info.value),
        "die Dringlichkeitsentscheidung zu V/2025/1 ist datiert auf 11.03.2025",
        "erfassen Sie sie, sobald der Bürgermeister entschieden hat",
    )
    after = (
        service.papers.get_paper(number),
        trail(service, number),
        service.decisions.list_procedures(number),
    )
    assert after == before
    assert service.decisions.record_urgent_decision(number, date=TODAY, **fields).state == (
        "decided_urgently"
    )


def test_an_objection_dated_tomorrow_is_refused(service: WorkflowService) -> None:
    number = decided(service)
    before = (service.papers.get_paper(number), trail(service, number))
    with pytest.raises(InvalidInput) as info:
        service.decisions.raise_objection(
            number, user="mayor", kind="widerspruch", date=TOMORROW, reason="Gemeinwohl"
        )
    refused(
        str(info.value),
        "der widerspruch gegen V/2025/1 ist datiert auf 11.03.2025",
        "erfassen Sie ihn, sobald er erhoben wurde",
    )
    assert (service.papers.get_paper(number), trail(service, number)) == before
    view = service.decisions.raise_objection(
        number, user="mayor", kind="widerspruch", date=TODAY, reason="Gemeinwohl"
    )
    assert view.state == "objected"


def test_an_implementation_report_dated_tomorrow_is_refused(service: WorkflowService) -> None:
    number = decided(service)
    task = service.tasks.add_implementation_task(
        number, user=S, title="Bauantrag", office="amt1", due=D(2025, 12, 31)
    )
    before = (service.tasks.get_implementation_task(task.id), trail(service, number))
    for implemented, what in ((False, "der Bericht zu"), (True, "der Abschluss der")):
        with pytest.raises(InvalidInput) as info:
            service.tasks.report_implementation(
                task.id, user="clerk", date=TOMORROW, text="x", implemented=implemented
            )
        refused(
            str(info.value),
            f"{what} Aufgabe {task.id} zu V/2025/1 ist datiert auf 11.03.2025",
            "erfassen Sie es, sobald es geschehen ist",
        )
    assert (service.tasks.get_implementation_task(task.id), trail(service, number)) == before
    done = service.tasks.report_implementation(
        task.id, user="clerk", date=TODAY, text="gestellt", implemented=True
    )
    assert done.state.value == "implemented"


def test_an_answer_dated_tomorrow_is_refused(database: Database, clock: FixedClock) -> None:
    (t,) = [t for t in TOWNS if t.name == "herzogenrath"]
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(resolve_definitions_dir(t.name), user=None)
    number = create(service, t, "anfrage", t.inquiry_route, faction="Fraktion B")
    release(service, t, number)
    before = (service.papers.get_paper(number), trail(service, number))
    with pytest.raises(InvalidInput) as info:
        service.paper_types.record_answer(
            number, user=t.clerk, text="Es gibt 12 Kurse.", date=TOMORROW
        )
    refused(
        str(info.value),
        f"die Antwort auf {number} ist datiert auf 11.03.2025",
        "erfassen Sie sie, sobald sie gegeben wurde",
    )
    assert (service.papers.get_paper(number), trail(service, number)) == before
    answered = service.paper_types.record_answer(
        number, user=t.clerk, text="Es gibt 12 Kurse.", date=TODAY
    )
    assert answered.answer_date == TODAY


# -- the command line ---------------------------------------------------------------------------


def test_cli_refuses_a_result_dated_tomorrow_in_one_line(service: WorkflowService) -> None:
    number = released(service)
    before = trail(service, number)
    result = CliRunner().invoke(
        cli,
        ["consultation", "record", number, "1", "--result", "empfohlen", "--date", "2025-03-11"],
        obj=service,
        env={"RATSWEG_USER": S},
    )
    assert result.exit_code == 1
    prefix, _colon, message = result.stderr.partition(": ")
    assert prefix in ("Error", "Fehler") and message.endswith("\n")
    refused(
        message[:-1],
        "das Ergebnis von Schritt 1 der Vorlage V/2025/1 ist datiert auf 11.03.2025",
        "erfassen Sie es, sobald es gefasst ist; prüfen Sie --date",
    )
    assert result.stdout == ""
    assert trail(service, number) == before
    mid = meeting(service)
    service.agendas.add_agenda_item(mid, user=S, title="Mitteilungen")
    service.meetings.invite_meeting(mid, user=S)
    held = CliRunner().invoke(
        cli, ["meeting", "hold", str(mid)], obj=service, env={"RATSWEG_USER": S}
    )
    assert held.exit_code == 1
    assert held.stderr.partition(": ")[2].startswith("Sitzung 1 findet statt am 18.03.2025, ")
    assert held.stderr.count("\n") == 1 and "Traceback" not in held.output
    assert service.meetings.get_meeting(mid).state == "invited"
