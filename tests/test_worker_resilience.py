"""The worker keeps going when things go wrong, on SQLite and PostgreSQL: a message it cannot
even build is parked instead of stopping every sweep; a slow delivery never outlives the lease
(so no other worker sends the same message again); a worker that stalled past its lease sends
nothing another worker took over when it wakes up (issue 13 item 18); a mail server that is
down for a long time does not use up the reminders' attempts."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from storage.schema import AuditEvent, Outbox, Paper, Reminder
from storage.session import Database
from tests.reminder_fixtures import RecordingNotifier, create_paper, reminder_definitions
from tests.smtp_server import smtp_server
from tests.test_reminder_workers import _papers, insert_due_reminders
from workflow.cli import cli
from workflow.core.clock import FixedClock, SystemClock
from workflow.core.errors import DeliveryError
from workflow.core.model import OutboxMessage, ReminderState
from workflow.reminders.notify import SmtpNotifier, SmtpSettings
from workflow.service import WorkflowService
from workflow.worker import Worker, WorkerOptions

UTC = dt.UTC


@pytest.fixture
def town(database: Database, clock: FixedClock, tmp_path: Path) -> WorkflowService:
    service = WorkflowService(database, clock)
    service.bodies.load_definitions(reminder_definitions(tmp_path), user=None)
    return service


class BrokenOnce(RecordingNotifier):
    """Raises an unexpected exception (not a DeliveryError) for the first message."""

    def __init__(self) -> None:
        super().__init__()
        self.broken: list[str] = []

    def send(self, message: OutboxMessage) -> None:
        if not self.broken:
            self.broken.append(message.key)
            raise ValueError("Header values may not contain linefeed or carriage return")
        super().send(message)


def test_a_message_that_cannot_be_built_is_parked_and_the_others_are_sent(
    town: WorkflowService, clock: FixedClock
) -> None:
    number = create_paper(town)
    clock.instant = dt.datetime(2025, 3, 13, 8, tzinfo=UTC)  # several reminders due
    notifier = BrokenOnce()
    report = Worker(town, notifier).sweep()
    assert report.failed == 1 and report.sent == report.claimed - 1 >= 1
    (failed,) = town.reminders.list_reminders([ReminderState.FAILED])
    assert failed.key == notifier.broken[0]
    assert failed.last_error == (
        "ratsweg cannot build or send this message: ValueError: "
        "Header values may not contain linefeed or carriage return"
    )
    assert Worker(town, notifier).sweep().claimed == 0  # nothing is sent again
    assert len(notifier.sent) == len({m.key for m in notifier.sent}) == report.sent
    events = [e.action for e in town.audit.audit_trail(number)]
    assert events.count("reminder_failed") == 1
    assert events.count("reminder_sent") == report.sent


def test_a_title_with_a_line_break_is_mailed_with_a_one_line_subject(
    town: WorkflowService, clock: FixedClock
) -> None:
    number = create_paper(town, title="Radweg")
    with town.db.write() as session:  # stored before titles were checked at input
        session.execute(update(Paper).values(title="Radweg\nHauptstraße"))
        subject = func.replace(Reminder.subject, "Radweg", "Radweg\nHauptstraße")
        session.execute(update(Reminder).values(subject=subject))
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)  # the Vorlagenschluss reminder
    with smtp_server() as (recorder, port):
        notifier = SmtpNotifier(SmtpSettings(host="127.0.0.1", port=port))
        report = Worker(town, notifier).sweep()
        notifier.close()
    assert report.sent >= 1 and report.failed == 0
    subjects = [m.subject for m in recorder.messages]
    assert f"Vorlagenschluss naht: {number} Radweg Hauptstraße (Frist Di 11.03.2025)" in subjects


def test_the_mail_names_the_paper_the_step_the_deadline_and_what_to_do(
    town: WorkflowService, clock: FixedClock
) -> None:
    number = create_paper(town)
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)  # the Vorlagenschluss is due
    with smtp_server() as (recorder, port):
        notifier = SmtpNotifier(SmtpSettings(host="127.0.0.1", port=port))
        assert Worker(town, notifier).sweep().sent == 1
        notifier.close()
    (mail,) = recorder.messages
    assert mail.rcpt_tos == ["erika@musterstadt.example", "max@musterstadt.example"]
    assert mail.body.splitlines() == [
        "Guten Tag,",
        "",
        "Vorlagenschluss naht.",
        "",
        f"Vorlage: {number} „Radweg Hauptstraße“",
        "Schritt: 1. Hauptausschuss (Vorberatung), Sitzung am Di 18.03.2025",
        "Frist: Di 11.03.2025, 24:00 Uhr",
        (
            "Berechnung: Vorlagenschluss: 2 Arbeitstage vor dem Versand der Einladung "
            "Do 13.03.2025; gezählt: Di 11.03.2025 bis Mi 12.03.2025 (2 Tage); "
            "spätestens Di 11.03.2025, 24:00 Uhr"
        ),
        "",
        (
            "Was zu tun ist: Bitte die Vorlage fertigstellen, mitzeichnen lassen und vor dem "
            f"Vorlagenschluss freigeben (ratsweg paper release {number})."
        ),
        "",
        "Diese Nachricht wurde von ratsweg für Stadt Musterstadt erzeugt.",
    ]


class SlowNotifier:
    """Takes ``seconds`` per message; all instances count into one shared Counter."""

    def __init__(self, seconds: float, counts: Counter[str], lock: threading.Lock) -> None:
        self.seconds, self.counts, self.lock = seconds, counts, lock

    def send(self, message: OutboxMessage) -> None:
        time.sleep(self.seconds)
        with self.lock:
            self.counts[message.key] += 1

    def close(self) -> None:
        return None


def test_a_slow_delivery_stops_halfway_through_the_lease_so_no_message_is_sent_twice(
    service: WorkflowService,
) -> None:
    now = WorkflowService(service.db, SystemClock())  # leases run out in real time
    insert_due_reminders(now, 8, _papers(now, 2))
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    # 0.3 s per message and a 1 s lease: a whole batch of 8 would take 2.4 s
    options = WorkerOptions(batch=8, lease=1.0)
    workers = [
        Worker(now, SlowNotifier(0.3, counts, lock), options, name=f"worker:t:{i}") for i in (1, 2)
    ]
    reports = []
    give_up = time.monotonic() + 30

    def sweep(worker: Worker) -> None:  # like `ratsweg worker` with a short interval
        while sum(r.sent for r in reports) < 8 and time.monotonic() < give_up:
            report = worker.run_batch()
            reports.append(report)
            if not report.claimed + report.sent + report.retried:
                time.sleep(0.05)

    threads = [threading.Thread(target=sweep, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
        time.sleep(0.7)  # the second worker starts while the first holds its lease
    for thread in threads:
        thread.join(timeout=60)
    assert len(counts) == 8
    assert set(counts.values()) == {1}, counts
    assert sum(r.sent for r in reports) == 8
    assert len(now.reminders.list_reminders([ReminderState.SENT])) == 8


class Stalling(RecordingNotifier):
    """Records into a shared Counter; ``stall()`` runs after the ``after``-th delivery."""

    def __init__(self, counts: Counter[str], after: int = 0, stall: object = None) -> None:
        super().__init__()
        self.counts, self.after, self.stall = counts, after, stall

    def send(self, message: OutboxMessage) -> None:
        super().send(message)
        self.counts[message.key] += 1
        if len(self.sent) == self.after:
            self.stall()  # type: ignore[operator]


LEASE = 60.0


def _stall_past_the_lease(
    service: WorkflowService, clock: FixedClock, b: Worker, left: int = 6
) -> None:
    """Worker A stalls for longer than its lease, and its own monotonic clock does not see it
    (a frozen VM, or the hosts' clocks apart): the database clock moves on, B takes A's
    messages over and delivers them (``left``: those A has not recorded as sent)."""
    clock.instant += dt.timedelta(seconds=LEASE + 1)
    assert b.run_batch().sent == left


def test_a_worker_that_stalled_past_its_lease_sends_nothing_another_worker_took_over(
    service: WorkflowService, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.instant = dt.datetime.now(UTC)
    insert_due_reminders(service, 6, _papers(service, 2))
    counts: Counter[str] = Counter()
    options = WorkerOptions(batch=10, lease=LEASE)
    b = Worker(service, Stalling(counts), options, name="worker:b:2")
    stalled = WorkflowService(service.db, clock)  # A's own service, to stall it after its lease
    lease = stalled.reminders.claim_and_lease

    def lease_then_stall(**kwargs: object) -> object:
        leased = lease(**kwargs)  # type: ignore[arg-type]
        _stall_past_the_lease(service, clock, b)
        return leased

    monkeypatch.setattr(stalled.reminders, "claim_and_lease", lease_then_stall)
    a = Worker(stalled, Stalling(counts), options, name="worker:a:1")
    report = a.run_batch()
    assert (report.claimed, report.sent) == (6, 0)
    assert a.notifier.sent == []  # type: ignore[attr-defined]
    assert len(counts) == 6 and set(counts.values()) == {1}, counts
    assert len(service.reminders.list_reminders([ReminderState.SENT])) == 6
    with service.db.read() as session:
        outbox = session.execute(select(Outbox.state, Outbox.claimed_by)).all()
        sent = session.scalars(select(AuditEvent).where(AuditEvent.action == "reminder_sent"))
        assert {e.actor for e in sent} == {"worker:b:2"}
    assert set(outbox) == {("sent", "worker:b:2")}
    assert service.audit.verify_audit().ok


def test_after_a_stall_in_the_middle_of_a_batch_only_the_group_begun_goes_out_twice(
    service: WorkflowService, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fences its batch of six in groups of two, each fence recording the group before: it
    stalls past its lease after its third send (the first of its second group). B sends the
    four A had not recorded; only the one A had sent of them goes out twice, not all three."""
    clock.instant = dt.datetime.now(UTC)
    insert_due_reminders(service, 6, _papers(service, 2))
    counts: Counter[str] = Counter()
    options = WorkerOptions(batch=10, lease=LEASE, fence_group=2)
    b = Worker(service, Stalling(counts), options, name="worker:b:2")
    paused = [0.0]
    monotonic = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: monotonic() + paused[0])

    def sigstop() -> None:  # a paused process: its monotonic clock runs on as well
        paused[0] += LEASE + 1
        _stall_past_the_lease(service, clock, b, left=4)

    stall = Stalling(counts, after=3, stall=sigstop)
    report = Worker(service, stall, options, name="worker:a:1").run_batch()
    assert (report.claimed, report.sent) == (6, 2)  # a recorded its first group, b the rest
    begun = [m.key for m in stall.sent]
    assert len(begun) == 3  # a sent three, stalled in the third, and sent nothing after it
    # the two of the first group were recorded when a fenced the second: only the third twice
    assert [k for k, n in counts.items() if n > 1] == begun[2:]
    assert len(counts) == 6 and sum(counts.values()) == 7, counts
    assert len(service.reminders.list_reminders([ReminderState.SENT])) == 6
    with service.db.read() as session:
        actors = Counter(
            session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "reminder_sent"))
        )
    assert actors == {"worker:a:1": 2, "worker:b:2": 4}
    assert service.audit.verify_audit().ok


