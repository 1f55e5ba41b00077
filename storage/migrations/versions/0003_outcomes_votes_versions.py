"""outcomes, vote lists and text versions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:40:00

Adds what the full council procedure needs: parallel levels and notes on the steps of a
Beratungsfolge, the full vote record (kind of motion, not participating, absent, the raw text
of the minutes, named ballots), and the text versions of a paper (as released, then each
amendment by a body).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consultation") as batch:
        batch.add_column(sa.Column("level", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
    # Existing paths are sequential: each step is its own level.
    op.execute("UPDATE consultation SET level = position")

    with op.batch_alter_table("vote") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="main")
        )
        batch.add_column(sa.Column("not_participating", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("absent", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("raw", sa.Text(), nullable=True))
        batch.add_column(sa.Column("named", sa.JSON(), nullable=True))

    op.create_table(
        "text_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["paper.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("paper_id", "number"),
    )


def downgrade() -> None:
    op.drop_table("text_version")
    with op.batch_alter_table("vote") as batch:
        for column in ("named", "raw", "absent", "not_participating", "kind"):
            batch.drop_column(column)
    with op.batch_alter_table("consultation") as batch:
        batch.drop_column("note")
        batch.drop_column("level")
