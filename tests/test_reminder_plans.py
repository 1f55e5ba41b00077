"""The sweep's statements use the partial indexes of revision 0009 also as prepared statements.

psycopg prepares a statement after its fifth execution on a connection, and PostgreSQL may
then plan it once for any parameter values (a generic plan). A state bound as a parameter
hides from such a plan that only pending reminders, or queued and sending outbox rows, are
wanted, so it cannot use the partial indexes and reads every row ever sent, each batch.
These tests force generic plans and count the rows the sweep's reads touch.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from storage import reminders as reminder_store
from tests.conftest import BACKENDS
from tests.test_reminder_workers import _papers, insert_due_reminders
from workflow.core.clock import SystemClock
from workflow.reminders.notify import NullNotifier
from workflow.service import WorkflowService
from workflow.worker import Worker, WorkerOptions

POSTGRES = [p for p in BACKENDS if p.id == "postgresql"]
HISTORY = 600  # reminders already sent, with their outbox rows
LEASE = dt.timedelta(minutes=5)


def _generic_plans(session: Session) -> None:
    """Prepare every statement of this session's connection at once and plan it generically."""
    session.connection().connection.dbapi_connection.prepare_threshold = 0  # type: ignore[union-attr]
    session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))


def _rows_read(session: Session, table: str) -> int:
    """Rows of ``table`` that this transaction has read so far, by any scan."""
    row: Any = session.execute(
        text(
            "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) "
            "FROM pg_stat_xact_user_tables WHERE relname = :table AND schemaname = current_schema()"
        ),
        {"table": table},
    ).one()
    return int(row[0])


@pytest.fixture
def swept(service: WorkflowService) -> WorkflowService:
    service = WorkflowService(service.db, SystemClock())  # the reminders are due by today
    insert_due_reminders(service, HISTORY, _papers(service, 3))
    report = Worker(service, NullNotifier(), WorkerOptions(batch=100), name="w1").sweep()
    assert report.sent == HISTORY
    return service


@pytest.mark.parametrize("database_url", POSTGRES, indirect=True)
def test_a_prepared_lease_does_not_read_the_sent_history(swept: WorkflowService) -> None:
    with swept.db.write() as session:
        _generic_plans(session)
        before = _rows_read(session, "outbox")
        for _ in range(3):  # the first executions prepare; all of them must stay small
            leased = reminder_store.lease_outbox(
                session,
                now=dt.datetime.now(dt.UTC),
                limit=100,
                worker="w2",
                lease=LEASE,
                token="t2",
            )
            assert leased == []
        assert _rows_read(session, "outbox") - before < 10


@pytest.mark.parametrize("database_url", POSTGRES, indirect=True)
def test_a_prepared_claim_reads_only_what_is_due(swept: WorkflowService) -> None:
    insert_due_reminders(swept, 5, _papers(swept, 1)[-1:])  # a new paper: new keys
    with swept.db.write() as session:
        _generic_plans(session)
        before = {t: _rows_read(session, t) for t in ("reminder", "outbox")}
        claimed, messages = reminder_store.claim_and_lease(
            session, now=dt.datetime.now(dt.UTC), limit=100, worker="w2", lease=LEASE, token="t2"
        )
        assert claimed == len(messages) == 5
        read = {t: _rows_read(session, t) - before[t] for t in before}
    # the 5 due reminders (and their outbox rows' checks), not the 600 sent before
    assert read["reminder"] < 50, read
    assert read["outbox"] < 50, read
