"""Alembic environment: run with a connection handed in by storage.migrate, or a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import storage.accounts  # noqa: F401  (its tables belong to the metadata)
from storage.schema import Base
from storage.search import include_name

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
