"""Delivery events go to each worker's own hash chain: the paper's trail still shows them, verify
and seal cover them, and tampering with one is found; recipients the SMTP server refused are
stored with the message and named in its event; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from storage.audit import canonical_json, delivery_stream
from storage.reminders import refused_json, sent_payload
from storage.schema import AuditEvent, Outbox
from storage.session import Database
from tests.reminder_fixtures import RecordingNotifier, create_paper, reminder_definitions
from tests.smtp_server import smtp_server
from tests.test_audit import _tamper
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.model import RefusedRecipient, ReminderState
from workflow.reminders.notify import SmtpNotifier, SmtpSettings, message_id
from workflow.reminders.service import finish_delivery
from workflow.service import WorkflowService
from workflow.worker import Worker, WorkerOptions

UTC = dt.UTC


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2025, 3, 3, 9, tzinfo=UTC))


@pytest.fixture
def town(database: Database, clock: FixedClock, tmp_path: Path) -> WorkflowService:
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(reminder_definitions(tmp_path), user=None)
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
    trail = town.audit.audit_trail(first)
    sent = [e for e in trail if e.action == "reminder_sent"]
    assert len(sent) == 3 and {e.actor for e in sent} <= {"worker:a:1", "worker:b:2"}
    assert trail.index(sent[0]) > max(
        i for i, e in enumerate(trail) if e.action == "reminder_planned"
    )
    own = [e.seq for e in trail if e.stream == f"paper:{sent[0].paper_id}"]
    assert own == list(range(1, len(own) + 1))  # the paper's chain in order, untouched
    report = town.audit.verify_audit()
    assert report.ok and report.streams == 2 + 2 + 1  # two papers, two workers, the body
    seal = town.audit.seal_audit(user="auditor")
    assert {h.stream for h in seal.heads} >= streams
    assert town.audit.verify_audit(seal).ok


def test_tampering_with_a_delivery_event_is_found(
    town: WorkflowService, clock: FixedClock, database: Database
) -> None:
    sweep_two_workers(town, clock)
    stream = delivery_stream("worker:a:1")
    _tamper(database, f"UPDATE audit_event SET actor = 'x' WHERE stream = '{stream}' AND seq = 2")
    report = town.audit.verify_audit()
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
    assert "refused" not in json.loads(written)  # a complete delivery's payload is unchanged


@pytest.mark.parametrize(
    "refused",
    [
        [RefusedRecipient("amt.leitung@landau.example", 550, "5.1.1 mailbox unavailable")],
        [
            RefusedRecipient('a"b\\c@x.example', 450, '4.2.1 "busy" \\ später'),
            RefusedRecipient("müller@straße.example", 553, "\u2028\t{}[],:"),
        ],
    ],
)
def test_the_sent_payload_with_refused_recipients_is_the_canonical_json_of_its_fields(
    refused: list[RefusedRecipient],
) -> None:
    recipients = ["sitzungsdienst@landau.example", *(r.address for r in refused)]
    fields = {
        "reminder": 7,
        "key": "ladung:1:s1@20250310T230000Z",
        "kind": "ladung",
        "due_at": "2025-03-10T23:00:00+00:00",
        "recipients": recipients,
        "attempts": 1,
        "refused": refused_json(refused),
    }
    written = sent_payload(7, fields["key"], "ladung", fields["due_at"], recipients, 1, refused)
    assert written == canonical_json(fields)


REFUSED = "max@musterstadt.example"  # the office head of amt1
MAILBOX_UNAVAILABLE = {"address": REFUSED, "code": 550, "reply": "5.1.1 mailbox unavailable"}


@pytest.mark.parametrize("group", [25, 1], ids=["recorded-at-the-end", "recorded-at-each-fence"])
def test_a_recipient_refused_by_the_smtp_server_is_stored_and_named_in_the_sent_event(
    town: WorkflowService, clock: FixedClock, database: Database, group: int
) -> None:
    """With groups of one, each message is recorded by the fence of the next one
    (``ReminderService.finish_and_fence``), its refused recipients as well."""
    number = create_paper(town)
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)  # Vorlagenschluss reminder due
    with smtp_server(refuse=frozenset({REFUSED})) as (recorder, port):
        notifier = SmtpNotifier(SmtpSettings(host="127.0.0.1", port=port))
        options = WorkerOptions(fence_group=group)
        report = Worker(town, notifier, options, name="worker:a:1").sweep()
        notifier.close()
    assert report.sent == recorder.count() >= 1 and report.failed == report.retried == 0
    with database.read() as session:
        rows = {o.key: o for o in session.scalars(select(Outbox))}
    received = {m.message_id: m.rcpt_tos for m in recorder.messages}
    lost = {key for key, row in rows.items() if REFUSED in row.recipients}
    assert lost  # at least one message was meant for the refused address too
    for key, row in rows.items():
        # the message arrived for every other recipient
        others = [r for r in row.recipients if r != REFUSED]
        assert received[message_id(key, "localhost")] == others != []
        assert row.state == "sent"
        assert row.refused == ([MAILBOX_UNAVAILABLE] if key in lost else None)
    sent = {
        e.payload["key"]: e for e in town.audit.audit_trail(number) if e.action == "reminder_sent"
    }
    assert set(sent) == set(rows)
    for key, event in sent.items():
        assert event.stream == delivery_stream("worker:a:1")
        if key in lost:
            assert event.payload["refused"] == [MAILBOX_UNAVAILABLE]
        else:
            assert "refused" not in event.payload
    assert town.audit.verify_audit().ok
    assert all(r.ok for r in town.audit.replay_audit(number))

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), obj=town)
        assert result.exit_code == 0, result.output
        return result.stdout

    listed = {r["key"]: r for r in json.loads(run("reminders", "sent", "--json"))}
    assert {k: r["refused"] for k, r in listed.items()} == {
        k: [MAILBOX_UNAVAILABLE] if k in lost else [] for k in rows
    }
    table = run("reminders", "sent")
    assert table.splitlines()[0].split() == [
        *("ID", "Erinnerung", "Vorlage", "Fällig", "Stand", "Empfänger", "Versuche", "Abgewiesen")
    ]
    assert table.count(f"{REFUSED}: 550 5.1.1 mailbox unavailable") == len(lost)
    trail = run("audit", "trail", number)
    assert trail.count(f"refused={REFUSED} (550 5.1.1 mailbox unavailable)") == len(lost)
    events = json.loads(run("audit", "trail", number, "--json"))
    assert [e["payload"].get("refused") for e in events if e["action"] == "reminder_sent"] == [
        [MAILBOX_UNAVAILABLE] if e.payload["key"] in lost else None for e in sent.values()
    ]


def test_every_recipient_refused_parks_the_reminder_with_the_addresses_in_its_error(
    town: WorkflowService, clock: FixedClock
) -> None:
    create_paper(town)
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)
    everyone = frozenset(
        address
        for r in town.reminders.list_reminders([ReminderState.PENDING])
        for address in r.recipients
    )
    with smtp_server(refuse=everyone) as (recorder, port):
        notifier = SmtpNotifier(SmtpSettings(host="127.0.0.1", port=port))
        report = Worker(town, notifier).sweep()
        notifier.close()
    assert report.sent == recorder.count() == 0 and report.failed >= 1
    result = CliRunner().invoke(cli, ["reminders", "failed", "--json"], obj=town)
    failed = json.loads(result.stdout)
    assert len(failed) == report.failed
    for row in failed:
        expected = "; ".join(
            f"{a}: 550 5.1.1 mailbox unavailable" for a in sorted(row["recipients"].split(", "))
        )
        assert row["last_error"] == f"SMTP refused every recipient: {expected}"


def test_refused_recipients_of_a_message_whose_lease_was_lost_are_not_recorded(
    town: WorkflowService, clock: FixedClock, database: Database
) -> None:
    create_paper(town)
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)
    lease = dt.timedelta(seconds=60)
    _, messages = town.reminders.claim_and_lease(
        worker="worker:a:1", limit=1, lease=lease, token="a"
    )
    clock.instant += dt.timedelta(seconds=61)  # a's lease ran out; b takes the message over
    _, taken = town.reminders.claim_and_lease(worker="worker:b:2", limit=1, lease=lease, token="b")
    assert [m.id for m in taken] == [m.id for m in messages]
    refused = RefusedRecipient(REFUSED, 550, "5.1.1 mailbox unavailable")
    outcome = town.reminders.finish_messages(
        worker="worker:a:1",
        token="a",
        delivered=[messages[0].id],
        refused={messages[0].id: [refused]},
        failures=[],
        max_attempts=5,
        backoff=dt.timedelta(seconds=60),
    )
    assert outcome == (0, 0, 0)
    with database.read() as session:
        row = session.get_one(Outbox, messages[0].id)
        assert (row.state, row.claimed_by, row.refused) == ("sending", "worker:b:2", None)
    outcome = town.reminders.finish_messages(
        worker="worker:b:2",
        token="b",
        delivered=[messages[0].id],
        refused={messages[0].id: [refused]},
        failures=[],
        max_attempts=5,
        backoff=dt.timedelta(seconds=60),
    )
    assert outcome == (1, 0, 0)
    with database.read() as session:
        assert session.get_one(Outbox, messages[0].id).refused == [MAILBOX_UNAVAILABLE]


def test_finish_delivery_records_in_the_callers_unit_of_work_and_rolls_back_with_it(
    town: WorkflowService, clock: FixedClock, database: Database
) -> None:
    """``finish_messages`` and ``finish_and_fence`` share ``finish_delivery``, which works in
    the transaction it is given: nothing is recorded when that transaction fails."""
    create_paper(town)
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)
    lease = dt.timedelta(seconds=60)
    _, messages = town.reminders.claim_and_lease(
        worker="worker:a:1", limit=1, lease=lease, token="a"
    )
    finish = {
        "worker": "worker:a:1",
        "token": "a",
        "delivered": [messages[0].id],
        "failures": [],
        "max_attempts": 5,
        "backoff": dt.timedelta(seconds=60),
    }
    with pytest.raises(RuntimeError), town.shared.write() as uow:
        assert finish_delivery(uow, **finish) == (1, 0, 0)
        raise RuntimeError("the caller's transaction fails")
    with database.read() as session:
        assert session.get_one(Outbox, messages[0].id).state == "sending"
    with town.shared.write() as uow:
        assert finish_delivery(uow, **finish) == (1, 0, 0)
    with database.read() as session:
        assert session.get_one(Outbox, messages[0].id).state == "sent"
