"""paper attachments

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-25 10:00:00

Anlagen of papers: file name, media type, size, SHA-256, the content and whether the
attachment is public. Named 0007 because 0006 is being written in parallel; the merge
re-chains one after the other.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["paper.id"], name=op.f("fk_attachment_paper_id_paper")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment") as batch:
        batch.create_index(batch.f("ix_attachment_paper_id"), ["paper_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.drop_index(batch.f("ix_attachment_paper_id"))
    op.drop_table("attachment")
