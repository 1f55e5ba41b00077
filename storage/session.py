"""Engines and sessions: SQLite with WAL, foreign keys, busy timeout and ``BEGIN IMMEDIATE``
writes; PostgreSQL through psycopg 3. Driver errors are translated at this boundary."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from workflow.core.errors import ConflictError, InvalidInput, StorageError
from workflow.core.i18n import _

DEFAULT_DATABASE = "ratsweg.db"
SQLITE_BUSY_TIMEOUT_S = 30.0
_WRITE = "ratsweg_write"


def default_database_url() -> str:
    return f"sqlite:///{Path(DEFAULT_DATABASE).resolve()}"


def normalize_url(url: str) -> URL:
    """Parse a database URL; plain ``postgresql://`` means psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(
            _(
                "cannot read database URL {url!r}; use e.g. sqlite:///ratsweg.db "
                "or postgresql://user@host/dbname"
            ).format(url=url)
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InvalidInput(
            _("database {name!r} is not supported; use SQLite or PostgreSQL").format(
                name=parsed.get_backend_name()
            )
        )
    return parsed


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    parsed = normalize_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            return _make_sqlite_engine(parsed)
        return create_engine(parsed, pool_size=pool_size, pool_pre_ping=False)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise StorageError(
            _("no driver for {driver!r} ({reason}); install ratsweg[postgres]").format(
                driver=parsed.drivername, reason=exc
            )
        ) from exc


def _make_sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:":
        parent = Path(database).expanduser().resolve().parent
        if not parent.is_dir():
            raise InvalidInput(
                _("cannot create SQLite database {database!r}: no folder {folder}").format(
                    database=database, folder=parent
                )
            )
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class Database:
    """An engine plus the two kinds of unit of work the service opens."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.dialect = self.engine.dialect.name
        self._writer = sessionmaker(
            bind=self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with translate_db_errors(), self._writer() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with translate_db_errors(), self._reader() as session, session.begin():
            yield session

    @property
    def location(self) -> str:
        """The URL without its password, to name this database in reports and seals."""
        return normalize_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


@contextlib.contextmanager
def translate_db_errors() -> Iterator[None]:
    """Map driver and ORM failures to ratsweg's ConflictError and StorageError."""
    try:
        yield
    except StaleDataError as exc:
        raise ConflictError(
            _("another user changed the same paper at the same time; nothing was saved, try again")
        ) from exc
    except IntegrityError as exc:
        if not _is_unique_violation(exc):
            reason = _first_line(exc)
            raise StorageError(
                _("database integrity error: {reason}").format(reason=reason)
            ) from exc
        raise ConflictError(
            _(
                "the change collides with one saved at the same moment ({reason}); nothing was "
                "saved, try again"
            ).format(reason=_first_line(exc))
        ) from exc
    except OperationalError as exc:
        message = _first_line(exc)
        if "locked" in message or "could not obtain lock" in message or "deadlock" in message:
            raise ConflictError(
                _(
                    "the database is busy with another writer ({reason}); nothing was saved, "
                    "try again"
                ).format(reason=message)
            ) from exc
        if "no such table" in message or "does not exist" in message:
            raise StorageError(
                _("the database has no ratsweg tables ({reason}); run 'ratsweg init' first").format(
                    reason=message
                )
            ) from exc
        raise StorageError(_("database error: {reason}").format(reason=message)) from exc
    except DBAPIError as exc:
        raise StorageError(_("database error: {reason}").format(reason=_first_line(exc))) from exc
    except OverflowError as exc:  # a number the driver cannot store (SQLite: beyond 64 bits)
        raise InvalidInput(
            _("a number is too large for the database: {reason}").format(reason=exc)
        ) from exc


def _is_unique_violation(exc: IntegrityError) -> bool:
    return getattr(exc.orig, "sqlstate", None) == "23505" or "UNIQUE constraint" in str(exc.orig)


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def database_url_from_env(explicit: str | None = None) -> str:
    return explicit or os.environ.get("RATSWEG_DATABASE_URL") or default_database_url()
