"""Benchmark: the reminder sweep (claim into the outbox + lease + a null notifier + mark sent
with its audit event) on PostgreSQL, with one and with two worker processes, against the
raw-driver limit of the same database.

For each run the script inserts R due reminders (spread over P papers) into a fresh schema,
starts W worker processes (spawn) that each sweep with ``Worker.sweep()`` and a ``NullNotifier``
until nothing is due, and times the wall clock from the moment all workers are ready. Then it
checks that every reminder is sent exactly once (outbox rows = reminder_sent events = R).

The raw limit: the same claim statement and outbox insert with plain psycopg, in batches of
the same size, one connection, no delivery, no audit.

    PYTHONPATH=. python bench/reminders.py                 # 100k reminders, 1 and 2 workers, 3 runs
    PYTHONPATH=. python bench/reminders.py --reminders 20000 --repeat 1
    PYTHONPATH=. python bench/reminders.py --sqlite --reminders 20000   # a SQLite file instead

With ``--sqlite`` each run uses a fresh SQLite file and there is no raw-driver figure.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, insert, select, text

from storage.migrate import upgrade_database
from storage.schema import AuditEvent, Outbox, Paper, Reminder
from storage.session import Database
from workflow.core.clock import SystemClock
from workflow.definitions import resolve_definitions_dir
from workflow.reminders.notify import NullNotifier
from workflow.service import WorkflowService
from workflow.worker import Worker, WorkerOptions

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_ONE = 2000.0  # reminders/s, one worker
TARGET_SCALE = 1.6  # two workers / one worker


def _sweep(url: str, batch: int, group: int, barrier: Any) -> int:
    service = WorkflowService(Database(url), SystemClock())
    worker = Worker(service, NullNotifier(), WorkerOptions(batch=batch, fence_group=group))
    barrier.wait()
    report = worker.sweep()
    service.db.dispose()
    return report.sent


def setup(url: str, papers: int) -> tuple[WorkflowService, list[int]]:
    service = WorkflowService(Database(url), SystemClock())
    upgrade_database(service.db.engine)
    service.bodies.load_definitions(resolve_definitions_dir("landau"), user=None)
    for _ in range(papers):
        service.papers.create_paper(
            user="sozialamt.weber",
            paper_type="sitzungsvorlage",
            title="Bench",
            office="sozialamt",
            date=dt.date(2025, 3, 1),
        )
    with service.db.read() as session:
        return service, list(session.scalars(select(Paper.id)))


def insert_due(service: WorkflowService, count: int, papers: list[int], tag: str) -> None:
    now = dt.datetime.now(dt.UTC)
    for start in range(0, count, 10000):
        rows = [
            {
                "key": f"ladung:{tag}:{i}@20250310T230000Z",
                "slot": f"ladung:{tag}:{i}",
                "body_id": "landau",
                "paper_id": papers[i % len(papers)],
                "kind": "ladung",
                "state": "pending",
                "due_at": now - dt.timedelta(seconds=count - i),
                "deadline_at": now,
                "recipients": ["sitzungsdienst@landau.example"],
                "subject": f"Ladung fällig {i}",
                "text": "Bitte die Einladung versenden.",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(start, min(count, start + 10000))
        ]
        with service.db.write() as session:
            session.execute(insert(Reminder), rows)


def analyze(service: WorkflowService) -> None:
    """Statistics for the freshly filled tables, as autovacuum keeps them for a table that has
    grown to this size. Without them the planner takes the 100k reminders just inserted for a
    handful and reads and sorts every due one for each batch instead of using the index."""
    with service.db.write() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("ANALYZE"))
        else:
            session.execute(text("ANALYZE reminder, outbox, audit_event"))


def cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of the whole machine from /proc/stat; None where there is none."""
    try:
        with Path("/proc/stat").open(encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of all cores that was busy between two ``cpu_times`` readings."""
    if before is None or after is None or after[1] == before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def timed_sweep(url: str, workers: int, batch: int, group: int) -> tuple[float, int, float | None]:
    """Elapsed seconds, reminders sent, and the machine's busy share while the workers ran
    (the workers, PostgreSQL and everything else on the machine)."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(workers + 1)
        with ctx.Pool(workers) as pool:
            results = [
                pool.apply_async(_sweep, (url, batch, group, barrier)) for _ in range(workers)
            ]
            barrier.wait()
            start, cpu = time.perf_counter(), cpu_times()
            sent = sum(r.get(timeout=1800) for r in results)
            elapsed = time.perf_counter() - start
            return elapsed, sent, busy_share(cpu, cpu_times())


def raw_limit(url: str, count: int, batch: int) -> float:
    """Claim + outbox insert with plain psycopg, on a copy of the reminder table."""
    plain = url.replace("+psycopg", "")
    with psycopg.connect(plain) as conn:
        conn.execute("CREATE TABLE raw_reminder (LIKE reminder INCLUDING ALL)")
        conn.execute("CREATE TABLE raw_outbox (LIKE outbox INCLUDING ALL)")
        conn.execute("INSERT INTO raw_reminder SELECT * FROM reminder LIMIT %s", (count,))
        conn.execute("UPDATE raw_reminder SET state = 'pending'")
        conn.commit()
        done, start = 0, time.perf_counter()
        while True:
            rows = conn.execute(
                "UPDATE raw_reminder SET state = 'claimed' WHERE id IN (SELECT id FROM "
                "raw_reminder WHERE state = 'pending' AND due_at <= now() ORDER BY due_at, id "
                "LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id, key, recipients, subject, text",
                (batch,),
            ).fetchall()
            if not rows:
                break
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO raw_outbox (reminder_id, key, channel, recipients, subject, "
                    "body, state, attempts, next_attempt_at, created_at) VALUES "
                    "(%s, %s, 'email', %s, %s, %s, 'queued', 0, now(), now())",
                    [(r[0], r[1], psycopg.types.json.Json(r[2]), r[3], r[4]) for r in rows],
                )
            conn.commit()
            done += len(rows)
        return done / (time.perf_counter() - start)


def count_sent(service: WorkflowService) -> tuple[int, int]:
    with service.db.read() as session:
        outbox = session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.state == "sent")
        )
        events = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "reminder_sent")
        )
        return int(outbox or 0), int(events or 0)


