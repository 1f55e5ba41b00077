"""Alembic migrations build exactly the schema the models declare, and can be undone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import storage.accounts  # noqa: F401  (its tables belong to the metadata)
from storage.migrate import alembic_config, current_revision, head_revision, upgrade_database
from storage.schema import Base
from storage.search import include_name
from storage.session import Database


def test_upgraded_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": include_name}), Base.metadata
        )
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


def test_upgrade_from_0001_keeps_papers_votes_and_audit(database_url: str) -> None:
    """0002 adds consultation.meeting_id to a populated table (voted steps on SQLite too)."""
    from sqlalchemy import text

    db = Database(database_url)
    try:
        with db.engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        assert upgrade_database(db.engine, "0001") == (None, "0001")
        with db.engine.begin() as conn:
            for statement in (
                "INSERT INTO definition_version VALUES ('v1', 'b', '{}', '2025-01-01', 'x')",
                "INSERT INTO body VALUES ('b', 'B', 'RP', 'v1', '2025-01-01')",
                (
                    "INSERT INTO paper VALUES (1, 'b', 'v1', 'V/1', 'vorlage', 'T', NULL, 'amt1',"
                    " '2025-01-01', NULL, 'released', true, '2025-01-01', '2025-01-01', 1)"
                ),
                (
                    "INSERT INTO consultation VALUES (1, 1, 1, 'rat', 'entscheidung', true, 'held',"
                    " NULL, '2025-01-02', 'beschlossen', 'beschlossen')"
                ),
                "INSERT INTO vote VALUES (1, 1, 1, 'Hauptantrag', 9, 0, 1, 0, NULL)",
            ):
                conn.execute(text(statement))
        assert upgrade_database(db.engine) == ("0001", head_revision())
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT state, meeting_id FROM consultation")).one()
            assert tuple(row) == ("held", None)
            assert conn.execute(text("SELECT yes FROM vote")).scalar_one() == 9
            tables = inspect(conn).get_table_names()
        assert {"meeting", "agenda_item"} <= set(tables)
    finally:
        db.dispose()
