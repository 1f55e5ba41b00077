"""Cancelling a step of a released paper never leaves it on an agenda (issue 14: "moving a
step's date or meeting must never leave it on the old agenda"), on SQLite and PostgreSQL:
removing the step from the Beratungsfolge or giving the paper a neue Beratungsfolge takes its
item off a meeting not yet invited, audited in the meeting's stream; after the invitation
the change is refused and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_meeting import DAY, meeting, meeting_events, released
from workflow.core.errors import InvalidInput
from workflow.core.model import PlannedStep
from workflow.service import WorkflowService

S = "session"


def on_agenda(service: WorkflowService, mid: int) -> list[str | None]:
    return [i.paper_number or i.title for i in service.meetings.get_meeting(mid).agenda]


def scheduled(service: WorkflowService) -> tuple[str, str, int]:
    """Two released papers with their first step on a planned meeting's agenda."""
    a, b = released(service, title="A"), released(service, title="B")
    mid = meeting(service)
    service.agendas.build_agenda(mid, user=S)
    assert on_agenda(service, mid) == [a, b]
    return a, b, mid


def test_removing_a_scheduled_step_takes_its_item_off_the_agenda(
    service: WorkflowService,
) -> None:
    a, b, mid = scheduled(service)
    service.paths.remove_consultation(a, user=S, position=1, reason="entfällt")
    assert on_agenda(service, mid) == [b]
    assert service.papers.get_paper(a).consultations[0].state == "cancelled"
    assert meeting_events(service, mid)[-1][0] == "agenda_item_removed"
    # the next build does not put the cancelled step back
    service.agendas.build_agenda(mid, user=S)
    assert on_agenda(service, mid) == [b]
    assert {r.status.value for r in service.audit.replay_audit()} == {"match"}


def test_a_new_beratungsfolge_takes_the_old_steps_off_the_agenda(
    service: WorkflowService,
) -> None:
    a, b, mid = scheduled(service)
    steps = [PlannedStep(organization="rat", role="entscheidung")]
    service.paths.replace_path(a, user=S, steps=steps, reason="direkt in den Rat")
    assert on_agenda(service, mid) == [b]
    assert [c.state for c in service.papers.get_paper(a).consultations] == [
        "cancelled",
        "cancelled",
        "planned",
    ]
    assert {r.status.value for r in service.audit.replay_audit()} == {"match"}


@pytest.mark.parametrize("change", ["remove", "replace"])
def test_after_the_invitation_cancelling_a_listed_step_is_refused_and_nothing_changes(
    service: WorkflowService, change: str
) -> None:
    a, _b, mid = scheduled(service)
    service.meetings.invite_meeting(mid, user=S)
    before: Any = (service.papers.get_paper(a), service.meetings.get_meeting(mid))
    events = meeting_events(service, mid)
    with pytest.raises(InvalidInput, match="abgesetzt"):
        if change == "remove":
            service.paths.remove_consultation(a, user=S, position=1, reason="entfällt")
        else:
            steps = [PlannedStep(organization="rat", role="entscheidung")]
            service.paths.replace_path(a, user=S, steps=steps, reason="direkt in den Rat")
    assert (service.papers.get_paper(a), service.meetings.get_meeting(mid)) == before
    assert meeting_events(service, mid) == events


def test_a_step_in_no_meeting_is_cancelled_as_before(service: WorkflowService) -> None:
    number = released(service, planned=DAY)
    view = service.paths.remove_consultation(number, user=S, position=1, reason="entfällt")
    assert view.consultations[0].state == "cancelled"
