"""Refusals read as German sentences: the refused action is named by its German words (never
a trigger id or a phrase ending in a preposition), a step's state by its label; on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.test_meeting import DAY, meeting, released
from workflow.core.errors import InvalidInput, TransitionNotAllowed
from workflow.service import WorkflowService


def test_moving_a_cancelled_meeting_is_refused_as_verlegen(service: WorkflowService) -> None:
    mid = meeting(service)
    service.meetings.cancel_meeting(mid, user="session", reason="Sturm")
    with pytest.raises(TransitionNotAllowed) as info:
        service.meetings.move_meeting(mid, user="session", day=DAY, reason="neuer Termin")
    assert str(info.value) == (
        "Sitzung 1 (Hauptausschuss, 18.03.2025 17:00): 'verlegen' ist im Status 'abgesagt' "
        "nicht möglich (nur eine geplante oder geladene Sitzung lässt sich verlegen); "
        "jetzt möglich: nichts"
    )


def test_a_result_in_a_planned_meeting_is_refused_naming_the_step_without_a_dangling_word(
    service: WorkflowService,
) -> None:
    number = released(service)
    mid = meeting(service)
    service.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=mid)
    with pytest.raises(TransitionNotAllowed) as info:
        service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    assert str(info.value).startswith(
        "Sitzung 1 (Hauptausschuss, 18.03.2025 17:00): 'das Ergebnis von Schritt 1 der Vorlage "
        "V/2025/1 erfassen' ist im Status 'geplant' nicht möglich ("
    )


def test_a_path_change_at_a_step_dealt_with_names_the_change_and_the_steps_state(
    service: WorkflowService,
) -> None:
    number = released(service)
    service.results.record_result(
        number, user="session", position=1, outcome="empfohlen", date=dt.date(2025, 3, 10)
    )
    with pytest.raises(InvalidInput) as info:
        service.paths.remove_consultation(number, user="session", position=1, reason="x")
    assert str(info.value) == (
        "Schritt 1 der Vorlage V/2025/1 ist bereits beraten; das Entfernen ist nur möglich, "
        "solange ein Schritt noch nicht behandelt ist"
    )
