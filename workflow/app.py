"""Composition root: settings from flags and environment -> database, clock -> service."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from storage.migrate import upgrade_database
from storage.session import Database, database_url_from_env
from workflow.clock import Clock, SystemClock
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


def upgrade(service: WorkflowService) -> tuple[str | None, str | None]:
    return upgrade_database(service.db.engine)