class Watching(RecordingNotifier):
    """Notes, at each send, the outbox states in the database; the second message fails."""

    def __init__(self, service: WorkflowService) -> None:
        super().__init__()
        self.service = service
        self.seen: list[Counter[str]] = []

    def send(self, message: OutboxMessage) -> None:
        with self.service.db.read() as session:
            self.seen.append(Counter(session.scalars(select(Outbox.state))))
        if len(self.seen) == 2:
            raise DeliveryError("421 try later")
        super().send(message)


def test_a_worker_records_its_sends_a_group_at_a_time_with_the_next_fence(
    service: WorkflowService, clock: FixedClock
) -> None:
    """Groups of two: when a message is sent, the groups before it are recorded (sent, or
    queued again after a failure), so a worker that dies leaves at most its group unrecorded."""
    clock.instant = dt.datetime.now(UTC)
    insert_due_reminders(service, 6, _papers(service, 2))
    notifier = Watching(service)
    options = WorkerOptions(batch=10, lease=LEASE, fence_group=2)
    report = Worker(service, notifier, options, name="worker:a:1").run_batch()
    assert (report.claimed, report.sent, report.retried) == (6, 5, 1)
    sending, sent, queued = (
        [seen[state] for seen in notifier.seen] for state in ("sending", "sent", "queued")
    )
    assert sent == [0, 0, 1, 1, 3, 3]  # the failed second message is queued with the first
    assert queued == [0, 0, 1, 1, 1, 1]
    assert sending == [6, 6, 4, 4, 2, 2]
    with service.db.read() as session:
        states = Counter(session.scalars(select(Outbox.state)))
        events = session.scalar(select(func.count()).where(AuditEvent.action == "reminder_sent"))
    assert states == {"sent": 5, "queued": 1} and events == 5
    assert service.audit.verify_audit().ok


