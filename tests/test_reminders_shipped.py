"""The shipped municipalities plan the reminders their ``deadlines.reminders`` and Fristen give,
to the recipients of their users.yaml, through a paper's whole life; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from storage.session import Database
from tests.conftest import on_day
from workflow.core.clock import FixedClock
from workflow.core.model import ReminderState, ReminderView
from workflow.definitions import resolve_definitions_dir
from workflow.service import WorkflowService

D = dt.date
DATES = [D(2025, 4, 8), D(2025, 4, 29), D(2025, 5, 13)]


@dataclass(frozen=True)
class Town:
    name: str
    paper_type: str
    route: str
    office: str
    participant: str
    clerk: str
    head: str
    co_signer: str
    session: str
    lead_days: int
    escalate_hours: int
    #: kinds planned before the release (Vorlagenschluss and Ladung need a notice rule)
    before_release: frozenset[str]


TOWNS = [
    Town(
        "landau",
        "sitzungsvorlage",
        "stadtrat",
        "sozialamt",
        "hauptamt",
        "sozialamt.weber",
        "sozialamt.leitung",
        "hauptamt.leitung",
        "sitzungsdienst.becker",
        2,
        24,
        frozenset({"vorlagenschluss", "ladung", "mitzeichnung", "eskalation"}),
    ),
    Town(
        "herzogenrath",  # no Ladungsfrist or Vorlagenschluss configured (GO NRW: open point)
        "sitzungsvorlage",
        "rat",
        "amt50",
        "amt10",
        "amt50.sachbearbeitung",
        "amt50.leitung",
        "amt10.leitung",
        "sitzungsdienst",
        3,
        48,
        frozenset({"mitzeichnung", "eskalation"}),
    ),
    Town(
        "voelklingen",
        "beschlussvorlage",
        "stadtrat",
        "wks",
        "finanzmanagement",
        "wks.sachbearbeitung",
        "wks.leitung",
        "finanzmanagement.leitung",
        "sitzungsdienst",
        2,
        24,
        frozenset({"vorlagenschluss", "ladung", "mitzeichnung", "eskalation"}),
    ),
]


def pending(svc: WorkflowService) -> list[ReminderView]:
    return svc.reminders.list_reminders([ReminderState.PENDING])


def kinds(svc: WorkflowService) -> set[str]:
    return {r.kind.value for r in pending(svc)}


def email(svc: WorkflowService, user: str) -> str:
    address = svc.bodies.catalog().users[user].email
    assert address
    return address


@pytest.mark.parametrize("town", TOWNS, ids=lambda t: t.name)
def test_shipped_definitions_plan_every_kind_through_a_papers_life(
    database: Database, clock: FixedClock, town: Town
) -> None:
    svc = WorkflowService(database, clock)
    svc.bodies.load_definitions(resolve_definitions_dir(town.name), user=None)
    rule = svc.bodies.catalog().deadlines.reminders
    assert rule is not None
    assert (rule.lead_days, rule.escalate_after_hours) == (town.lead_days, town.escalate_hours)
    number = svc.papers.create_paper(
        user=town.clerk,
        paper_type=town.paper_type,
        title="Integrationskonzept",
        office=town.office,
        date=D(2025, 3, 10),
        route=town.route,
        participants=[town.participant],
        planned_dates=DATES[: len(svc.bodies.catalog().route(town.route).steps)],
    ).number
    svc.papers.submit_paper(number, user=town.clerk)
    assert kinds(svc) == town.before_release
    co_signing = next(r for r in pending(svc) if r.kind.value == "mitzeichnung")
    assert co_signing.recipients == (email(svc, town.co_signer),)
    escalation = next(r for r in pending(svc) if r.key.startswith("eskalation:mitzeichnung"))
    assert escalation.due_at - co_signing.due_at == dt.timedelta(
        days=town.lead_days, hours=town.escalate_hours
    )
    assert email(svc, town.co_signer) in escalation.recipients  # office_head of the co-signer
    assert email(svc, town.session) in escalation.recipients
    if "vorlagenschluss" in town.before_release:
        cutoff = next(r for r in pending(svc) if r.kind.value == "vorlagenschluss")
        assert set(cutoff.recipients) == {email(svc, town.clerk), email(svc, town.head)}
        invitation = next(r for r in pending(svc) if r.kind.value == "ladung")
        assert invitation.recipients == (email(svc, town.session),)

    svc.co_signing.co_sign(number, user=town.co_signer, office=town.participant)
    svc.papers.release_paper(number, user=town.head)
    assert "mitzeichnung" not in kinds(svc) and "vorlagenschluss" not in kinds(svc)
    assert "ergebnis" in kinds(svc)

    steps = len(svc.papers.get_paper(number).consultations)
    for position in range(1, steps):
        on_day(clock, DATES[position - 1])  # each result is recorded on its meeting's day
        svc.results.record_result(number, user=town.session, position=position, outcome="empfohlen")
    on_day(clock, DATES[steps - 1])
    svc.results.record_result(number, user=town.session, position=steps, outcome="beschlossen")
    assert svc.papers.get_paper(number).state == "adopted"
    assert kinds(svc) == set()  # no step open; no implementation_report interval configured
    task = svc.tasks.add_implementation_task(
        number, user=town.session, title="Umsetzung", office=town.office, due=D(2025, 12, 31)
    )
    assert kinds(svc) == {"bericht", "eskalation"}
    report = next(r for r in pending(svc) if r.kind.value == "bericht")
    assert report.key.startswith(f"bericht:1:t{task.id}@")
    assert set(report.recipients) == {email(svc, town.clerk), email(svc, town.head)}
    assert svc.audit.verify_audit().ok
