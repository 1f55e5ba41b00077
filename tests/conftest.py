"""Fixtures: every service test runs on SQLite and on PostgreSQL (a fresh schema per test)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.migrate import upgrade_database
from storage.session import Database
from workflow.core.clock import BERLIN, Clock, FixedClock
from workflow.definitions import resolve_definitions_dir
from workflow.service import WorkflowService

FIXTURES = Path(__file__).parent / "fixtures"
VALID_DEFINITIONS = FIXTURES / "definitions" / "valid"
POSTGRES_URL = os.environ.get(
    "RATSWEG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("RATSWEG_REQUIRE_POSTGRES") == "1"
START = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def cli_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands a test runs without ``--as`` or RATSWEG_USER act and read as ``admin`` (every
    shipped and test municipality has one), not as the login name running the tests: reads
    need a user of users.yaml too (issue 13). Tests of who may do what name their users."""
    monkeypatch.setenv("RATSWEG_USER", "admin")


def _postgres_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason."""
    try:
        import psycopg
    except ImportError as exc:
        return f"psycopg is not installed ({exc}); install ratsweg[test]"
    try:
        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3):
            return None
    except (OSError, psycopg.Error) as exc:
        return f"{type(exc).__name__}: {exc}"


_PG_PROBLEM = _postgres_reachable()
if _PG_PROBLEM and REQUIRE_POSTGRES:
    raise pytest.UsageError(
        f"RATSWEG_REQUIRE_POSTGRES=1 but PostgreSQL is not reachable: {_PG_PROBLEM}"
    )

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(bool(_PG_PROBLEM), reason=f"PostgreSQL unreachable: {_PG_PROBLEM}"),
        ],
    ),
]


def postgres_schema_url(schema: str) -> str:
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ratsweg.db'}"
        return
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin_url = POSTGRES_URL.replace("+psycopg", "")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield postgres_schema_url(schema)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def on_day(clock: Clock, day: dt.date, at: dt.time = dt.time(20, 0)) -> None:
    """Move the test clock forward to ``day`` at ``at`` (Europe/Berlin), never back: what
    happened that day (a meeting, a decision) is recorded once it has happened."""
    assert isinstance(clock, FixedClock), "on_day moves a test's FixedClock"
    clock.advance_to(dt.datetime.combine(day, at, tzinfo=BERLIN))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    upgrade_database(db.engine)
    yield db
    checked_out = db.engine.pool.checkedout()  # type: ignore[attr-defined]
    db.dispose()
    assert checked_out == 0, "a unit of work left a connection checked out"


@pytest.fixture
def service(database: Database, clock: FixedClock) -> WorkflowService:
    """A service with the Musterstadt test definitions loaded."""
    svc = WorkflowService(database, clock)
    svc.bodies.load_definitions(VALID_DEFINITIONS, user=None)
    return svc


@pytest.fixture
def landau(database: Database, clock: FixedClock) -> WorkflowService:
    """A service with the shipped Landau definitions loaded."""
    svc = WorkflowService(database, clock)
    svc.bodies.load_definitions(resolve_definitions_dir("landau"), user=None)
    return svc


@pytest.fixture
def web_service(service: WorkflowService) -> WorkflowService:
    """The test municipality with passwords for the web's users (tests/test_web.py)."""
    from tests.test_web import PASSWORD, USERS

    for user in USERS:
        service.accounts.set_password(user, PASSWORD, user="admin")
    return service


@pytest.fixture
def client(web_service: WorkflowService) -> Any:
    """A TestClient of the web app on ``web_service`` (same-origin, no redirects followed)."""
    from tests.test_web import client_of

    return client_of(web_service)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium for the browser tests (skipped, or failed in CI, without it)."""
    from tests.browser_support import chromium, require_browser

    require_browser()
    with chromium() as launched:
        yield launched


@pytest.fixture
def site(web_service: WorkflowService) -> Iterator[str]:
    """The web app on ``web_service``, served on a free local port: its base URL."""
    from tests.browser_support import served

    with served(web_service) as base:
        yield base
