"""Benchmark: the Vorlagen list (``service.papers.list_papers``) with 100,000 papers, with
and without filters and a search text, against a plain indexed SELECT of the same page.

For each backend (SQLite file, PostgreSQL schema) the script

1. builds a fresh database, runs the Alembic migrations and loads the shipped "landau"
   definitions;
2. bulk-loads N papers (varied type, state, office, date, German title and text), two steps
   of their Beratungsfolge each, a Mitzeichnung for every tenth paper and each paper's
   ``paper_created`` event, untimed; the search index is filled by its triggers as the rows
   go in (as every write fills it);
3. TIMED, K runs per case on random pages of the first twenty: the floor (the page of a
   ``SELECT … ORDER BY date DESC, id DESC LIMIT 50 OFFSET …`` through the raw driver, on the
   list's index) and each list case through the service (page and total count, the reader
   checked, frozen values built);
4. prints p50 and p95 per case, the ratio of p95 to the floor's p95, and whether p95 meets
   the target (≤ 100 ms).

Run from the repository root::

    PYTHONPATH=. python bench/paper_list.py                   # 100,000 papers, both backends
    PYTHONPATH=. python bench/paper_list.py --papers 10000 --backends sqlite
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
from storage.migrate import upgrade_database
from storage.session import Database
from workflow.core.clock import SystemClock
from workflow.core.model import PaperQuery, PaperSort
from workflow.service import WorkflowService

TARGET_MS = 100.0
BODY = "landau"
CLERK, HEAD = "sozialamt.weber", "hauptamt.leitung"
STAMP = dt.datetime(2024, 1, 2, 8, 0)
TYPES = ("sitzungsvorlage", "sitzungsvorlage", "mitteilungsvorlage", "antrag")
#: the newest papers (OPEN_PERCENT of them) are still open, every older one was decided
OPEN_STATES = ("draft", "co_signing", "released", "in_consultation")
DECIDED_STATES = ("adopted", "adopted", "noted", "rejected", "implemented")
OPEN_PERCENT = 2
TODAY = dt.date.today()
OFFICES = ("sozialamt", "hauptamt", "bgm")
GREMIEN = ("stadtvorstand", "hauptausschuss", "sozialausschuss", "beirat_migration", "stadtrat")
WORDS = [
    "Stadtrat",
    "Haushalt",
    "Kindergarten",
    "Schule",
    "Feuerwache",
    "Straße",
    "Brücke",
    "Radweg",
    "Spielplatz",
    "Bebauungsplan",
    "Sanierung",
    "Neubau",
    "Zuschuss",
    "Förderung",
    "Satzung",
    "Gebühren",
    "Friedhof",
    "Sporthalle",
    "Bücherei",
    "Museum",
    "Integration",
    "Wohnungsbau",
    "Klimaschutz",
    "Photovoltaik",
    "Kanalisation",
    "Wasserversorgung",
    "Parkplatz",
    "Bushaltestelle",
    "Grundschule",
    "Kindertagesstätte",
    "Jugendzentrum",
    "Seniorenheim",
    "Marktplatz",
    "Rathaus",
    "Beschluss",
    "Verwaltung",
    "Ausschreibung",
    "Vergabe",
    "Auftrag",
    "Kosten",
    "Mittel",
    "Planung",
    "Gutachten",
    "Antrag",
    "Bericht",
    "Konzept",
    "Maßnahme",
    "Umsetzung",
    "Stellungnahme",
    "Vertrag",
    "Grundstück",
    "Erwerb",
    "Verkauf",
    "Pacht",
]
RARE = "Hochwasserrückhaltebecken"  # in every 1,000th paper's text
#: a vocabulary as a council's papers have it: the topic words above, each in a few percent
#: of the papers (Zipf-like weights), and 5,000 rarer compound words
STEMS = [
    "Stadt",
    "Kreis",
    "Wasser",
    "Schul",
    "Bau",
    "Park",
    "Wald",
    "Feld",
    "Markt",
    "Kirch",
    "Sport",
    "Kultur",
    "Jugend",
    "Wohn",
    "Weg",
]
ENDS = [
    "amt",
    "plan",
    "haus",
    "platz",
    "straße",
    "gebiet",
    "ordnung",
    "konzept",
    "vertrag",
    "projekt",
    "anlage",
    "bericht",
]
RARER = [f"{a}{b}{n}" for a in STEMS for b in ENDS for n in range(28)]
WEIGHTS = [1.0 / (rank + 1) for rank in range(len(WORDS))]


def words(rng: random.Random, count: int) -> list[str]:
    common = rng.choices(WORDS, WEIGHTS, k=count // 4)
    return common + [rng.choice(RARER) for _ in range(count - len(common))]


def title(pid: int, rng: random.Random) -> str:
    return " ".join(words(rng, rng.randint(4, 8))) + f" {pid}"


def body_text(pid: int, rng: random.Random) -> str:
    text = words(rng, rng.randint(40, 80))
    rng.shuffle(text)
    if pid % 1000 == 0:
        text.insert(5, RARE)
    return "Der Stadtrat beschließt: " + " ".join(text) + "."


def paper_day(pid: int, count: int) -> dt.date:
    return dt.date(2015, 1, 1) + dt.timedelta(days=pid * 3650 // count)


def number_of(pid: int, count: int) -> str:
    return f"{paper_day(pid, count).year}/{pid:06d}"


def is_open(pid: int, count: int) -> bool:
    """The newest OPEN_PERCENT % of the papers are still open (no result yet)."""
    return pid > count - count * OPEN_PERCENT // 100


def state_of(pid: int, count: int) -> str:
    if is_open(pid, count):
        return OPEN_STATES[pid % len(OPEN_STATES)]
    return DECIDED_STATES[pid % len(DECIDED_STATES)]


def papers(count: int, version: str) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(14)
    for pid in range(1, count + 1):
        kind = TYPES[pid % len(TYPES)]
        day, number, state = paper_day(pid, count), number_of(pid, count), state_of(pid, count)
        frozen = state not in ("draft", "co_signing")
        yield (pid, BODY, version, number, kind, title(pid, rng), OFFICES[pid % 3], day,
               body_text(pid, rng), state, frozen, STAMP, STAMP, 1)  # fmt: skip


def consultations(count: int) -> Iterator[tuple[Any, ...]]:
    """Two steps each: held (with their day) for a decided paper, planned for an open one
    (on a day from a few days ago to two months ahead, so its Fristen are open)."""
    for pid in range(1, count + 1):
        for position in (1, 2):
            org = GREMIEN[(pid + position) % len(GREMIEN)]
            if is_open(pid, count):
                planned = TODAY + dt.timedelta(days=pid % 60 - 5 + 14 * position)
                state, day = "planned", None
            else:
                state, planned = "held", None
                day = paper_day(pid, count) + dt.timedelta(days=14 * position)
            yield (pid * 2 + position, pid, position, org, "vorberatung", True, state, position,
                   planned, day)  # fmt: skip


def co_signatures(count: int) -> Iterator[tuple[Any, ...]]:
    """Every tenth paper and every open one in Mitzeichnung asks the Hauptamt to co-sign:
    pending while the paper is in Mitzeichnung, signed otherwise."""
    for pid in range(1, count + 1):
        pending = state_of(pid, count) == "co_signing"
        if pid % 10 == 0 or pending:
            yield (pid, pid, "hauptamt", "pending" if pending else "signed")


def events(count: int) -> Iterator[tuple[Any, ...]]:
    """Each paper's ``paper_created``; a pending co-signature's request (a few days ago)."""
    for pid in range(1, count + 1):
        actor = CLERK if pid % 3 == 0 else "sitzungsdienst.becker"
        yield (f"paper:{pid}", 1, pid, STAMP, actor, "paper_created", "{}", "0" * 64, f"{pid:064x}")
        if state_of(pid, count) == "co_signing":
            asked = dt.datetime.combine(TODAY - dt.timedelta(days=pid % 6), dt.time(8))
            yield (f"paper:{pid}", 2, pid, asked, actor, "co_signature_requested",
                   '{"office": "hauptamt"}', f"{pid:064x}", f"{pid:063x}1")  # fmt: skip


def tasks(count: int) -> Iterator[tuple[Any, ...]]:
    """Beschlusskontrolle: every 100th decided paper has an implementation task, due a year
    after the decision; every other one of them is open still (its report overdue)."""
    for pid in range(100, count + 1, 100):
        if not is_open(pid, count):
            state = "open" if pid % 200 == 0 else "implemented"
            due = paper_day(pid, count) + dt.timedelta(days=365)
            yield (pid // 100, pid, f"Umsetzung {pid}", OFFICES[pid % 3], state, due, None,
                   None, STAMP, CLERK)  # fmt: skip


PAPER = (
    "id, body_id, definitions_version, number, paper_type, title, office_id, date, text, state, "
    "frozen, created_at, modified_at, row_version"
)
STEP = "id, paper_id, position, organization_id, role, public, state, level, planned_date, date"
SIGN = "id, paper_id, office_id, state"
EVENT = "stream, seq, paper_id, occurred_at, actor, action, payload, prev_hash, hash"
TASK = "id, paper_id, title, office_id, state, due, interval_months, report_to, created_at, actor"
TABLES = (
    ("paper", PAPER, papers),
    ("consultation", STEP, consultations),
    ("co_signature", SIGN, co_signatures),
    ("audit_event", EVENT, events),
    ("implementation_task", TASK, tasks),
)


def bulk_load(backend: str, connect: Callable[[], Any], version: str, count: int) -> float:
    started = time.perf_counter()
    conn = connect()
    try:
        cur = conn.cursor()
        if backend == "sqlite":
            cur.execute("BEGIN IMMEDIATE")
        for table, columns, rows in TABLES:
            source = rows(count, version) if rows is papers else rows(count)  # type: ignore[call-arg]
            if backend == "sqlite":
                marks = ", ".join("?" * len(columns.split(",")))
                cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", source)
            else:
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in source:
                        copy.write_row(row)
        if backend == "sqlite":
            cur.execute("COMMIT")
            cur.execute("ANALYZE")
        else:
            conn.commit()
            conn.autocommit = True
            cur.execute("VACUUM ANALYZE")
    finally:
        conn.close()
    return time.perf_counter() - started


#: the cases timed: name -> (query without the page, reader)
CASES: dict[str, tuple[dict[str, Any], str]] = {
    "list, newest first": ({}, CLERK),
    "filter state": ({"state": "released"}, CLERK),
    "filter type+office+year": (
        {"paper_type": "sitzungsvorlage", "office": "sozialamt", "year": 2020},
        CLERK,
    ),
    "filter Gremium": ({"organization": "beirat_migration"}, CLERK),
    "mine (clerk)": ({"mine": True}, CLERK),
    "waiting (office head)": ({"waiting_for_me": True}, HEAD),
    "sort by title": ({"sort": PaperSort.TITLE}, CLERK),
    "search in every paper": ({"text": "Stadtrat"}, CLERK),
    "search common word": ({"text": "Haushalt"}, CLERK),
    "search topic word": ({"text": "Photovoltaik"}, CLERK),
    "search two words": ({"text": "Haushalt Schule"}, CLERK),
    "search rare word": ({"text": RARE}, CLERK),
    "search number": ({"text": "NUMBER"}, CLERK),  # the number of the paper 2/5 in
    "search + filter state": ({"text": "Feuerwache", "state": "adopted"}, CLERK),
    "search by relevance": ({"text": "Spielplatz", "sort": PaperSort.RELEVANCE}, CLERK),
}


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def floor_times(
    backend: str, connect: Callable[[], Any], runs: int, rng: random.Random
) -> list[float]:
    """The plain page: the same rows the default list shows, one indexed SELECT."""
    mark = "?" if backend == "sqlite" else "%s"
    sql = (
        "SELECT id, number, paper_type, title, office_id, date, state FROM paper "
        f"WHERE body_id = {mark} ORDER BY date DESC, id DESC LIMIT 50 OFFSET {mark}"
    )
    conn, times = connect(), []
    try:
        for _ in range(runs):
            t0 = time.perf_counter()
            conn.execute(sql, (BODY, rng.randrange(20) * 50)).fetchall()
            times.append((time.perf_counter() - t0) * 1000.0)
            if backend != "sqlite":
                conn.rollback()
    finally:
        conn.close()
    return times


def case_query(case: str, count: int) -> tuple[dict[str, Any], str]:
    fields, reader = CASES[case]
    if fields.get("text") == "NUMBER":
        fields = fields | {"text": number_of(count * 2 // 5, count)}
    return fields, reader


def case_times(
    service: WorkflowService, case: str, count: int, runs: int, rng: random.Random
) -> list[float]:
    fields, reader = case_query(case, count)
    times = []
    for _ in range(runs):
        query = PaperQuery(**fields, offset=rng.randrange(20) * 50 if "search" not in case else 0)
        t0 = time.perf_counter()
        page = service.papers.list_papers(query, reader=reader)
        times.append((time.perf_counter() - t0) * 1000.0)
        assert page.total >= 0
    return times


def run_backend(backend: str, args: argparse.Namespace) -> list[tuple[str, float, float, int]]:
    fresh = sqlite_database() if backend == "sqlite" else postgres_database(args.postgres_url)
    with fresh as (url, connect):
        service = WorkflowService(Database(url), SystemClock())
        try:
            upgrade_database(service.db.engine)
            body = service.bodies.load_definitions(landau_definitions(), user=None)
            loaded = bulk_load(backend, connect, body.definitions_version, args.papers)
            print(f"[{backend}] setup: {args.papers:,} papers in {loaded:.1f} s (untimed)")
            rng = random.Random(7)
            service.papers.list_papers(reader=CLERK)  # warm the catalog and the pool
            rows = [
                (
                    "floor: plain indexed page",
                    *percentiles(floor_times(backend, connect, args.runs, rng)),
                    0,
                )
            ]
            for case in CASES:
                p50, p95 = percentiles(case_times(service, case, args.papers, args.runs, rng))
                fields, reader = case_query(case, args.papers)
                total = service.papers.list_papers(PaperQuery(**fields), reader=reader).total
                rows.append((case, p50, p95, total))
            return rows
        finally:
            service.db.dispose()


def report(backend: str, rows: list[tuple[str, float, float, int]]) -> bool:
    floor = rows[0][2]
    print(
        f"\n[{backend}] {'case':<28} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8} {'×floor':>7}  met"
    )
    ok = True
    for name, p50, p95, total in rows:
        met = p95 <= TARGET_MS
        ok &= met
        ratio = f"{p95 / floor:.0f}×" if floor else "-"
        print(
            f"[{backend}] {name:<28} {total:>8,} {p50:>8.2f} {p95:>8.2f} {ratio:>7}  {'yes' if met else 'NO'}"
        )
    return ok


def run_backends(
    argv: list[str] | None,
    doc: str | None,
    run: Callable[[str, argparse.Namespace], Any],
    report: Callable[[str, Any], bool],
    runs: int = 50,
    options: Callable[[argparse.ArgumentParser], None] | None = None,
) -> tuple[bool, bool]:
    """The command line of a benchmark over both backends (``--papers``, ``--runs``,
    ``--backends``, ``--postgres-url``): ``report(backend, run(backend, args))`` for each
    reachable backend; (every target met, any backend ran)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--papers", type=int, default=100_000, help="papers (default 100,000)")
    parser.add_argument("--runs", type=int, default=runs, help=f"runs per case (default {runs})")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_PG_URL)
    if options is not None:
        options(parser)  # the benchmark's own options
    args = parser.parse_args(argv)
    if args.papers < 100 or args.runs < 1:
        parser.error("--papers must be at least 100 and --runs positive")
    ok, ran = True, False
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend not in ("sqlite", "postgresql"):
            parser.error(f"unknown backend {backend!r}; use sqlite, postgresql")
        if backend == "postgresql" and (reason := postgres_reachable(args.postgres_url)):
            print(f"[postgresql] skipped: not reachable at {args.postgres_url} ({reason})")
            continue
        ok &= report(backend, run(backend, args))
        ran = True
    return ok, ran


def main(argv: list[str] | None = None) -> int:
    ok, ran = run_backends(argv, __doc__, run_backend, report)
    print(f"\ntarget: p95 <= {TARGET_MS:.0f} ms per case")
    return 0 if ok and ran else 1


if __name__ == "__main__":
    sys.exit(main())