@contextlib.contextmanager
def fresh_schema(postgres_url: str) -> Iterator[str]:
    """A new PostgreSQL schema for one run (dropped afterwards), or a new SQLite file when
    ``postgres_url`` is ``"sqlite"``; yields its URL."""
    if postgres_url == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    schema = f"ratsweg_bench_{uuid.uuid4().hex[:10]}"
    admin = postgres_url.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--papers", type=int, default=500)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument(
        "--fence-group",
        type=int,
        default=WorkerOptions().fence_group,
        help="messages per fence (each fence records the group before); --batch: one per batch",
    )
    parser.add_argument("--postgres-url", default=DEFAULT_PG_URL)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file per run instead")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each configuration (1 and 2 workers alternating); medians are reported",
    )
    args = parser.parse_args(argv)
    runs: dict[int, list[float]] = {1: [], 2: []}
    busy: dict[int, list[float]] = {1: [], 2: []}
    raws: list[float] = []
    ok = True
    # each run starts from the same state: a fresh schema with R due reminders; 1 and 2
    # workers alternate, so that a change in the machine's load touches both alike
    for run in range(args.repeat):
        for workers in (1, 2):
            with fresh_schema("sqlite" if args.sqlite else args.postgres_url) as url:
                service, papers = setup(url, args.papers)
                insert_due(service, args.reminders, papers, f"w{workers}")
                analyze(service)
                elapsed, sent, share = timed_sweep(url, workers, args.batch, args.fence_group)
                outbox, events = count_sent(service)
                ok &= sent == outbox == events == args.reminders
                runs[workers].append(sent / elapsed)
                load = "" if share is None else f", machine {share:.0%} busy"
                if share is not None:
                    busy[workers].append(share)
                print(
                    f"run {run + 1}, {workers} worker(s): {sent} reminders in {elapsed:.1f} s = "
                    f"{sent / elapsed:,.0f}/s{load}"
                )
                if workers == 1 and not args.sqlite:
                    raws.append(raw_limit(url, args.reminders, args.batch))
                service.db.dispose()
        print(f"run {run + 1}: 2 workers / 1 worker = {runs[2][-1] / runs[1][-1]:.2f}x")
    one, two = (statistics.median(v) for v in (runs[1], runs[2]))
    scale = two / one
    print(f"median of {args.repeat}: 1 worker {one:,.0f}/s, 2 workers {two:,.0f}/s")
    if raws:
        raw = statistics.median(raws)
        print(f"raw driver (claim + outbox insert only, 1 connection): {raw:,.0f}/s (median)")
        print(f"ratio 1 worker / raw: {one / raw:.2f}")
    print(f"target 1 worker >= {TARGET_ONE:,.0f}/s: {'met' if one >= TARGET_ONE else 'NOT met'}")
    print(
        f"target 2 workers >= {TARGET_SCALE}x: {scale:.2f}x (medians) "
        f"{'met' if scale >= TARGET_SCALE else 'NOT met'}; per run: "
        + ", ".join(f"{b / a:.2f}x" for a, b in zip(runs[1], runs[2], strict=True))
    )
    if busy[1]:
        share = statistics.median(busy[1])
        # two workers cannot go faster than the CPU that one worker leaves idle allows
        print(
            f"CPU bound on {os.cpu_count()} cores: 1 worker kept the machine {share:.0%} busy, "
            f"so 2 workers can reach at most {min(2.0, 1 / share):.2f}x"
        )
    print(f"exactly once (outbox = reminder_sent events = reminders): {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
