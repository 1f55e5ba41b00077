"""Notes ratsweg writes itself and shows with a step or in the audit trail are German: the step
a result inserts, the decision again after a referral, the steps a withdrawal cancels. On
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.test_service import released
from workflow.core.clock import FixedClock
from workflow.service import WorkflowService

S = "session"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC))


def test_a_postponed_step_is_noted_vertagt_in_schritt(service: WorkflowService) -> None:
    number = released(service)
    view = service.results.record_result(number, user=S, position=1, outcome="vertagt")
    assert view.consultations[1].note == "vertagt in Schritt 1"
    added = [e for e in service.audit.audit_trail(number) if e.action == "consultation_added"]
    assert added[-1].payload["reason"] == "vertagt in Schritt 1"
    assert [r.status for r in service.audit.replay_audit(number)] == ["match"]


def test_a_referral_by_the_council_notes_in_german_who_decides_again(
    service: WorkflowService,
) -> None:
    number = released(service)
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    view = service.results.record_result(
        number, user=S, position=2, outcome="zurueckverwiesen", refer_to="ausschuss"
    )
    assert [c.note for c in view.consultations[2:]] == [
        "zurückverwiesen in Schritt 2",
        "Rat der Stadt Musterstadt entscheidet nach der Überweisung in Schritt 2",
    ]


def test_a_withdrawal_cancels_the_open_steps_with_a_german_reason(
    service: WorkflowService,
) -> None:
    number = released(service)
    service.papers.withdraw_paper(number, user="head", reason="erledigt")
    cancelled = [
        e.payload["reason"]
        for e in service.audit.audit_trail(number)
        if e.payload.get("trigger") == "cancel"
    ]
    assert cancelled == ["Vorlage zurückgezogen", "Vorlage zurückgezogen"]
