"""Delivery events go to each worker's own hash chain: the paper's trail still shows them, verify
and seal cover them, and tampering with one is found; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.audit import canonical_json, delivery_stream
from storage.reminders import sent_payload
from storage.schema import AuditEvent
from storage.session import Database
from tests.reminder_fixtures import RecordingNotifier, create_paper, reminder_definitions
from tests.test_audit import _tamper
from workflow.clock import FixedClock
from workflow.service import WorkflowService
from workflow.worker import Worker, WorkerOptions

UTC = dt.UTC


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2025, 3, 3, 9, tzinfo=UTC))


@pytest.fixture
def town(database: Database, clock: FixedClock, tmp_path: Path) -> WorkflowService:
    service = WorkflowService(database, clock)
    service.load_definitions(reminder_definitions(tmp_path), user=None)
    return service


def sweep_two_workers(town: WorkflowService, clock: FixedClock) -> tuple[str, str]:
    first, second = create_paper(town), create_paper(town)
    clock.instant = dt.datetime(2025, 3, 13, 8, tzinfo=UTC)
    # batch 1: the two workers take turns on the same papers' reminders
    a = Worker(town, RecordingNotifier(), WorkerOptions(batch=1), name="worker:a:1")
    b = Worker(town, RecordingNotifier(), WorkerOptions(batch=1), name="worker:b:2")
    while a.run_batch().claimed + b.run_batch().claimed:
        pass
    return first, second


def test_sent_events_form_one_chain_per_worker_and_show_in_the_paper_trail(
    town: WorkflowService, clock: FixedClock, database: Database
) -> None:
    first, _ = sweep_two_workers(town, clock)
    with database.read() as session:
        rows = session.execute(
            select(AuditEvent.stream, AuditEvent.seq, AuditEvent.paper_id).where(
                AuditEvent.action == "reminder_sent"
            )
        ).all()
    streams = {r.stream for r in rows}
    assert streams == {delivery_stream("worker:a:1"), delivery_stream("worker:b:2")}
    for stream in streams:  # each chain counts from 1 without gaps
        seqs = sorted(r.seq for r in rows if r.stream == stream)
        assert seqs == list(range(1, len(seqs) + 1))
    assert len(rows) == 6 and {r.paper_id for r in rows} == {1, 2}
    trail = town.audit_trail(first)
    sent = [e for e in trail if e.action == "reminder_sent"]
    assert len(sent) == 3 and {e.actor for e in sent} <= {"worker:a:1", "worker:b:2"}
    assert trail.index(sent[0]) > max(
        i for i, e in enumerate(trail) if e.action == "reminder_planned"
    )
    own = [e.seq for e in trail if e.stream == f"paper:{sent[0].paper_id}"]
    assert own == list(range(1, len(own) + 1))  # the paper's chain in order, untouched
    report = town.verify_audit()
    assert report.ok and report.streams == 2 + 2 + 1  # two papers, two workers, the body
    seal = town.seal_audit(user="auditor")
    assert {h.stream for h in seal.heads} >= streams
    assert town.verify_audit(seal).ok


def test_tampering_with_a_delivery_event_is_found(
    town: WorkflowService, clock: FixedClock, database: Database
) -> None:
    sweep_two_workers(town, clock)
    stream = delivery_stream("worker:a:1")
    _tamper(database, f"UPDATE audit_event SET actor = 'x' WHERE stream = '{stream}' AND seq = 2")
    report = town.verify_audit()
    assert not report.ok
    assert (report.broken_stream, report.broken_seq, report.problem) == (
        stream,
        2,
        "hash mismatch",
    )
    assert report.broken_paper is None  # a worker's chain belongs to no single paper


@pytest.mark.parametrize(
    "recipients",
    [
        [],
        ["sitzungsdienst@landau.example"],
        ['a"b\\c@x.example', "müller@straße.example", "\u2028\t"],
    ],
)
def test_the_sent_payload_is_the_canonical_json_of_its_fields(recipients: list[str]) -> None:
    fields = {
        "reminder": 12,
        "key": 'ladung:1:s1@20250310T230000Z "x"',
        "kind": "ladung",
        "due_at": "2025-03-10T23:00:00+00:00",
        "recipients": recipients,
        "attempts": 3,
    }
    written = sent_payload(12, fields["key"], "ladung", fields["due_at"], recipients, 3)
    assert written == canonical_json(fields)