class MailServerDown(RecordingNotifier):
    def send(self, message: OutboxMessage) -> None:
        raise DeliveryError(
            "SMTP setup mail.example:25: cannot connect (Connection refused)", setup=True
        )


def test_a_mail_server_that_is_down_for_a_day_does_not_park_the_reminders(
    town: WorkflowService, clock: FixedClock
) -> None:
    create_paper(town)
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)  # the Vorlagenschluss is due
    options = WorkerOptions(max_attempts=2, backoff=60)
    for _ in range(24 * 4):  # every 15 minutes for a day
        Worker(town, MailServerDown(), options).sweep()
        clock.instant += dt.timedelta(minutes=15)
    assert town.reminders.list_reminders([ReminderState.FAILED]) == []
    (waiting,) = town.reminders.list_reminders([ReminderState.CLAIMED])
    assert waiting.attempts == 0
    assert waiting.last_error == "SMTP setup mail.example:25: cannot connect (Connection refused)"
    listed = CliRunner().invoke(cli, ["reminders", "due"], obj=town)
    assert "cannot connect" in listed.stdout
    notifier = RecordingNotifier()
    assert Worker(town, notifier, options).sweep().sent >= 1
    assert waiting.key in {m.key for m in notifier.sent}


def test_the_worker_refuses_a_lease_too_short_for_the_smtp_timeout(
    town: WorkflowService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSWEG_SMTP_TIMEOUT", "30")
    result = CliRunner().invoke(cli, ["worker", "--once", "--lease", "45"], obj=town)
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "--lease 45 ist zu kurz für das SMTP-Zeitlimit von 30 s; verwenden Sie --lease 60 oder mehr"
    )
    monkeypatch.setenv("RATSWEG_SMTP_TIMEOUT", "20")  # 45 s leave 22.5 s for a send: enough
    result = CliRunner().invoke(cli, ["worker", "--once", "--lease", "45"], obj=town)
    assert result.exit_code == 0, result.output  # nothing is due: no mail server is asked
