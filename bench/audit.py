"""Benchmark: how fast ``audit verify`` recomputes the hash chains, and how long loading one
paper's trail takes, with a million audit events in the database.

For each backend (SQLite file, PostgreSQL schema) the script

1. builds a fresh database, runs the Alembic migrations and loads the shipped "landau"
   definitions;
2. bulk-generates papers and valid hash chains (N events, M per paper) straight into the tables
   (SQLite: executemany; PostgreSQL: COPY), untimed;
3. TIMED: ``WorkflowService.audit.verify_audit()`` over every chain: events/s;
4. TIMED: ``WorkflowService.audit.audit_trail(number)`` for K random papers: median and p95 ms;
5. prints the figures and whether the targets are met (verify >= 100,000 events/s, trail
   <= 10 ms); exit status 1 if verification did not find every chain intact.

Run from the repository root::

    PYTHONPATH=. python bench/audit.py                  # 1,000,000 events, both backends
    PYTHONPATH=. python bench/audit.py --events 100000 --backends sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench.advance import (
    DEFAULT_PG_URL,
    landau_definitions,
    postgres_database,
    postgres_reachable,
    sqlite_database,
)
from storage.audit import GENESIS, fast_hash
from storage.migrate import upgrade_database
from storage.session import Database
from workflow.core.clock import SystemClock
from workflow.service import WorkflowService

VERIFY_TARGET = 100_000.0  # events/s
TRAIL_TARGET_MS = 10.0
BODY = "landau"
START = dt.datetime(2024, 1, 2, 8, 0, tzinfo=dt.UTC)
COLUMNS = (
    "stream, seq, paper_id, occurred_at, actor, action, from_state, to_state, payload, "
    "prev_hash, hash"
)
ACTIONS = (
    ("paper_created", None, "draft"),
    ("paper_transitioned", "draft", "co_signing"),
    ("co_signed", "pending", "signed"),
    ("paper_transitioned", "co_signing", "released"),
    ("consultation_transitioned", "planned", "scheduled"),
    ("result_recorded", None, None),
)


def papers(count: int, version: str) -> Iterator[tuple[Any, ...]]:
    created = START.replace(tzinfo=None)
    for pid in range(1, count + 1):
        number = f"{2024}/{pid:06d}"
        yield (pid, BODY, version, number, "sitzungsvorlage", f"Vorlage {pid}", "sozialamt",
               dt.date(2024, 1, 2), "in_consultation", False, created, created, 1)  # fmt: skip


def events(papers_count: int, per_paper: int, pg: bool) -> Iterator[tuple[Any, ...]]:
    """Valid chains: the same hash the service writes (fast_hash is checked against it)."""
    for pid in range(1, papers_count + 1):
        stream, prev = f"paper:{pid}", GENESIS
        base = START + dt.timedelta(seconds=pid)
        for seq in range(1, per_paper + 1):
            action, before, after = ACTIONS[seq % len(ACTIONS)]
            instant = base + dt.timedelta(microseconds=seq * 997)
            text = instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            payload = f'{{"organization":"stadtrat","position":{seq % 7 + 1},"trigger":"x"}}'
            actor = "sitzungsdienst.becker"
            digest = fast_hash(stream, seq, pid, text, actor, action, before, after, payload, prev)
            stored = instant if pg else instant.strftime("%Y-%m-%d %H:%M:%S.%f")
            yield (stream, seq, pid, stored, actor, action, before, after, payload, prev, digest)
            prev = digest


def bulk_load(backend: str, connect: Callable[[], Any], version: str, args: Any) -> float:
    count = args.events // args.per_paper
    started = time.perf_counter()
    conn = connect()
    try:
        cur = conn.cursor()
        if backend == "sqlite":
            cur.execute("BEGIN IMMEDIATE")
            cur.executemany(
                "INSERT INTO paper (id, body_id, definitions_version, number, paper_type, title, "
                "office_id, date, state, frozen, created_at, modified_at, row_version) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                papers(count, version),
            )
            marks = ", ".join("?" * 11)
            cur.executemany(
                f"INSERT INTO audit_event ({COLUMNS}) VALUES ({marks})",
                events(count, args.per_paper, False),
            )
            cur.execute("COMMIT")
        else:
            paper_cols = (
                "id, body_id, definitions_version, number, paper_type, title, office_id, date, "
                "state, frozen, created_at, modified_at, row_version"
            )
            with cur.copy(f"COPY paper ({paper_cols}) FROM STDIN") as copy:
                for row in papers(count, version):
                    copy.write_row(row[:10] + (START, START, 1))
            with cur.copy(f"COPY audit_event ({COLUMNS}) FROM STDIN") as copy:
                for row in events(count, args.per_paper, True):
                    copy.write_row(row)
            cur.execute("SELECT setval('paper_id_seq', %s)", (count,))
            conn.commit()
            cur.execute("ANALYZE")
            conn.commit()
    finally:
        conn.close()
    return time.perf_counter() - started


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    fresh = sqlite_database() if backend == "sqlite" else postgres_database(args.postgres_url)
    with fresh as (url, connect):
        service = WorkflowService(Database(url), SystemClock())
        try:
            upgrade_database(service.db.engine)
            body = service.bodies.load_definitions(landau_definitions(), user=None)
            loaded = bulk_load(backend, connect, body.definitions_version, args)
            count = args.events // args.per_paper
            total = count * args.per_paper + 1
            print(f"[{backend}] setup: {total:,} events in {count:,} papers in {loaded:.1f} s")
            t0 = time.perf_counter()
            report = service.audit.verify_audit()
            elapsed = time.perf_counter() - t0
            rate = report.events / elapsed
            print(
                f"[{backend}] verify: {report.events:,} events in {elapsed:.2f} s, ok={report.ok}"
            )
            rng = random.Random(7)
            numbers = [f"2024/{rng.randint(1, count):06d}" for _ in range(args.trails)]
            service.audit.audit_trail(numbers[0])  # warm the catalog and the connection pool
            times = []
            for number in numbers:
                t0 = time.perf_counter()
                trail = service.audit.audit_trail(number)
                times.append((time.perf_counter() - t0) * 1000.0)
                assert len(trail) == args.per_paper
            times.sort()
            return {
                "backend": backend,
                "events": report.events,
                "rate": rate,
                "ok": report.ok and report.events == total,
                "trail_p50": statistics.median(times),
                "trail_p95": times[min(len(times) - 1, int(0.95 * len(times)))],
            }
        finally:
            service.db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="events (default 1e6)")
    parser.add_argument("--per-paper", type=int, default=50, help="events per paper (50)")
    parser.add_argument("--trails", type=int, default=200, help="trails to load (200)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    if args.events < args.per_paper or args.per_paper < 1 or args.trails < 1:
        parser.error("--events must be at least --per-paper, and both and --trails positive")
    results = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend not in ("sqlite", "postgresql"):
            parser.error(f"unknown backend {backend!r}; use sqlite, postgresql")
        if backend == "postgresql" and (reason := postgres_reachable(args.postgres_url)):
            print(f"[postgresql] skipped: not reachable at {args.postgres_url} ({reason})")
            continue
        results.append(run_backend(backend, args))
    if not results:
        print("no backend was run")
        return 1
    print()
    print("backend     events     verify events/s  met   trail p50 ms  p95 ms  met")
    for r in results:
        print(
            f"{r['backend']:<11} {r['events']:>9,}  {r['rate']:>15,.0f}  "
            f"{'yes' if r['rate'] >= VERIFY_TARGET else 'NO':<4}  {r['trail_p50']:>12.2f}  "
            f"{r['trail_p95']:>6.2f}  {'yes' if r['trail_p50'] <= TRAIL_TARGET_MS else 'NO'}"
        )
    print(f"targets: verify >= {VERIFY_TARGET:,.0f} events/s, trail <= {TRAIL_TARGET_MS} ms")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
