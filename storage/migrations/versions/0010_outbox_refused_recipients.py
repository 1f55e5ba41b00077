"""recipients refused while a message was delivered to the others

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 10:00:00

When the SMTP server accepts a message for some recipients and refuses others, the outbox row
keeps the refused ones as a JSON list of {"address", "code", "reply"}; NULL for every message
delivered to all its recipients (and for every message sent before this revision).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("refused", sa.JSON(), nullable=True))


def downgrade() -> None:
    # a plain ALTER TABLE … DROP COLUMN, also on SQLite (3.35 and later): a batch copy of the
    # table would have to rebuild its partial indexes (0009)
    op.drop_column("outbox", "refused")
