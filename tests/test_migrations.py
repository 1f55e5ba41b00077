"""Alembic migrations build exactly the schema the models declare, and can be undone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage.migrate import alembic_config, current_revision, head_revision, upgrade_database
from storage.schema import Base
from storage.session import Database


def test_upgraded_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert current_revision(database.engine) == head_revision()


def test_downgrade_to_base_and_up_again(database: Database) -> None:
    with database.engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert "paper" not in inspect(database.engine).get_table_names()
    assert upgrade_database(database.engine) == (None, head_revision())
    assert "audit_event" in inspect(database.engine).get_table_names()
