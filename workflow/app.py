"""Composition root: settings from flags and environment -> database, clock -> service."""

from __future__ import annotations

import datetime as dt
import getpass
import os
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

from storage.migrate import current_revision, head_revision, upgrade_database
from storage.session import Database, database_url_from_env
from workflow.accounts import AccountSettings
from workflow.core.clock import Clock, SystemClock
from workflow.core.errors import InvalidInput, StorageError
from workflow.core.i18n import _
from workflow.reminders.notify import LogNotifier, Notifier, SmtpNotifier, SmtpSettings
from workflow.service import WorkflowService


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    user: str | None
    body: str | None = None

    @classmethod
    def from_env(
        cls, database: str | None = None, user: str | None = None, body: str | None = None
    ) -> Settings:
        return cls(
            database_url=database_url_from_env(database),
            user=resolve_user(user),
            body=body or os.environ.get("RATSWEG_BODY") or None,
        )


def resolve_user(explicit: str | None) -> str | None:
    """``--as USER``, else ``RATSWEG_USER``, else the login name."""
    if explicit:
        return explicit
    if os.environ.get("RATSWEG_USER"):
        return os.environ["RATSWEG_USER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def build_service(settings: Settings, clock: Clock | None = None) -> WorkflowService:
    return WorkflowService(
        Database(settings.database_url),
        clock or SystemClock(),
        accounts=account_settings_from_env(),
    )


def account_settings_from_env() -> AccountSettings:
    """RATSWEG_SESSION_IDLE_MINUTES (default 30), RATSWEG_SESSION_MAX_HOURS (default 10) and
    RATSWEG_LOGIN_FAILURES_PER_MINUTE (default 5): whole numbers from 1."""
    idle = _positive_env("RATSWEG_SESSION_IDLE_MINUTES", 30)
    hours = _positive_env("RATSWEG_SESSION_MAX_HOURS", 10)
    failures = _positive_env("RATSWEG_LOGIN_FAILURES_PER_MINUTE", 5)
    return AccountSettings(
        idle=dt.timedelta(minutes=idle),
        absolute=dt.timedelta(hours=hours),
        failures_per_minute=failures,
    )


def _positive_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit() or not 1 <= int(value) <= 100_000:
        raise InvalidInput(
            _("{name} must be a whole number from 1 to 100000, got {value!r}").format(
                name=name, value=value
            )
        )
    return int(value)


_YES, _NO = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def smtp_settings_from_env() -> SmtpSettings:
    """RATSWEG_SMTP_HOST, _PORT (1-65535), _STARTTLS (1/true/yes/on or 0/false/no/off), _USER,
    _PASSWORD, _FROM, _TIMEOUT (seconds, default 30). A value that cannot be read is refused,
    never taken for a default."""
    env = os.environ.get
    port = env("RATSWEG_SMTP_PORT", "25").strip()
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise InvalidInput(
            _("RATSWEG_SMTP_PORT must be a port number from 1 to 65535, got {port!r}").format(
                port=port
            )
        )
    starttls = env("RATSWEG_SMTP_STARTTLS", "").strip().lower()
    if starttls not in _YES + _NO:
        raise InvalidInput(
            _("RATSWEG_SMTP_STARTTLS must be one of {yes} or {no}, got {value!r}").format(
                yes=", ".join(_YES), no=", ".join(_NO[1:]), value=starttls
            )
        )
    timeout = env("RATSWEG_SMTP_TIMEOUT", "30").strip()
    try:
        seconds = float(timeout)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 3600:
        raise InvalidInput(
            _(
                "RATSWEG_SMTP_TIMEOUT must be seconds from 0 to 3600 (e.g. 30), got {value!r}"
            ).format(value=timeout)
        )
    return SmtpSettings(
        host=env("RATSWEG_SMTP_HOST", "localhost"),
        timeout=seconds,
        port=int(port),
        starttls=starttls in _YES,
        user=env("RATSWEG_SMTP_USER") or None,
        password=env("RATSWEG_SMTP_PASSWORD") or None,
        sender=env("RATSWEG_SMTP_FROM", "ratsweg@localhost"),
    )


def build_notifier(kind: str) -> Notifier:
    """``smtp`` (settings from the environment) or ``log``."""
    if kind == "smtp":
        return SmtpNotifier(smtp_settings_from_env())
    if kind == "log":
        return LogNotifier()
    raise InvalidInput(_("unknown notifier {kind!r}; use smtp or log").format(kind=kind))


def require_current_schema(service: WorkflowService) -> None:
    """Refuse to work on a database that ``ratsweg init`` / ``db upgrade`` has not brought to
    this version's schema (a worker would otherwise only log failing sweeps)."""
    try:
        current = current_revision(service.db.engine)
    except OperationalError as exc:
        reason = str(exc.orig).splitlines()[0]
        raise StorageError(_("cannot open the database: {reason}").format(reason=reason)) from None
    head = head_revision()
    if current is None:
        raise StorageError(_("the database has no ratsweg tables; run 'ratsweg init' first"))
    if current != head:
        raise StorageError(
            _(
                "the database schema is at revision {current}, this ratsweg needs {head}; "
                "run 'ratsweg db upgrade' first"
            ).format(current=current, head=head)
        )


def upgrade(service: WorkflowService) -> tuple[str | None, str | None]:
    return upgrade_database(service.db.engine)
