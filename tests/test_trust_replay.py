"""Audit replay raises no false alarm and misses no change (issue 13, items 8 and 9).

On SQLite and PostgreSQL: an Ergänzungsvorlage that takes over a step inserted by "vertagt"
replays to its stored state (the step's note comes from the original paper's chain); meetings
and their agendas are replayed from their own ``meeting:<id>`` chains, so a meeting moved or an
agenda item renumbered behind the service's back is named.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from storage.session import Database
from tests.test_service import released
from workflow.core.clock import FixedClock
from workflow.service import WorkflowService

D = dt.date
S = "session"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC))


def test_a_supplement_after_vertagt_replays_without_a_false_alarm(
    service: WorkflowService,
) -> None:
    number = released(service)
    service.results.record_result(
        number,
        user=S,
        position=1,
        outcome="vertagt",
        date=D(2025, 3, 18),
        target_date=D(2025, 5, 6),
    )
    supplement = service.supplements.create_supplement(
        number, user="clerk", reason="neue Zahlen", date=D(2025, 4, 2)
    )
    assert any(c.note for c in supplement.consultations), "the vertagt step carries its note"
    reports = service.audit.replay_audit()
    assert [(r.paper_number, r.status.value, r.difference) for r in reports] == [
        (number, "match", None),
        (supplement.number, "match", None),
    ]


def _meeting_with_agenda(service: WorkflowService) -> tuple[str, int]:
    """A released paper on the agenda of an invited meeting with one more item, then moved."""
    number = released(service)
    start = dt.datetime(2025, 3, 18, 16, 0, tzinfo=dt.UTC)
    meeting = service.meetings.create_meeting(user=S, organization="ausschuss", start=start)
    service.agendas.schedule_into_meeting(number, user=S, position=1, meeting_id=meeting.id)
    service.agendas.add_agenda_item(meeting.id, user=S, title="Mitteilungen")
    service.meetings.invite_meeting(meeting.id, user=S)
    service.agendas.add_agenda_item(meeting.id, user=S, title="Anfragen", public=False)
    service.meetings.move_meeting(meeting.id, user=S, day=D(2025, 3, 19), reason="Raum belegt")
    return number, meeting.id


def _meeting_reports(service: WorkflowService) -> list[tuple[str, str, str | None]]:
    return [
        (r.paper_number, r.status.value, r.difference)
        for r in service.audit.replay_audit()
        if r.meeting is not None
    ]


def test_meetings_and_their_agendas_replay_to_their_stored_state(
    service: WorkflowService,
) -> None:
    _, meeting_id = _meeting_with_agenda(service)
    assert _meeting_reports(service) == [(f"meeting {meeting_id}", "match", None)]
    assert service.audit.verify_audit().ok


@pytest.mark.parametrize(
    ("tampering", "named"),
    [
        ("UPDATE meeting SET start = start - INTERVAL_ONE_DAY", "start"),
        ("UPDATE meeting SET state = 'held'", "state"),
        ("UPDATE agenda_item SET number = 'Ö 7' WHERE number = 'Ö 2'", "Nummer des TOP"),
        ("UPDATE agenda_item SET sort_order = 10 - sort_order", "Reihenfolge der Tagesordnung"),
        ("DELETE FROM agenda_item WHERE title = 'Anfragen'", "die TOPs"),
    ],
)
def test_a_meeting_changed_behind_the_services_back_is_named(
    service: WorkflowService, database: Database, tampering: str, named: str
) -> None:
    _, meeting_id = _meeting_with_agenda(service)
    one_day = "'2025-03-18 16:00:00'"
    with database.engine.begin() as conn:
        conn.execute(text(tampering.replace("start - INTERVAL_ONE_DAY", one_day)))
    ((label, status, difference),) = _meeting_reports(service)
    assert (label, status) == (f"meeting {meeting_id}", "mismatch")
    assert difference is not None and named in difference
    report = service.audit.verify_audit()
    assert not report.ok
    assert report.broken_stream == f"meeting:{meeting_id}"
    assert report.problem == "differs from the database"
