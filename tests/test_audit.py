"""The audit trail: append-only in the database, hash chains that expose tampering."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from storage import repository
from storage.audit import append_event
from storage.session import Database
from workflow.service import WorkflowService


def adopted_paper(service: WorkflowService) -> str:
    number = service.papers.create_paper(
        user="clerk",
        paper_type="vorlage",
        title="Haushalt",
        office="amt1",
        date=dt.date(2025, 3, 1),
        route="standard",
        planned_dates=[dt.date(2025, 3, 4), dt.date(2025, 3, 7)],  # held before the clock's day
    ).number
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    service.results.record_result(number, user="session", position=2, outcome="beschlossen")
    return number


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event WHERE seq = 2"],
)
def test_database_refuses_update_and_delete(
    service: WorkflowService, database: Database, statement: str
) -> None:
    adopted_paper(service)
    with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as conn:
        conn.execute(text(statement))
    assert service.audit.verify_audit().ok


def test_chain_links_every_event_of_a_paper(service: WorkflowService) -> None:
    number = adopted_paper(service)
    trail = service.audit.audit_trail(number)
    assert [e.seq for e in trail] == list(range(1, len(trail) + 1))
    assert len({e.hash for e in trail}) == len(trail)
    report = service.audit.verify_audit()
    assert (report.ok, report.streams, report.events) == (True, 2, len(trail) + 1)


def _tamper(database: Database, statement: str) -> None:
    """What an attacker with database rights does: lift the triggers, change, restore."""
    with database.engine.begin() as conn:
        if database.dialect == "sqlite":
            conn.execute(text("DROP TRIGGER audit_event_no_update"))
            conn.execute(text("DROP TRIGGER audit_event_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        conn.execute(text(statement))


@pytest.mark.parametrize(
    ("statement", "seq", "reason"),
    [
        (
            (
                'UPDATE audit_event SET payload = \'{"outcome":"abgelehnt"}\' '
                "WHERE action = 'result_recorded' AND seq = 9"
            ),
            9,
            "der Inhalt passt nicht zu seinem Hash",
        ),
        (
            "DELETE FROM audit_event WHERE stream LIKE 'paper:%' AND seq = 5",
            5,
            "Ereignis 5 fehlt oder wurde gelöscht",
        ),
        (
            "UPDATE audit_event SET actor = 'head' WHERE stream LIKE 'paper:%' AND seq = 1",
            1,
            "der Inhalt passt nicht zu seinem Hash",
        ),
    ],
)
def test_verify_names_the_first_broken_event(
    service: WorkflowService, database: Database, statement: str, seq: int, reason: str
) -> None:
    number = adopted_paper(service)
    stream = f"paper:{service.papers.get_paper(number).id}"
    _tamper(database, statement)
    report = service.audit.verify_audit()
    assert not report.ok
    assert (report.broken_stream, report.broken_seq) == (stream, seq)
    assert reason in (report.reason or "")


def test_appended_events_are_seen_in_their_transaction_and_dropped_on_rollback(
    database: Database,
) -> None:
    """Events are queued and written in one INSERT: a query in the same transaction still
    sees them (as the ORM's autoflush showed them), and a rollback forgets them."""
    now = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
    with Session(database.engine) as session:
        for action in ("first", "second"):
            append_event(session, stream="test:1", occurred_at=now, actor="a", action=action)
        assert [e.seq for e in repository.paper_events(session, "test:1")] == [1, 2]
        session.rollback()
        assert repository.paper_events(session, "test:1") == []
        third = append_event(session, stream="test:1", occurred_at=now, actor="a", action="x")
        assert (third.seq, third.prev_hash) == (1, "0" * 64)
        session.commit()
    with Session(database.engine) as session:
        assert [e.action for e in repository.paper_events(session, "test:1")] == ["x"]
