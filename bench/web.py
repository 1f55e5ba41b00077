"""Benchmark: the web workplace's pages with 100,000 papers: the Vorlagen list (plain, filtered,
searched, searched and filtered), a Vorlage page, a Sitzung page and the Fristen page (all open
deadlines; one Gremium's overdue ones), each against the service call that fetches the same
data, measured in the same run.

For each backend (SQLite file, PostgreSQL schema) the script

1. builds a fresh database with the shipped "landau" definitions and bulk-loads N papers as
   ``bench/paper_list.py`` does (untimed): 98 % of them decided long ago, the newest 2 % open
   with planned steps, pending co-signatures and open implementation tasks (their Fristen);
2. writes 30 real Vorlagen through the service (created, co-signed, released: each with its
   audit trail and Fristen) and puts them on the agenda of a Stadtvorstand meeting (untimed);
3. logs in through the login form and, TIMED, requests each page K times through the app
   in-process (Starlette's TestClient: routing, session and CSRF lookup, service calls,
   template rendering; no network), and K times the service call the page is built on (the
   floor: the same data without the web);
4. prints p50 and p95 per page, the ratio of the page's p95 to its floor's, and whether p95
   meets the target (≤ 100 ms).

Run from the repository root::

    PYTHONPATH=. python bench/web.py                      # 100,000 papers, both backends
    PYTHONPATH=. python bench/web.py --papers 10000 --backends sqlite --runs 20
    PYTHONPATH=. python bench/web.py --pages Fristen --runs 5    # only the pages named Fristen…
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.advance import (
    SESSION_OFFICE,
    landau_definitions,
    postgres_database,
    setup_papers,
    sqlite_database,
)
from bench.paper_list import CLERK, bulk_load, percentiles, run_backends
from storage.migrate import upgrade_database
from storage.session import Database
from workflow.core.clock import SystemClock
from workflow.core.model import PaperQuery
from workflow.service import WorkflowService

TARGET_MS = 100.0
PASSWORD = "bench-passwort-1"
AGENDA = 30


def advance_sequences(backend: str, connect: Callable[[], Any]) -> None:
    """After COPY with explicit ids, PostgreSQL's id sequences start past the loaded rows."""
    if backend != "postgresql":
        return
    conn = connect()
    try:
        for table in ("paper", "consultation", "co_signature", "implementation_task"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
    finally:
        conn.close()


def agenda_meeting(service: WorkflowService, numbers: list[str]) -> int:
    """A Stadtvorstand meeting with the 30 papers' first step on its agenda."""
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=40)
    meeting = service.meetings.create_meeting(
        user=SESSION_OFFICE, organization="stadtvorstand", start=start, location="Rathaus"
    )
    for number in numbers:
        service.agendas.schedule_into_meeting(
            number, user=SESSION_OFFICE, position=1, meeting_id=meeting.id
        )
    return meeting.id


def pages(number: str, meeting: int) -> dict[str, tuple[str, Callable[[WorkflowService], Any]]]:
    """page name -> (path, the service call that fetches its data: the floor)."""

    def listing(**fields: Any) -> Callable[[WorkflowService], Any]:
        return lambda s: s.papers.list_papers(PaperQuery(limit=50, **fields), reader=CLERK)

    return {
        "Vorlagen": ("/vorlagen", listing()),
        "Vorlagen, filtered": (
            "/vorlagen?state=released&office=sozialamt&year=2020",
            listing(state="released", office="sozialamt", year=2020),
        ),
        "Vorlagen, search": ("/vorlagen?q=Haushalt", listing(text="Haushalt")),
        "Vorlagen, search + filter": (
            "/vorlagen?q=Feuerwache&state=adopted",
            listing(text="Feuerwache", state="adopted"),
        ),
        "Vorlage": (
            f"/vorlagen/{number}",
            lambda s: (
                s.papers.get_paper(number, reader=CLERK),
                s.deadlines.check_path(number, reader=CLERK),
            ),
        ),
        "Sitzung": (
            f"/sitzungen/{meeting}",
            lambda s: s.meetings.get_meeting(meeting, reader=CLERK),
        ),
        "Fristen": ("/fristen", lambda s: s.deadlines.list_deadlines(limit=201, reader=CLERK)),
        "Fristen, Gremium overdue": (
            "/fristen?gremium=sozialausschuss&overdue=1",
            lambda s: s.deadlines.list_deadlines(
                organization="sozialausschuss", overdue=True, limit=201, reader=CLERK
            ),
        ),
    }


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000.0)
    return times


def run_backend(backend: str, args: argparse.Namespace) -> list[tuple[str, float, float, float]]:
    from starlette.testclient import TestClient

    from workflow.web.app import create_app

    fresh = sqlite_database() if backend == "sqlite" else postgres_database(args.postgres_url)
    with fresh as (url, connect):
        service = WorkflowService(Database(url), SystemClock())
        try:
            upgrade_database(service.db.engine)
            body = service.bodies.load_definitions(landau_definitions(), user=None)
            loaded = bulk_load(backend, connect, body.definitions_version, args.papers)
            advance_sequences(backend, connect)
            numbers = setup_papers(service, AGENDA)
            meeting = agenda_meeting(service, numbers)
            service.accounts.set_password(CLERK, PASSWORD, user="admin")
            print(
                f"[{backend}] setup: {args.papers:,} papers in {loaded:.1f} s, "
                f"{AGENDA} on the agenda of meeting {meeting} (untimed)"
            )
            client = TestClient(create_app(service), follow_redirects=False)
            client.headers["Origin"] = "http://testserver"
            login = client.post("/anmelden", data={"user": CLERK, "password": PASSWORD})
            if login.status_code != 303:
                raise SystemExit(f"[{backend}] login failed: {login.status_code}")
            rng = random.Random(3)
            rows = []
            for name, (path, floor) in pages(rng.choice(numbers), meeting).items():
                if not name.startswith(tuple(p.strip() for p in args.pages.split(","))):
                    continue
                for _ in range(3):  # warm the catalog, the pool and the templates
                    response = client.get(path)
                    if response.status_code != 200:
                        raise SystemExit(f"[{backend}] {path}: {response.status_code}")
                    floor(service)
                page = percentiles(timed(lambda p=path: client.get(p), args.runs))  # type: ignore[misc]
                base = percentiles(timed(lambda f=floor: f(service), args.runs))  # type: ignore[misc]
                rows.append((name, page[0], page[1], base[1]))
            return rows
        finally:
            service.db.dispose()


def report(backend: str, rows: list[tuple[str, float, float, float]]) -> bool:
    print(
        f"\n[{backend}] {'page':<26} {'p50 ms':>8} {'p95 ms':>8} {'floor p95':>10} "
        f"{'×floor':>7}  met"
    )
    ok = True
    for name, p50, p95, floor in rows:
        met = p95 <= TARGET_MS
        ok &= met
        ratio = f"{p95 / floor:.1f}×" if floor else "-"
        print(
            f"[{backend}] {name:<26} {p50:>8.2f} {p95:>8.2f} {floor:>10.2f} {ratio:>7}  "
            f"{'yes' if met else 'NO'}"
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    def pages_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--pages", default="", help="only the pages whose names start so (comma-separated)"
        )

    ok, ran = run_backends(argv, __doc__, run_backend, report, options=pages_option)
    print(f"\ntarget: p95 <= {TARGET_MS:.0f} ms per page; floor: the page's service calls alone")
    return 0 if ok and ran else 1


if __name__ == "__main__":
    sys.exit(main())
