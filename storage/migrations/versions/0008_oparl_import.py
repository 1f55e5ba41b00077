"""objects imported from OParl

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-28 10:00:00

One row per paper or meeting taken over from another council information system by
``ratsweg oparl import``, keyed by its OParl id, so that an import run twice imports nothing
the second time. Named 0008 because 0006 and 0007 are being written in parallel; the merge
re-chains it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_object",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=1024), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"], ["body.id"], name=op.f("fk_imported_object_body_id_body")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_object")),
        sa.UniqueConstraint(
            "body_id", "external_id", name="uq_imported_object_body_id_external_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("imported_object")
