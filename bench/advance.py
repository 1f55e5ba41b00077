"""Benchmark: how fast ratsweg advances papers along their Beratungsfolge, compared with the
raw-driver limit of the same database.

For each backend (SQLite file, PostgreSQL schema) the script

1. builds a fresh database, runs the Alembic migrations and loads the shipped "landau"
   definitions;
2. creates N papers on route "stadtrat" with one extra Anhörung step (beirat_migration) inserted
   at position 2, submits and releases them (untimed setup);
3. TIMED: records the results of all 4 steps of every paper through ``WorkflowService``
   (step 1 of all papers, then step 2 of all papers, ...), one transaction per step;
4. measures, in the same database, M raw-driver transactions of one UPDATE plus one INSERT
   (the minimum a step costs: the paper changes and one audit row is appended);
5. prints steps/s, raw tx/s and their ratio against the target, then verifies that every paper
   is adopted and every audit chain is intact (exit status 1 if not).

Run from the repository root::

    PYTHONPATH=. python bench/advance.py --papers 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from storage.migrate import upgrade_database
from storage.session import Database
from workflow.core.clock import SystemClock
from workflow.core.model import MAX_PAGE_SIZE, PaperQuery, VoteCount
from workflow.definitions import resolve_definitions_dir
from workflow.service import WorkflowService

CLERK, HEAD, SESSION_OFFICE = "sozialamt.weber", "sozialamt.leitung", "sitzungsdienst.becker"
STEPS = 4
TARGETS = {"sqlite": 0.30, "postgresql": 0.80}
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: Meeting dates of the 4 steps (Stadtvorstand, Beirat, Hauptausschuss, Stadtrat).
STEP_DATES = (dt.date(2024, 3, 4), dt.date(2024, 3, 7), dt.date(2024, 3, 11), dt.date(2024, 3, 21))
FINAL_VOTE = VoteCount(yes=39, no=0, abstain=4, biased=0, label="einstimmig")

RAW_DDL = (
    (
        "CREATE TABLE bench_state (id INTEGER PRIMARY KEY, state TEXT NOT NULL, "
        "version INTEGER NOT NULL)"
    ),
    (
        "CREATE TABLE bench_audit (id {serial} PRIMARY KEY, paper_id INTEGER NOT NULL, "
        "payload TEXT NOT NULL, hash TEXT NOT NULL)"
    ),
)
RAW_ROWS = 200
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(slots=True)
class Result:
    backend: str
    papers: int
    steps_per_s: float
    raw_tx_per_s: float
    latencies_ms: list[float] = field(default_factory=list)
    adopted: int = 0
    audit_ok: bool = False
    audit_text: str = ""

    @property
    def ratio(self) -> float:
        return self.steps_per_s / self.raw_tx_per_s if self.raw_tx_per_s else 0.0

    @property
    def target(self) -> float:
        return TARGETS[self.backend]

    @property
    def verified(self) -> bool:
        return self.adopted == self.papers and self.audit_ok


# -- fresh databases ---------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[tuple[str, Callable[[], Any]]]:
    """A temp SQLite file: (SQLAlchemy URL, raw connection factory)."""
    folder = Path(tempfile.mkdtemp(prefix="ratsweg-bench-"))
    path = folder / "bench.db"

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    try:
        yield f"sqlite:///{path}", connect
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def postgres_reachable(url: str) -> str | None:
    """None when a connection works, else the reason in one line."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed; pip install 'ratsweg[postgres]'"
    try:
        with psycopg.connect(**_pg_params(url), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        text = str(exc).strip()
        return text.splitlines()[0] if text else type(exc).__name__


def _pg_params(url: str) -> dict[str, Any]:
    parsed = make_url(url)
    params: dict[str, Any] = {
        "host": parsed.host or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username,
        "dbname": parsed.database,
    }
    if parsed.password:
        params["password"] = parsed.password
    return {k: v for k, v in params.items() if v is not None}


@contextmanager
def postgres_database(url: str) -> Iterator[tuple[str, Callable[[], Any]]]:
    """A fresh schema in the given database; search_path is set through the URL."""
    import psycopg

    schema = f"ratsweg_bench_{uuid.uuid4().hex[:10]}"
    params = _pg_params(url)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    option = f"-csearch_path={schema}"
    sa_url = make_url(url).update_query_dict({"options": option})

    def connect() -> psycopg.Connection[Any]:
        return psycopg.connect(**params, options=option)

    try:
        yield sa_url.render_as_string(hide_password=False), connect
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


# -- ratsweg -----------------------------------------------------------------------------------


def landau_definitions() -> Path:
    """The shipped "landau" folder."""
    return resolve_definitions_dir("landau")


def setup_papers(service: WorkflowService, papers: int) -> list[str]:
    numbers: list[str] = []
    for i in range(1, papers + 1):
        paper = service.papers.create_paper(
            user=CLERK,
            paper_type="sitzungsvorlage",
            title=f"Benchmark-Vorlage {i}",
            office="sozialamt",
            date=dt.date(2024, 2, 1),
            route="stadtrat",
            reference=f"500-Bench-{i}",
            text="Der Stadtrat beschließt die Vorlage.",
            planned_dates=[STEP_DATES[0], STEP_DATES[2], STEP_DATES[3]],
        )
        service.paths.add_consultation(
            paper.number,
            user=CLERK,
            organization="beirat_migration",
            role="anhoerung",
            position=2,
            planned_date=STEP_DATES[1],
        )
        service.papers.submit_paper(paper.number, user=CLERK)
        view = service.papers.release_paper(paper.number, user=HEAD)
        if len(view.consultations) != STEPS:
            raise SystemExit(f"{paper.number} has {len(view.consultations)} steps, not {STEPS}")
        numbers.append(paper.number)
    return numbers


def advance_all(service: WorkflowService, numbers: list[str]) -> tuple[float, list[float]]:
    """Record every step of every paper, step by step; return (elapsed s, latencies ms)."""
    latencies: list[float] = []
    clock = time.perf_counter
    started = clock()
    for position in range(1, STEPS + 1):
        final = position == STEPS
        outcome = "beschlossen" if final else "empfohlen"
        votes = [FINAL_VOTE] if final else []
        date = STEP_DATES[position - 1]
        for number in numbers:
            t0 = clock()
            service.results.record_result(
                number,
                user=SESSION_OFFICE,
                position=position,
                outcome=outcome,
                date=date,
                votes=votes,
            )
            latencies.append((clock() - t0) * 1000.0)
    return clock() - started, latencies


# -- raw driver --------------------------------------------------------------------------------


def raw_transactions(dialect: str, connect: Callable[[], Any], count: int) -> float:
    """M transactions of one UPDATE plus one INSERT, each committed; return tx/s."""
    pg = dialect == "postgresql"
    mark = "%s" if pg else "?"
    update = f"UPDATE bench_state SET state = {mark}, version = version + 1 WHERE id = {mark}"
    insert = f"INSERT INTO bench_audit (paper_id, payload, hash) VALUES ({mark}, {mark}, {mark})"
    conn = connect()
    try:
        cur = conn.cursor()
        if not pg:
            cur.execute("BEGIN IMMEDIATE")
        for ddl in RAW_DDL:
            cur.execute(ddl.format(serial="SERIAL" if pg else "INTEGER"))
        cur.executemany(
            f"INSERT INTO bench_state (id, state, version) VALUES ({mark}, {mark}, 1)",
            [(i, "released") for i in range(1, RAW_ROWS + 1)],
        )
        if pg:
            conn.commit()
        else:
            cur.execute("COMMIT")
        states = ("scheduled", "held")
        clock = time.perf_counter
        started = clock()
        for i in range(count):
            row = i % RAW_ROWS + 1
            payload = f'{{"position":{i // RAW_ROWS % STEPS + 1},"outcome":"empfohlen"}}'
            digest = hashlib.sha256(payload.encode()).hexdigest()
            if pg:  # psycopg 3 opens the transaction implicitly
                cur.execute(update, (states[i % 2], row))
                cur.execute(insert, (row, payload, digest))
                conn.commit()
            else:
                cur.execute("BEGIN IMMEDIATE")
                cur.execute(update, (states[i % 2], row))
                cur.execute(insert, (row, payload, digest))
                cur.execute("COMMIT")
        elapsed = clock() - started
    finally:
        conn.close()
    return count / elapsed


# -- one backend -------------------------------------------------------------------------------


def run_backend(backend: str, args: argparse.Namespace) -> Result:
    fresh = sqlite_database() if backend == "sqlite" else postgres_database(args.postgres_url)
    with fresh as (url, connect):
        service = WorkflowService(Database(url), SystemClock())
        try:
            upgrade_database(service.db.engine)
            service.bodies.load_definitions(landau_definitions(), user=None)
            t0 = time.perf_counter()
            numbers = setup_papers(service, args.papers)
            print(
                f"[{backend}] setup: {len(numbers)} papers created, extended, submitted and "
                f"released in {time.perf_counter() - t0:.1f} s (untimed)"
            )
            elapsed, latencies = advance_all(service, numbers)
            steps_per_s = STEPS * len(numbers) / elapsed
            print(f"[{backend}] timed: {STEPS * len(numbers)} steps in {elapsed:.2f} s")
            raw = raw_transactions(backend, connect, args.raw_transactions)
            print(f"[{backend}] raw driver: {args.raw_transactions} transactions, {raw:.0f} tx/s")
            result = Result(backend, len(numbers), steps_per_s, raw, latencies)
            adopted = service.papers.list_papers(PaperQuery(state="adopted", limit=MAX_PAGE_SIZE))
            result.adopted = adopted.total  # the database holds the bench's papers only
            report = service.audit.verify_audit()
            result.audit_ok = report.ok
            result.audit_text = (
                f"ok={report.ok} streams={report.streams} events={report.events}"
                + ("" if report.ok else f" broken={report.broken_stream}#{report.broken_seq}")
            )
            return result
        finally:
            service.db.dispose()


# -- report ------------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    header = (
        "backend",
        "ratsweg steps/s",
        "raw tx/s",
        "ratio",
        "target",
        "met",
        "mean ms",
        "p50 ms",
        "p95 ms",
    )
    rows = []
    for r in results:
        lat = sorted(r.latencies_ms)
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else 0.0
        rows.append(
            (
                r.backend,
                f"{r.steps_per_s:.1f}",
                f"{r.raw_tx_per_s:.1f}",
                f"{r.ratio:.3f}",
                f">= {r.target:.2f}",
                "yes" if r.ratio >= r.target else "NO",
                f"{statistics.fmean(lat):.2f}" if lat else "-",
                f"{statistics.median(lat):.2f}" if lat else "-",
                f"{p95:.2f}",
            )
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print()
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print()
    for r in results:
        print(
            f"[{r.backend}] verify: {r.adopted}/{r.papers} papers adopted; "
            f"audit {r.audit_text} -> {'OK' if r.verified else 'FAILED'}"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--papers", type=int, default=200, help="papers to advance (default 200)")
    parser.add_argument(
        "--backends",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (default both)",
    )
    parser.add_argument("--postgres-url", default=DEFAULT_PG_URL, help="PostgreSQL database URL")
    parser.add_argument(
        "--raw-transactions",
        type=int,
        default=2000,
        help="raw-driver transactions for the reference figure (default 2000)",
    )
    args = parser.parse_args(argv)
    args.backend_list = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = sorted(set(args.backend_list) - set(TARGETS))
    if unknown:
        parser.error(f"unknown backend(s) {', '.join(unknown)}; use sqlite, postgresql")
    if args.papers < 1 or args.raw_transactions < 1:
        parser.error("--papers and --raw-transactions must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results: list[Result] = []
    for backend in args.backend_list:
        if backend == "postgresql":
            reason = postgres_reachable(args.postgres_url)
            if reason is not None:
                print(f"[postgresql] skipped: not reachable at {args.postgres_url} ({reason})")
                continue
        results.append(run_backend(backend, args))
    if not results:
        print("no backend was run")
        return 1
    print_table(results)
    return 0 if all(r.verified for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
