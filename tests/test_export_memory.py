"""``ratsweg audit export`` streams: its memory does not grow with the number of events."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from storage.audit import append_events, paper_stream
from storage.schema import Paper
from storage.session import Database
from tests.test_audit import adopted_paper
from workflow.cli import cli
from workflow.service import WorkflowService


def _grow(database: Database, number: str, count: int) -> None:
    """Append ``count`` delivery-like events to the paper's chain (hashed like any other)."""
    with database.write() as session:
        paper = session.scalars(select(Paper).where(Paper.number == number)).one()
        append_events(
            session,
            stream=paper_stream(paper.id),
            occurred_at=dt.datetime(2025, 3, 20, 9, 0, tzinfo=dt.UTC),
            actor="worker",
            action="reminder_sent",
            events=[(paper.id, {"n": i, "text": "Erinnerung " * 20}) for i in range(count)],
        )


def _export_peak(service: WorkflowService, target: Path) -> int:
    """Peak Python memory (bytes) of one export to ``target``."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = CliRunner().invoke(
            cli,
            ["audit", "export", "--format", "ndjson", "--output", str(target)],
            obj=service,
            env={"RATSWEG_USER": "auditor"},
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    return peak


def test_export_memory_stays_flat_as_the_trail_grows(
    service: WorkflowService, database: Database, tmp_path: Path
) -> None:
    number = adopted_paper(service)
    _grow(database, number, 4_000)  # two fetch chunks of the stream
    small_file = tmp_path / "small.ndjson"
    _export_peak(service, small_file)  # warm up: imports, compiled statements, caches
    small = _export_peak(service, small_file)
    _grow(database, number, 20_000)
    large_file = tmp_path / "large.ndjson"
    large = _export_peak(service, large_file)
    # 6 times the events and the bytes written, but not more memory: the export holds one
    # fetch chunk at a time
    assert large_file.stat().st_size > 5 * small_file.stat().st_size
    assert large < 1.3 * small, (small, large)
    assert service.audit.verify_audit().ok
