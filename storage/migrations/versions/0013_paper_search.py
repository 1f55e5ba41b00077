"""the lists of papers: full-text search and the indexes of their filters and sort

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:00:00

The search index of papers (number, title, current text) is an FTS5 table on SQLite and a
table of ``tsvector`` documents with a GIN index on PostgreSQL; triggers on ``paper`` and
``text_version`` keep it current in the transaction of every change (``storage.search``). It
is filled here from the papers already stored. B-tree indexes serve the list's filters (state,
type, office, Gremium, "mine") and its default order (newest first).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.search import create_statements, drop_statements

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

PAPER_INDEXES = {
    "ix_paper_body_id_date": ["body_id", "date", "id"],
    "ix_paper_body_id_state_date": ["body_id", "state", "date"],
    "ix_paper_body_id_paper_type_date": ["body_id", "paper_type", "date"],
    "ix_paper_body_id_office_id_date": ["body_id", "office_id", "date"],
    "ix_paper_body_id_title": ["body_id", "title"],
    "ix_paper_body_id_modified_at": ["body_id", "modified_at"],
}


def upgrade() -> None:
    for name, columns in PAPER_INDEXES.items():
        op.create_index(name, "paper", columns)
    op.create_index(
        "ix_consultation_organization_id", "consultation", ["organization_id", "paper_id"]
    )
    op.create_index("ix_audit_event_actor_action", "audit_event", ["actor", "action"])
    for statement in create_statements(op.get_bind().dialect.name):
        op.execute(sa.text(statement))


def downgrade() -> None:
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(sa.text(statement))
    op.drop_index("ix_audit_event_actor_action", table_name="audit_event")
    op.drop_index("ix_consultation_organization_id", table_name="consultation")
    for name in reversed(PAPER_INDEXES):
        op.drop_index(name, table_name="paper")
