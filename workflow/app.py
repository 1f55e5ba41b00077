"""Composition root: settings from flags and environment -> database, clock -> service."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from storage.migrate import upgrade_database
from storage.session import Database, database_url_from_env
from workflow.clock import Clock, SystemClock
from workflow.errors import InvalidInput
from workflow.notify import LogNotifier, Notifier, SmtpNotifier, SmtpSettings
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
    return WorkflowService(Database(settings.database_url), clock or SystemClock())


def smtp_settings_from_env() -> SmtpSettings:
    """RATSWEG_SMTP_HOST, _PORT, _STARTTLS (1/true/yes), _USER, _PASSWORD, _FROM."""
    env = os.environ.get
    port = env("RATSWEG_SMTP_PORT", "25")
    if not port.isdigit():
        raise InvalidInput(f"RATSWEG_SMTP_PORT must be a port number, got {port!r}")
    return SmtpSettings(
        host=env("RATSWEG_SMTP_HOST", "localhost"),
        port=int(port),
        starttls=env("RATSWEG_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
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
    raise InvalidInput(f"unknown notifier {kind!r}; use smtp or log")


def upgrade(service: WorkflowService) -> tuple[str | None, str | None]:
    return upgrade_database(service.db.engine)
