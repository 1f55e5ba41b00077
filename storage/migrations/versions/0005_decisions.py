"""decision procedures and Beschlusskontrolle

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00

Dringlichkeitsentscheidungen and objections against decisions (Widerspruch, Beanstandung,
Aussetzung, Einspruch) with their re-decision window; implementation tasks of decisions with
their report history. Named 0005 because 0004 (reminders) is being written in parallel; the
merge re-chains one after the other.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_procedure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("co_signer", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.String(length=255), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("window_start", sa.Date(), nullable=True),
        sa.Column("window_end", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["paper.id"], name=op.f("fk_decision_procedure_paper_id_paper")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_procedure")),
    )
    with op.batch_alter_table("decision_procedure") as batch:
        batch.create_index(batch.f("ix_decision_procedure_paper_id"), ["paper_id"], unique=False)

    op.create_table(
        "implementation_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("office_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("interval_months", sa.Integer(), nullable=True),
        sa.Column("report_to", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["paper.id"], name=op.f("fk_implementation_task_paper_id_paper")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_implementation_task")),
    )
    with op.batch_alter_table("implementation_task") as batch:
        batch.create_index(batch.f("ix_implementation_task_paper_id"), ["paper_id"], unique=False)

    op.create_table(
        "implementation_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("implemented", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["implementation_task.id"],
            name=op.f("fk_implementation_report_task_id_implementation_task"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_implementation_report")),
    )
    with op.batch_alter_table("implementation_report") as batch:
        batch.create_index(batch.f("ix_implementation_report_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    op.drop_table("implementation_report")
    op.drop_table("implementation_task")
    op.drop_table("decision_procedure")
