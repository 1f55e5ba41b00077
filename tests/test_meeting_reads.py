"""What the Sitzung pages read, on SQLite and PostgreSQL with Landau's definitions: the
Ladungsfrist of a meeting (``meeting_notice``; the Stadtrat's from the GemO) and the latest
past meetings (``list_meetings(latest=...)``)."""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.core.clock import BERLIN
from workflow.core.errors import NotFoundError
from workflow.service import WorkflowService

OFFICE = "sitzungsdienst.becker"


def stadtrat(service: WorkflowService, day: dt.date) -> int:
    start = dt.datetime.combine(day, dt.time(17, 0), tzinfo=BERLIN)
    return service.meetings.create_meeting(user=OFFICE, organization="stadtrat", start=start).id


def test_a_planned_meeting_in_time_shows_the_last_day_to_invite(landau: WorkflowService) -> None:
    notice = landau.meetings.meeting_notice(stadtrat(landau, dt.date(2025, 3, 18)), reader=OFFICE)
    assert notice.dispatch_by == dt.date(2025, 3, 13)
    assert notice.invited_on is None and notice.warnings == ()


def test_a_planned_meeting_past_its_last_day_to_invite_is_warned(landau: WorkflowService) -> None:
    # the clock stands at Mo 10.03.2025: the invitation for Mi 12.03. had to go out on Fr 07.03.
    notice = landau.meetings.meeting_notice(stadtrat(landau, dt.date(2025, 3, 12)), reader=OFFICE)
    assert notice.dispatch_by == dt.date(2025, 3, 7)
    (warning,) = notice.warnings
    assert "verspätet" in warning and "Fr 07.03.2025" in warning and "Mo 17.03.2025" in warning


def test_an_invitation_sent_in_time_is_not_warned_until_the_meeting_moves_too_close(
    landau: WorkflowService,
) -> None:
    mid = stadtrat(landau, dt.date(2025, 3, 20))
    landau.agendas.add_agenda_item(mid, user=OFFICE, title="Mitteilungen")
    landau.meetings.invite_meeting(mid, user=OFFICE)
    notice = landau.meetings.meeting_notice(mid, reader="rpa.schulz")
    assert notice.invited_on == dt.date(2025, 3, 10) and notice.warnings == ()
    moved = landau.meetings.move_meeting(mid, user=OFFICE, day=dt.date(2025, 3, 12))
    notice = landau.meetings.meeting_notice(mid, reader="rpa.schulz")
    assert notice.dispatch_by == dt.date(2025, 3, 7)
    assert notice.warnings == moved.warnings and "zu spät" in notice.warnings[0]


def test_reading_the_notice_needs_a_known_user_and_a_meeting(landau: WorkflowService) -> None:
    mid = stadtrat(landau, dt.date(2025, 3, 18))
    with pytest.raises(NotFoundError, match="niemand"):
        landau.meetings.meeting_notice(mid, reader="niemand")
    with pytest.raises(NotFoundError):
        landau.meetings.meeting_notice(mid + 1, reader=OFFICE)


def test_latest_gives_the_last_meetings_of_the_selection_in_order(
    landau: WorkflowService,
) -> None:
    days = [dt.date(2025, 1, d) for d in (7, 14, 21, 28)]
    ids = [stadtrat(landau, day) for day in reversed(days)]  # created out of order
    latest = landau.meetings.list_meetings(latest=2, reader=OFFICE)
    assert [m.id for m in latest] == [ids[1], ids[0]]
    before = landau.meetings.list_meetings(until=dt.date(2025, 1, 20), latest=5, reader=OFFICE)
    assert [m.start.date() for m in before] == days[:2]
