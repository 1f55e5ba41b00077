"""Issue 13, items 10 and 11: a paper's path keeps one concluding step, last and alone on its
level, also while it is a draft; moving a step that is on a meeting's agenda takes it off that
agenda, or is refused once the invitation went out. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from tests.test_meeting import DAY, START, meeting, meeting_events, released
from tests.test_service import create
from workflow.cli import cli
from workflow.core.errors import InvalidInput, TransitionNotAllowed
from workflow.core.model import PlannedStep
from workflow.service import WorkflowService

D = dt.date


def trail_length(service: WorkflowService, number: str) -> int:
    return len(service.audit.audit_trail(number))


# -- item 11: a concluding step before the Vorberatungen ----------------------------------------


def test_a_draft_refuses_a_concluding_step_before_its_vorberatung(
    service: WorkflowService,
) -> None:
    number = create(service)
    before = trail_length(service, number)
    with pytest.raises(InvalidInput, match="nur einen abschließenden Schritt haben, am Ende"):
        service.paths.add_consultation(
            number, user="clerk", organization="rat", role="entscheidung", position=1
        )
    with pytest.raises(InvalidInput, match="nur einen abschließenden Schritt haben, am Ende"):
        service.paths.add_consultation(
            number, user="clerk", organization="ausschuss", role="kenntnisnahme", position=2
        )
    with pytest.raises(InvalidInput, match="nur einen abschließenden Schritt haben, am Ende"):
        service.paths.move_consultation(number, user="clerk", position=2, to=1)
    with pytest.raises(InvalidInput, match="nur einen abschließenden Schritt haben, am Ende"):
        service.paths.replace_path(
            number,
            user="clerk",
            steps=[
                PlannedStep(organization="rat", role="entscheidung"),
                PlannedStep(organization="ausschuss", role="vorberatung"),
            ],
            reason="Rat zuerst",
        )
    assert trail_length(service, number) == before
    view = service.papers.get_paper(number)
    assert [(c.organization_id, c.role.value) for c in view.consultations] == [
        ("ausschuss", "vorberatung"),
        ("rat", "entscheidung"),
    ]


def test_a_draft_may_still_be_rebuilt_step_by_step(service: WorkflowService) -> None:
    """Without a concluding step a draft is unfinished, not wrong: submit refuses it, the path
    editing does not."""
    number = create(service)
    service.paths.remove_consultation(number, user="clerk", position=2)
    service.paths.add_consultation(
        number, user="clerk", organization="ausschuss", role="anhoerung", position=1
    )
    view = service.paths.add_consultation(
        number, user="clerk", organization="rat", role="kenntnisnahme"
    )
    assert [(c.organization_id, c.role.value, c.level) for c in view.consultations] == [
        ("ausschuss", "anhoerung", 1),
        ("ausschuss", "vorberatung", 2),
        ("rat", "kenntnisnahme", 3),
    ]


# -- item 10: a step moved off a meeting's agenda -----------------------------------------------


def on_agenda(service: WorkflowService, meeting_id: int) -> list[str | None]:
    return [i.paper_number for i in service.meetings.get_meeting(meeting_id).agenda]


def test_moving_a_step_before_the_invitation_takes_it_off_the_agenda(
    service: WorkflowService,
) -> None:
    number = released(service)
    first, second = meeting(service), meeting(service, start=START + dt.timedelta(days=7))
    service.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=first)
    before = meeting_events(service, first)
    view = service.agendas.reschedule_step(
        number, user="session", position=1, date=DAY + dt.timedelta(days=7)
    )
    assert (view.consultations[0].state, view.consultations[0].date) == (
        "scheduled",
        DAY + dt.timedelta(days=7),
    )
    assert on_agenda(service, first) == []
    removed = meeting_events(service, first)[len(before) :]
    assert ("agenda_item_removed", None, None) in removed
    item = service.agendas.schedule_into_meeting(
        number, user="session", position=1, meeting_id=second
    )
    assert item.paper_number == number
    assert on_agenda(service, second) == [number]
    # the first meeting has nothing left to invite to
    with pytest.raises(TransitionNotAllowed):
        service.meetings.invite_meeting(first, user="session")
    assert service.audit.verify_audit().ok


def test_moving_a_step_after_the_invitation_is_refused_with_the_way_to_do_it(
    service: WorkflowService,
) -> None:
    number = released(service)
    first = meeting(service)
    service.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=first)
    service.meetings.invite_meeting(first, user="session")
    before = (trail_length(service, number), meeting_events(service, first))
    with pytest.raises(
        InvalidInput,
        match=r"verlegen Sie die Sitzung \d+ oder erfassen Sie dort das Ergebnis 'vertagt' mit "
        r"dem Zieltermin \d\d\.\d\d\.\d{4}$",
    ) as info:
        service.agendas.reschedule_step(
            number, user="session", position=1, date=DAY + dt.timedelta(days=7)
        )
    assert "--" not in str(info.value) and "ratsweg" not in str(info.value)
    with pytest.raises(InvalidInput, match="steht auf der Tagesordnung der Sitzung"):
        service.paths.schedule_consultation(
            number, user="session", position=1, date=DAY + dt.timedelta(days=7)
        )
    assert (trail_length(service, number), meeting_events(service, first)) == before
    assert on_agenda(service, first) == [number]
    assert service.papers.get_paper(number).consultations[0].date == DAY


def test_a_step_on_no_agenda_is_scheduled_as_before(service: WorkflowService) -> None:
    number = released(service)
    view = service.agendas.reschedule_step(number, user="session", position=1, date=DAY)
    assert (view.consultations[0].state, view.consultations[0].date) == ("scheduled", DAY)


def test_cli_schedule_moves_the_step_off_the_agenda(service: WorkflowService) -> None:
    number = released(service)
    first = meeting(service)
    service.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=first)
    result = CliRunner().invoke(
        cli,
        ["consultation", "schedule", number, "1", "--date", "25.03.2025"],
        obj=service,
        env={"RATSWEG_USER": "session"},
    )
    assert result.exit_code == 0, result.output
    assert on_agenda(service, first) == []
