"""Reminders are planned, moved and cancelled with the change that causes them, claimed into the
outbox, delivered, retried and parked; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from storage.session import Database
from tests.reminder_fixtures import RecordingNotifier, create_paper, reminder_definitions
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.errors import InvalidInput, PermissionDenied
from workflow.core.model import AuditQuery, ReminderKind, ReminderState
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


def pending(service: WorkflowService) -> dict[str, dt.datetime]:
    return {
        r.key.split("@")[0]: r.due_at
        for r in service.reminders.list_reminders([ReminderState.PENDING])
    }


def actions(service: WorkflowService, number: str) -> list[str]:
    return [e.action for e in service.audit.audit_trail(number) if e.action.startswith("reminder_")]


def meeting_reminder_actions(service: WorkflowService, meeting: int) -> list[str]:
    events = service.audit.search_audit(AuditQuery(meeting=meeting))
    return [
        e.action
        for e in events
        if e.stream == f"meeting:{meeting}" and e.action.startswith("reminder_")
    ]


def test_creating_a_paper_plans_its_reminders_in_the_same_transaction(
    town: WorkflowService,
) -> None:
    number = create_paper(town)
    due = pending(town)
    # Ausschuss 18.03.: Ladung (4 volle Tage) Do 13.03., Vorlagenschluss 2 Arbeitstage davor;
    # every reminder one day before its deadline (24:00 Berlin = 23:00 UTC)
    assert due["vorlagenschluss:1:s1"] == dt.datetime(2025, 3, 10, 23, tzinfo=UTC)
    assert due["ladung:1:s1"] == dt.datetime(2025, 3, 12, 23, tzinfo=UTC)
    assert due["ladung:1:s2"] == dt.datetime(2025, 3, 21, 23, tzinfo=UTC)
    assert due["eskalation:ladung:1:s1"] == dt.datetime(2025, 3, 14, 23, tzinfo=UTC)
    assert actions(town, number) == ["reminder_planned"] * 6
    view = next(
        r for r in town.reminders.list_reminders([ReminderState.PENDING]) if r.key.startswith("esk")
    )
    assert "buero@musterstadt.example" in view.recipients
    assert "max@musterstadt.example" in view.recipients  # office_head of amt1


def test_a_moved_meeting_moves_and_a_withdrawal_cancels_the_reminders(
    town: WorkflowService,
) -> None:
    number = create_paper(town, participants=("amt2",))
    town.papers.submit_paper(number, user="clerk")
    assert "mitzeichnung:1:oamt2" in pending(town)
    town.paths.schedule_consultation(number, user="session", position=1, date=dt.date(2025, 3, 20))
    assert pending(town)["ladung:1:s1"] == dt.datetime(2025, 3, 14, 23, tzinfo=UTC)
    moved = [e for e in town.audit.audit_trail(number) if e.action == "reminder_moved"]
    assert {e.actor for e in moved} == {"session"} and len(moved) == 4
    town.co_signing.co_sign(number, user="clerk2", office="amt2")
    assert "mitzeichnung:1:oamt2" not in pending(town)
    town.papers.withdraw_paper(number, user="clerk", reason="erledigt")
    assert pending(town) == {}
    cancelled = town.reminders.list_reminders([ReminderState.CANCELLED])
    assert len(cancelled) == actions(town, number).count("reminder_cancelled") == 8
    assert town.audit.verify_audit().ok


def test_the_sweep_sends_each_due_reminder_once_and_audits_it(
    town: WorkflowService, clock: FixedClock
) -> None:
    number = create_paper(town)
    notifier = RecordingNotifier()
    worker = Worker(town, notifier, WorkerOptions(batch=2), name="worker:test:1")
    assert worker.sweep().claimed == 0  # nothing due yet
    clock.instant = dt.datetime(2025, 3, 13, 8, tzinfo=UTC)  # a worker that was down for days
    report = worker.sweep()
    assert (report.claimed, report.sent) == (3, 3)
    assert sorted(m.key.split("@")[0] for m in notifier.sent) == [
        "eskalation:vorlagenschluss:1:s1",  # Vorlagenschluss 11.03. + 24 h
        "ladung:1:s1",
        "vorlagenschluss:1:s1",
    ]
    message = next(m for m in notifier.sent if m.key.startswith("vorlagenschluss"))
    assert message.subject.startswith(f"Vorlagenschluss naht: {number} Radweg Hauptstraße")
    assert "Frist: Di 11.03.2025, 24:00 Uhr" in message.body
    assert f"ratsweg paper release {number}" in message.body
    assert worker.sweep() == type(report)()  # nothing sent twice
    sent = [e for e in town.audit.audit_trail(number) if e.action == "reminder_sent"]
    assert [e.actor for e in sent] == ["worker:test:1"] * 3
    assert {r.key for r in town.reminders.list_reminders([ReminderState.SENT])} == {
        m.key for m in notifier.sent
    }
    assert town.audit.verify_audit().ok


def test_a_failing_delivery_is_retried_with_backoff_then_parked_and_can_be_retried(
    town: WorkflowService, clock: FixedClock
) -> None:
    create_paper(town)
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)  # only the Vorlagenschluss is due
    notifier = RecordingNotifier(fail=3)
    worker = Worker(town, notifier, WorkerOptions(max_attempts=2, backoff=60))
    assert worker.sweep().retried == 1
    assert worker.sweep().claimed == 0  # backoff: not before 60 s
    clock.instant += dt.timedelta(seconds=61)
    assert worker.sweep().failed == 1
    (failed,) = town.reminders.list_reminders([ReminderState.FAILED])
    assert (failed.attempts, failed.last_error) == (2, "421 try later")
    with pytest.raises(PermissionDenied):
        town.reminders.retry_reminder(failed.id, user="clerk")
    town.reminders.retry_reminder(failed.id, user="session")
    with pytest.raises(InvalidInput, match="nicht fehlgeschlagen"):
        town.reminders.retry_reminder(failed.id, user="session")
    assert worker.sweep().retried == 1  # the third failure; attempts started over
    clock.instant += dt.timedelta(seconds=61)
    assert worker.sweep().sent == 1
    assert [m.key for m in notifier.sent] == [failed.key]


def test_a_permanent_failure_is_parked_at_once(town: WorkflowService, clock: FixedClock) -> None:
    number = create_paper(town)
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)
    report = Worker(town, RecordingNotifier(fail=1, permanent=True)).sweep()
    assert (report.failed, report.retried) == (1, 0)
    assert "reminder_failed" in actions(town, number)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_wrong_smtp_password_queues_the_reminders_again_instead_of_parking_them(
    town: WorkflowService, clock: FixedClock
) -> None:
    from tests.smtp_server import Login, smtp_server
    from workflow.reminders.notify import SmtpNotifier, SmtpSettings

    create_paper(town)
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)
    with smtp_server(login=Login("ratsweg", "richtig")) as (recorder, port):
        settings = SmtpSettings(host="127.0.0.1", port=port, user="ratsweg", password="falsch")
        report = Worker(town, SmtpNotifier(settings), WorkerOptions(backoff=60)).sweep()
        assert (report.sent, report.retried, report.failed) == (0, report.claimed, 0)
        assert town.reminders.list_reminders([ReminderState.FAILED]) == []
        clock.instant += dt.timedelta(seconds=61)
        settings = SmtpSettings(host="127.0.0.1", port=port, user="ratsweg", password="richtig")
        notifier = SmtpNotifier(settings)
        report = Worker(town, notifier).sweep()
        notifier.close()
    assert report.sent >= 1 and report.failed == 0 and recorder.count() == report.sent


def test_reminders_and_deadlines_list_as_ndjson(town: WorkflowService) -> None:
    create_paper(town)

    def lines(*args: str) -> list[object]:
        result = CliRunner().invoke(cli, [*args, "--format", "ndjson"], obj=town)
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines()]

    def listed(*args: str) -> list[object]:
        return list(json.loads(CliRunner().invoke(cli, [*args, "--json"], obj=town).stdout))

    due = lines("reminders", "due")
    assert len(due) >= 2 and due == listed("reminders", "due")
    assert lines("reminders", "failed") == [] == lines("reminders", "sent")
    deadlines = lines("deadlines")
    assert deadlines and deadlines == listed("deadlines")


def test_reminders_commands_list_due_sent_failed_and_retry(
    town: WorkflowService, clock: FixedClock
) -> None:
    create_paper(town)

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, list(args), obj=town)
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = run("reminders", "due", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["kind"] for r in rows][:2] == ["vorlagenschluss", "ladung"]
    assert rows[0]["due_at"] == "2025-03-10T23:00:00Z" and rows[0]["paper"] == "V/2025/1"
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)
    Worker(town, RecordingNotifier(fail=1, permanent=True)).sweep()
    code, out, _ = run("reminders", "failed", "--format", "csv")
    assert code == 0 and out.splitlines()[0] == (
        "id,kind,paper,due_at,state,recipients,attempts,key,subject,sent_at,last_error"
    )
    assert out.splitlines()[1].endswith(",421 try later")
    code, _, err = run("reminders", "retry", "1", "--as", "auditor")
    assert (
        code == 1
        and err.count("\n") == 1
        and "keine Berechtigung für „Erinnerungen erneut versuchen“" in err
    )
    code, _, err = run("reminders", "retry", "99", "--as", "session")
    assert code == 1 and err.count("\n") == 1
    assert err.endswith(": keine Erinnerung 99 in Stadt Musterstadt\n")
    code, _, err = run("reminders", "retry", "1", "--as", "session")
    assert code == 0 and "Erinnerung 1 erneut eingereiht" in err
    code, _, err = run("reminders", "retry", "x", "--as", "session")
    assert code == 2
    Worker(town, RecordingNotifier()).sweep()
    code, out, _ = run("reminders", "sent")
    assert code == 0 and "Vorlagenschluss" in out and "gesendet" in out


def test_a_reminder_waiting_for_another_attempt_is_listed_as_due_with_its_error(
    town: WorkflowService, clock: FixedClock
) -> None:
    create_paper(town)
    clock.instant = dt.datetime(2025, 3, 11, 8, tzinfo=UTC)  # only the Vorlagenschluss is due
    assert Worker(town, RecordingNotifier(fail=1), WorkerOptions(backoff=60)).sweep().retried == 1
    result = CliRunner().invoke(cli, ["reminders", "due", "--json"], obj=town)
    assert result.exit_code == 0, result.output
    retrying = [r for r in json.loads(result.stdout) if r["state"] == "claimed"]
    assert [(r["kind"], r["attempts"], r["last_error"]) for r in retrying] == [
        ("vorlagenschluss", 1, "421 try later")
    ]
    table = CliRunner().invoke(cli, ["reminders", "due"], obj=town).stdout
    assert "421 try later" in table


def test_reminder_lists_say_when_they_are_cut_and_show_the_newest_sent_first(
    town: WorkflowService, clock: FixedClock
) -> None:
    create_paper(town)
    create_paper(town)

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, ["reminders", *args, "--json"], obj=town)

    every = json.loads(run("due", "--limit", "0").stdout)
    assert len(every) >= 4
    cut = run("due", "--limit", "2")
    assert json.loads(cut.stdout) == every[:2]
    assert cut.stderr == (
        "showing the first 2 due reminders; there are more: "
        "pass --limit N for more, or --limit 0 for all\n"
    )
    assert run("due", "--limit", str(len(every))).stderr == ""
    for day in (11, 13):  # the Vorlagenschluss reminders first, the Ladung ones two days later
        clock.instant = dt.datetime(2025, 3, day, 8, tzinfo=UTC)
        assert Worker(town, RecordingNotifier()).sweep().sent >= 2
    sent = json.loads(run("sent", "--limit", "0").stdout)
    assert sent[0]["kind"] != "vorlagenschluss" and sent[-1]["kind"] == "vorlagenschluss"
    assert [r["sent_at"] for r in sent] == sorted((r["sent_at"] for r in sent), reverse=True)


def test_the_worker_refuses_a_database_without_the_current_schema(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from storage.migrate import upgrade_database

    def worker(url: str) -> Result:
        return CliRunner().invoke(cli, ["--database", url, "worker", "--once", "--notifier", "log"])

    empty = worker(f"sqlite:///{tmp_path / 'empty.db'}")
    assert (empty.exit_code, empty.stderr) == (
        1,
        "Fehler: die Datenbank hat keine ratsweg-Tabellen; führen Sie zuerst 'ratsweg init' aus\n",
    )
    old_url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(old_url)
    upgrade_database(engine, "0008")
    engine.dispose()
    old = worker(old_url)
    assert old.exit_code == 1
    assert old.stderr.startswith("Fehler: das Datenbankschema ist auf Revision 0008, ")
    assert old.stderr.endswith("führen Sie zuerst 'ratsweg db upgrade' aus\n")


def test_definitions_without_reminders_plan_none(service: WorkflowService) -> None:
    create_paper(service)
    assert service.reminders.list_reminders(list(ReminderState)) == []
    assert ReminderKind.RESULT.value == "ergebnis"


def test_meeting_changes_keep_the_reminders_in_step(town: WorkflowService) -> None:
    from workflow.core.clock import BERLIN

    number = create_paper(town)
    town.papers.submit_paper(number, user="clerk")
    town.papers.release_paper(number, user="head")
    meeting = town.meetings.create_meeting(
        user="session",
        organization="ausschuss",
        start=dt.datetime(2025, 3, 20, 17, tzinfo=BERLIN),
    ).id
    town.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=meeting)
    # in the meeting, the step's Ladung is the meeting's: one reminder for the whole agenda
    due = pending(town)
    assert "ladung:1:s1" not in due and "eskalation:ladung:1:s1" not in due
    assert due[f"ladung:m{meeting}"] == dt.datetime(2025, 3, 14, 23, tzinfo=UTC)
    assert due[f"eskalation:ladung:m{meeting}"] == dt.datetime(2025, 3, 16, 23, tzinfo=UTC)
    assert actions(town, number)[-2:] == ["reminder_cancelled"] * 2
    town.meetings.cancel_meeting(meeting, user="session", reason="Krankheit")
    due = pending(town)
    assert due["ladung:1:s1"] == dt.datetime(2025, 3, 12, 23, tzinfo=UTC)
    assert f"ladung:m{meeting}" not in due and f"eskalation:ladung:m{meeting}" not in due
    planned = [e for e in town.audit.audit_trail(number) if e.action == "reminder_planned"][-2:]
    assert {e.actor for e in planned} == {"session"}
    in_meeting = meeting_reminder_actions(town, meeting)
    assert in_meeting == ["reminder_planned"] * 2 + ["reminder_cancelled"] * 2
    assert town.audit.verify_audit().ok


def test_moving_a_meeting_moves_the_same_reminders(town: WorkflowService) -> None:
    from workflow.core.clock import BERLIN

    number = create_paper(town)
    town.papers.submit_paper(number, user="clerk")
    town.papers.release_paper(number, user="head")
    meeting = town.meetings.create_meeting(
        user="session",
        organization="ausschuss",
        start=dt.datetime(2025, 3, 20, 17, tzinfo=BERLIN),
    ).id
    town.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=meeting)
    slots = lambda: {
        r.key.split("@")[0]: (r.id, r.due_at)
        for r in town.reminders.list_reminders([ReminderState.PENDING])
    }
    before = slots()
    assert before[f"ladung:m{meeting}"][1] == dt.datetime(2025, 3, 14, 23, tzinfo=UTC)
    already = len(actions(town, number))
    moved = town.meetings.move_meeting(
        meeting, user="session", day=dt.date(2025, 3, 25), reason="Saal"
    )
    assert moved.steps == ((number, 1),) and moved.warnings == ()
    after = slots()
    # the same rows, re-planned: Ladung for Tue 25.03. by Thu 20.03., reminded the day before
    assert {slot: rid for slot, (rid, _) in after.items()} == {
        slot: rid for slot, (rid, _) in before.items()
    }
    assert after[f"ladung:m{meeting}"][1] == dt.datetime(2025, 3, 19, 23, tzinfo=UTC)
    assert meeting_reminder_actions(town, meeting)[-2:] == ["reminder_moved"] * 2
    assert after["ergebnis:1:s1"][1] > before["ergebnis:1:s1"][1]
    assert after["ladung:1:s2"] == before["ladung:1:s2"]  # the Rat step did not move
    new = [e for e in town.audit.audit_trail(number) if e.action.startswith("reminder_")][already:]
    assert new and {e.action for e in new} == {"reminder_moved"}
    assert {e.actor for e in new} == {"session"}
    assert town.audit.verify_audit().ok


def test_moving_an_invited_meeting_warns_to_check_the_ladungsfrist(town: WorkflowService) -> None:
    from workflow.core.clock import BERLIN

    meeting = town.meetings.create_meeting(
        user="session",
        organization="ausschuss",
        start=dt.datetime(2025, 3, 20, 17, tzinfo=BERLIN),
    ).id
    town.agendas.add_agenda_item(meeting, user="session", title="Mitteilungen")
    town.meetings.invite_meeting(meeting, user="session")  # Mon 03.03.2025
    later = town.meetings.move_meeting(meeting, user="session", day=dt.date(2025, 3, 25))
    head = (
        f"die Einladung zu Sitzung {meeting} (Hauptausschuss, 25.03.2025 17:00) ging am "
        "Mo 03.03.2025 hinaus: prüfen Sie die Ladungsfrist erneut; "
    )
    assert later.warnings == (
        head + "sie wahrt die Frist für den Di 25.03.2025 (Versand bis Do 20.03.2025)",
    )
    sooner = town.meetings.move_meeting(
        meeting, user="session", day=dt.date(2025, 3, 5), time=dt.time(9)
    )
    assert sooner.warnings == (
        head.replace("25.03.2025 17:00", "05.03.2025 09:00")
        + "für den Mi 05.03.2025 ist es zu spät: die Einladung hätte bis Fr 28.02.2025 "
        "hinausgehen müssen; laden Sie mit der verkürzten Ladungsfrist erneut ein oder verlegen "
        "Sie die Sitzung auf den Mo 10.03.2025 oder später",
    )
    assert sooner.meeting.start == dt.datetime(2025, 3, 5, 8, tzinfo=UTC)
    events = town.audit.search_audit(AuditQuery(meeting=meeting))
    moves = [e.payload for e in events if e.action == "meeting_moved"]
    # the audit trail keeps the warnings as stored (English); the person reads them in German
    stored_head = (
        f"the invitation to meeting {meeting} (Hauptausschuss, 25.03.2025 17:00) went out on "
        "Mo 03.03.2025: check the Ladungsfrist again; "
    )
    assert [m["warnings"] for m in moves] == [
        [stored_head + "it keeps the notice for Di 25.03.2025 (dispatch by Do 20.03.2025)"],
        [
            stored_head.replace("25.03.2025 17:00", "05.03.2025 09:00")
            + "it is too late for Mi 05.03.2025: the invitation had to go out by Fr 28.02.2025; "
            "invite again with the urgent notice or move the meeting to Mo 10.03.2025 or later"
        ],
    ]
    assert town.audit.verify_audit().ok


def test_the_lead_counts_local_calendar_days_across_daylight_saving_time(
    town: WorkflowService,
) -> None:
    town.papers.create_paper(
        user="clerk",
        paper_type="vorlage",
        title="Sommerzeit",
        office="amt1",
        date=dt.date(2025, 3, 1),
        route="standard",
        planned_dates=[dt.date(2025, 4, 4), dt.date(2025, 4, 10)],
    )
    due = pending(town)
    # Ladung for Fri 04.04. by Sun 30.03., 24:00 summer time (22:00 UTC); one local day
    # earlier is 00:00 on Sun 30.03., still winter time: 23:00 UTC on the 29th, not 22:00
    assert due["ladung:1:s1"] == dt.datetime(2025, 3, 29, 23, tzinfo=UTC)
    # the escalation is 24 elapsed hours after the deadline
    assert due["eskalation:ladung:1:s1"] == dt.datetime(2025, 3, 31, 22, tzinfo=UTC)


def test_one_ladung_reminder_per_meeting_cancelled_by_the_invitation(
    town: WorkflowService, database: Database
) -> None:
    from storage.schema import Reminder
    from workflow.core.clock import BERLIN

    first = create_paper(town)
    second = town.papers.create_paper(
        user="clerk2",
        paper_type="vorlage",
        title="Gehweg Schulstraße",
        office="amt2",
        date=dt.date(2025, 3, 1),
        route="standard",
        planned_dates=[dt.date(2025, 3, 20)],
    ).number
    for number, clerk, head in ((first, "clerk", "head"), (second, "clerk2", "head2")):
        town.papers.submit_paper(number, user=clerk)
        town.papers.release_paper(number, user=head)
    meeting = town.meetings.create_meeting(
        user="session", organization="ausschuss", start=dt.datetime(2025, 3, 20, 17, tzinfo=BERLIN)
    ).id
    town.agendas.build_agenda(meeting, user="session")
    ladung = [
        r for r in town.reminders.list_reminders([ReminderState.PENDING]) if "ladung:" in r.key
    ]
    slots = sorted(r.key.split("@")[0] for r in ladung)
    # two papers on the agenda, one invitation to send: one reminder, one escalation
    assert slots == [
        "eskalation:ladung:1:s2",  # the Rat step of the first paper has only a planned date
        f"eskalation:ladung:m{meeting}",
        "ladung:1:s2",
        f"ladung:m{meeting}",
    ]
    (own,) = [r for r in ladung if r.key.startswith(f"ladung:m{meeting}@")]
    assert own.paper is None and own.recipients == ("sitzungsdienst@musterstadt.example",)
    assert (
        own.subject
        == "Ladung fällig: Sitzung Hauptausschuss am Do 20.03.2025 (Frist Sa 15.03.2025)"
    )
    (escalation,) = [r for r in ladung if r.key.startswith("eskalation:ladung:m")]
    # office_head: the heads of the offices of the papers on the agenda
    assert {"max@musterstadt.example", "ina@musterstadt.example"} <= set(escalation.recipients)
    # a reminder planned per step before the meeting had its own (an older ratsweg)
    with database.write() as session:
        session.add(
            Reminder(
                key="ladung:1:s1@20250314T230000Z",
                slot="ladung:1:s1",
                body_id=own_body(town),
                paper_id=1,
                consultation_id=1,
                kind="ladung",
                state="pending",
                due_at=own.due_at,
                deadline_at=own.due_at,
                recipients=list(own.recipients),
                subject="Ladung fällig",
                text="Ladung fällig",
                created_at=own.due_at,
                updated_at=own.due_at,
            )
        )
    result = CliRunner().invoke(
        cli, ["meeting", "invite", str(meeting), "--as", "session"], obj=town
    )
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["reminders", "due", "--json"], obj=town)
    due = {r["key"].split("@")[0] for r in json.loads(result.stdout)}
    # invited: neither the meeting's Ladung nor its escalation, nor the per-step one, is due
    assert due == {
        "ladung:1:s2",
        "eskalation:ladung:1:s2",
        "ergebnis:1:s1",
        "eskalation:ergebnis:1:s1",
        "ergebnis:1:s2",
        "eskalation:ergebnis:1:s2",
        "ergebnis:2:s3",
        "eskalation:ergebnis:2:s3",
    }
    assert (
        meeting_reminder_actions(town, meeting)
        == ["reminder_planned"] * 2 + ["reminder_cancelled"] * 2
    )
    legacy_key = "ladung:1:s1@20250314T230000Z"
    (legacy,) = [e for e in town.audit.audit_trail(first) if e.payload.get("key") == legacy_key]
    assert (legacy.action, legacy.actor) == ("reminder_cancelled", "session")
    assert town.audit.verify_audit().ok


def own_body(service: WorkflowService) -> str:
    return service.papers.get_paper("V/2025/1").body_id


def test_escalations_go_to_an_office_and_to_a_role_from_the_definitions(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    from tests.reminder_fixtures import DEADLINES

    service = WorkflowService(database, clock)
    folder = reminder_definitions(tmp_path)
    (folder / "deadlines.yaml").write_text(
        DEADLINES.replace(
            "[office_head, session_office, buero@musterstadt.example]", "[amt2, clerk]"
        ),
        encoding="utf-8",
    )
    service.bodies.load_definitions(folder, user=None)
    create_paper(service)
    (escalation,) = [
        r
        for r in service.reminders.list_reminders([ReminderState.PENDING])
        if r.key.startswith("eskalation:ladung:1:s1@")
    ]
    # amt2: every user of the office (Olaf, Ina); clerk: every user with the role (Erika, Olaf)
    assert escalation.recipients == (
        "ina@musterstadt.example",
        "olaf@musterstadt.example",
        "erika@musterstadt.example",
    )
