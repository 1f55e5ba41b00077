"""The Tagesordnung editor's operations (issue 14, screen 7) on SQLite and PostgreSQL: order
the TOPs, shift one up or down, take one off, move one to another meeting; each audited,
each refusal changing nothing; moving a step's date or meeting never leaves it on the old
agenda."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from tests.test_meeting import DAY, START, meeting, meeting_events, released
from workflow.core.errors import (
    InvalidInput,
    NotFoundError,
    PermissionDenied,
    TransitionNotAllowed,
)
from workflow.core.model import AgendaShift
from workflow.service import WorkflowService

S = "session"
NEXT_DAY = DAY + dt.timedelta(days=7)


def ids(service: WorkflowService, meeting_id: int) -> list[int]:
    return [i.id for i in service.meetings.get_meeting(meeting_id).agenda]


def titles(service: WorkflowService, meeting_id: int) -> list[tuple[str, str]]:
    return [
        (i.part.value, i.paper_number or i.title)
        for i in service.meetings.get_meeting(meeting_id).agenda
    ]


def built(service: WorkflowService) -> tuple[int, list[str]]:
    """A planned meeting with two public papers, one non-public paper and one item without
    a paper: Ö [A, B, Mitteilungen], N [C]."""
    papers = [released(service, title=t) for t in ("A", "B")]
    papers.append(released(service, title="C", public=False))
    mid = meeting(service)
    service.agendas.build_agenda(mid, user=S)
    service.agendas.add_agenda_item(mid, user=S, title="Mitteilungen")
    return mid, papers


def state(service: WorkflowService, mid: int) -> tuple[Any, ...]:
    """What a refusal must leave as it was: the meeting view and its audit chain."""
    return service.meetings.get_meeting(mid), meeting_events(service, mid)


def test_order_puts_the_items_in_the_given_order_within_their_parts(
    service: WorkflowService,
) -> None:
    mid, (a, b, c) = built(service)
    ia, ib, im, ic = ids(service, mid)
    assert titles(service, mid) == [
        ("public", a), ("public", b), ("public", "Mitteilungen"), ("non_public", c)
    ]  # fmt: skip
    view = service.agendas.order_agenda(mid, user=S, items=[ic, im, ib, ia])
    assert [(i.id, i.number) for i in view.agenda] == [
        (im, None),
        (ib, None),
        (ia, None),
        (ic, None),
    ]
    assert meeting_events(service, mid)[-1] == ("agenda_ordered", None, None)
    invited = service.meetings.invite_meeting(mid, user=S)
    assert [(i.id, i.number) for i in invited.agenda] == [
        (im, "Ö 1"), (ib, "Ö 2"), (ia, "Ö 3"), (ic, "N 1")
    ]  # fmt: skip
    assert [r.status.value for r in service.audit.replay_audit() if r.meeting] == ["match"]


def test_shift_moves_an_item_one_place_within_its_part(service: WorkflowService) -> None:
    mid, _papers = built(service)
    ia, ib, im, ic = ids(service, mid)
    view = service.agendas.shift_agenda_item(mid, user=S, item=im, shift=AgendaShift.UP)
    assert [i.id for i in view.agenda] == [ia, im, ib, ic]
    view = service.agendas.shift_agenda_item(mid, user=S, item=ia, shift=AgendaShift.DOWN)
    assert [i.id for i in view.agenda] == [im, ia, ib, ic]
    with pytest.raises(InvalidInput, match="schon der erste seines Teils"):
        service.agendas.shift_agenda_item(mid, user=S, item=im, shift=AgendaShift.UP)
    with pytest.raises(InvalidInput, match="schon der letzte seines Teils"):
        service.agendas.shift_agenda_item(mid, user=S, item=ic, shift=AgendaShift.DOWN)
    assert [r.status.value for r in service.audit.replay_audit() if r.meeting] == ["match"]


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (lambda i: i[:3], "jeden TOP der Tagesordnung genau einmal"),
        (lambda i: [*i, i[0]], "jeden TOP der Tagesordnung genau einmal"),
        (lambda i: [*i[:3], 999], "jeden TOP der Tagesordnung genau einmal"),
        (lambda i: i, "hat schon diese Reihenfolge"),
        (lambda i: [i[0], i[1], i[3], i[2]], "hat schon diese Reihenfolge"),  # parts keep
    ],
)
def test_an_order_that_is_no_new_permutation_is_refused_and_nothing_changes(
    service: WorkflowService, order: Any, message: str
) -> None:
    mid, _papers = built(service)
    before = state(service, mid)
    with pytest.raises(InvalidInput, match=message):
        service.agendas.order_agenda(mid, user=S, items=order(ids(service, mid)))
    assert state(service, mid) == before


def test_remove_takes_the_item_off_and_its_step_is_due_again(service: WorkflowService) -> None:
    mid, (a, b, c) = built(service)
    item_a = ids(service, mid)[0]
    view = service.agendas.remove_agenda_item(mid, user=S, item=item_a)
    assert [i.paper_number or i.title for i in view.agenda] == [b, "Mitteilungen", c]
    step = service.papers.get_paper(a).consultations[0]
    assert (step.state, step.date, step.planned_date) == ("planned", None, DAY)
    assert meeting_events(service, mid)[-1] == ("agenda_item_removed", None, None)
    # the next agenda of the day takes it again
    again = service.agendas.build_agenda(mid, user=S)
    assert a in [i.paper_number for i in again.agenda]
    assert {r.status.value for r in service.audit.replay_audit()} == {"match"}


def test_the_item_of_a_withdrawn_paper_can_still_be_taken_off(service: WorkflowService) -> None:
    mid, (a, b, c) = built(service)
    service.papers.withdraw_paper(a, user="clerk", reason="erledigt")
    view = service.agendas.remove_agenda_item(mid, user=S, item=ids(service, mid)[0])
    assert [i.paper_number or i.title for i in view.agenda] == [b, "Mitteilungen", c]
    assert service.papers.get_paper(a).consultations[0].state == "cancelled"
    assert {r.status.value for r in service.audit.replay_audit()} == {"match"}


def test_an_item_without_a_paper_is_simply_removed(service: WorkflowService) -> None:
    mid, _papers = built(service)
    item = ids(service, mid)[2]
    view = service.agendas.remove_agenda_item(mid, user=S, item=item)
    assert "Mitteilungen" not in [i.title for i in view.agenda]


def test_move_item_takes_it_to_another_meeting_of_the_gremium_on_that_day(
    service: WorkflowService,
) -> None:
    mid, (a, _b, _c) = built(service)
    later = meeting(service, start=START + dt.timedelta(days=7))
    item_a = ids(service, mid)[0]
    moved = service.agendas.move_agenda_item(mid, user=S, item=item_a, to_meeting=later)
    assert (moved.paper_number, moved.nachtrag, moved.number) == (a, False, None)
    assert a not in [i.paper_number for i in service.meetings.get_meeting(mid).agenda]
    assert ids(service, later) == [moved.id]
    step = service.papers.get_paper(a).consultations[0]
    assert (step.state, step.date) == ("scheduled", NEXT_DAY)
    assert meeting_events(service, mid)[-1][0] == "agenda_item_removed"
    assert ("agenda_item_added", None, None) in meeting_events(service, later)
    assert {r.status.value for r in service.audit.replay_audit()} == {"match"}


def test_moving_into_an_invited_meeting_makes_a_numbered_nachtrag(
    service: WorkflowService,
) -> None:
    mid, (a, _b, _c) = built(service)
    later = meeting(service, start=START + dt.timedelta(days=7))
    service.agendas.add_agenda_item(later, user=S, title="Einwohnerfragestunde")
    service.meetings.invite_meeting(later, user=S)
    moved = service.agendas.move_agenda_item(
        mid, user=S, item=ids(service, mid)[0], to_meeting=later
    )
    assert (moved.paper_number, moved.nachtrag, moved.number) == (a, True, "Ö 2")


def test_move_item_refusals_change_nothing(service: WorkflowService) -> None:
    mid, _papers = built(service)
    rat = meeting(service, organization="rat", start=START + dt.timedelta(days=7))
    cancelled = meeting(service, start=START + dt.timedelta(days=14))
    service.meetings.cancel_meeting(cancelled, user=S, reason="entfällt")
    item = ids(service, mid)[0]
    before = state(service, mid)
    with pytest.raises(InvalidInput, match="nur zwischen Sitzungen desselben Gremiums"):
        service.agendas.move_agenda_item(mid, user=S, item=item, to_meeting=rat)
    with pytest.raises(TransitionNotAllowed):
        service.agendas.move_agenda_item(mid, user=S, item=item, to_meeting=cancelled)
    with pytest.raises(InvalidInput, match="steht schon auf der Tagesordnung der Sitzung"):
        service.agendas.move_agenda_item(mid, user=S, item=item, to_meeting=mid)
    with pytest.raises(NotFoundError, match="keine Sitzung 99"):
        service.agendas.move_agenda_item(mid, user=S, item=item, to_meeting=99)
    with pytest.raises(NotFoundError, match="keinen TOP 999"):
        service.agendas.move_agenda_item(mid, user=S, item=999, to_meeting=rat)
    assert state(service, mid) == before
    assert service.meetings.get_meeting(rat).agenda == ()


def test_after_the_invitation_the_agenda_keeps_its_order_and_items(
    service: WorkflowService,
) -> None:
    mid, _papers = built(service)
    later = meeting(service, start=START + dt.timedelta(days=7))
    service.meetings.invite_meeting(mid, user=S)
    items = ids(service, mid)
    before = state(service, mid)
    with pytest.raises(InvalidInput, match="Nummern der TOPs sind endgültig"):
        service.agendas.order_agenda(mid, user=S, items=items[::-1])
    with pytest.raises(InvalidInput, match="Nummern der TOPs sind endgültig"):
        service.agendas.shift_agenda_item(mid, user=S, item=items[1], shift=AgendaShift.UP)
    with pytest.raises(InvalidInput, match="erfassen Sie dort das Ergebnis „abgesetzt“$"):
        service.agendas.remove_agenda_item(mid, user=S, item=items[0])
    with pytest.raises(InvalidInput, match="erfassen Sie dort das Ergebnis „abgesetzt“$"):
        service.agendas.move_agenda_item(mid, user=S, item=items[0], to_meeting=later)
    assert state(service, mid) == before


def test_a_held_meeting_agenda_is_closed(service: WorkflowService, clock: Any) -> None:
    mid, _papers = built(service)
    service.meetings.invite_meeting(mid, user=S)
    clock.instant = START + dt.timedelta(hours=3)
    service.meetings.hold_meeting(mid, user=S)
    with pytest.raises(TransitionNotAllowed, match="Tagesordnung ist geschlossen"):
        service.agendas.remove_agenda_item(mid, user=S, item=ids(service, mid)[0])


@pytest.mark.parametrize("user", ["clerk", "head", "auditor", "mayor"])
def test_only_the_session_office_edits_an_agenda(service: WorkflowService, user: str) -> None:
    mid, _papers = built(service)
    items = ids(service, mid)
    later = meeting(service, start=START + dt.timedelta(days=7))
    before = state(service, mid)
    calls = [
        lambda: service.agendas.order_agenda(mid, user=user, items=items[::-1]),
        lambda: service.agendas.shift_agenda_item(
            mid, user=user, item=items[1], shift=AgendaShift.UP
        ),
        lambda: service.agendas.remove_agenda_item(mid, user=user, item=items[0]),
        lambda: service.agendas.move_agenda_item(mid, user=user, item=items[0], to_meeting=later),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="meeting.manage"):
            call()
    assert state(service, mid) == before


def test_rescheduling_a_step_takes_it_off_the_old_agenda_in_the_same_transaction(
    service: WorkflowService,
) -> None:
    mid, (a, _b, _c) = built(service)
    service.agendas.reschedule_step(a, user=S, position=1, date=NEXT_DAY)
    assert a not in [i.paper_number for i in service.meetings.get_meeting(mid).agenda]
    step = service.papers.get_paper(a).consultations[0]
    assert (step.state, step.date) == ("scheduled", NEXT_DAY)
    service.agendas.build_agenda(mid, user=S)  # the old day's agenda does not take it back
    assert a not in [i.paper_number for i in service.meetings.get_meeting(mid).agenda]
    assert [e[0] for e in meeting_events(service, mid)].count("agenda_item_removed") == 1


def test_moving_a_meeting_keeps_its_steps_on_its_agenda_and_on_no_other(
    service: WorkflowService,
) -> None:
    mid, papers = built(service)
    service.meetings.move_meeting(mid, user=S, day=NEXT_DAY)
    view = service.meetings.get_meeting(mid)
    assert sorted(p for p in (i.paper_number for i in view.agenda) if p) == sorted(papers)
    for number in papers:
        step = service.papers.get_paper(number).consultations[0]
        assert step.date == NEXT_DAY


def test_concurrent_shifts_of_one_item_serialize_on_the_meeting_row(
    service: WorkflowService,
) -> None:
    mid, _papers = built(service)
    ia, ib, im, ic = ids(service, mid)
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def shift_up() -> None:
        barrier.wait()
        try:
            service.agendas.shift_agenda_item(mid, user=S, item=im, shift=AgendaShift.UP)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=shift_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # each shift saw the other's result: two places up, not one lost update
    assert ids(service, mid) == [im, ia, ib, ic]
    ordered = [e for e in meeting_events(service, mid) if e[0] == "agenda_ordered"]
    assert len(ordered) == 2
    assert [r.status.value for r in service.audit.replay_audit() if r.meeting] == ["match"]
