"""indexes for the list of open deadlines (the Fristen page)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 19:45:00

The list of open deadlines reads only the papers that may still owe one: those with a step
in an open state, a pending co-signature or an open implementation task. These indexes find
them without a pass over every paper (most of a city's papers were decided long ago), and
the definitions versions in use with one probe per version.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_paper_body_id_definitions_version": ("paper", ["body_id", "definitions_version"]),
    "ix_consultation_state": ("consultation", ["state"]),
    "ix_co_signature_state": ("co_signature", ["state"]),
    "ix_implementation_task_state": ("implementation_task", ["state"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
