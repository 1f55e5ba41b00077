"""Ergänzungsvorlagen, faction papers, answers and overruled co-signatures

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00

Additive: a supplement (Ergänzungsvorlage) names the original paper of its chain and its
place in it; Anträge and Anfragen keep the submitting faction and members, Anfragen the
answer; an objection in the Mitzeichnung can be overruled by the head of the writing office.

On SQLite, paper.origin_id gets its column through ALTER TABLE ... ADD COLUMN with an inline
REFERENCES (as 0002 does for consultation.meeting_id): batch "move and copy" would drop the
paper table, which other rows reference. The SQLite downgrade recreates the table and so
works only on a database without papers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_PLAIN = (
    ("supplement_no", sa.Integer()),
    ("faction", sa.String(length=255)),
    ("members", sa.JSON()),
    ("answer", sa.Text()),
    ("answer_date", sa.Date()),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE paper ADD COLUMN origin_id INTEGER "
            "CONSTRAINT fk_paper_origin_id_paper REFERENCES paper (id)"
        )
        for name, type_ in _PLAIN:
            op.add_column("paper", sa.Column(name, type_, nullable=True))
    else:
        with op.batch_alter_table("paper") as batch:
            batch.add_column(sa.Column("origin_id", sa.Integer(), nullable=True))
            for name, type_ in _PLAIN:
                batch.add_column(sa.Column(name, type_, nullable=True))
            batch.create_foreign_key(
                batch.f("fk_paper_origin_id_paper"), "paper", ["origin_id"], ["id"]
            )
    op.create_index(op.f("ix_paper_origin_id"), "paper", ["origin_id"], unique=False)
    op.add_column("co_signature", sa.Column("overruled_by", sa.String(length=128), nullable=True))
    op.add_column("co_signature", sa.Column("overruled_at", UTCDateTime(), nullable=True))
    op.add_column("co_signature", sa.Column("overrule_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("co_signature") as batch:
        batch.drop_column("overrule_reason")
        batch.drop_column("overruled_at")
        batch.drop_column("overruled_by")
    op.drop_index(op.f("ix_paper_origin_id"), table_name="paper")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("paper", recreate="always" if sqlite else "auto") as batch:
        if not sqlite:
            batch.drop_constraint(batch.f("fk_paper_origin_id_paper"), type_="foreignkey")
        for name, _ in reversed(_PLAIN):
            batch.drop_column(name)
        batch.drop_column("origin_id")
