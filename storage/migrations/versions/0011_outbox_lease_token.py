"""a token for each lease of an outbox row, and when its holder last proved it before sending

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 10:00:00

A worker leases a batch of outbox rows under a token of its own (``lease_token``, a random
hex string, new for every lease). Before it starts sends it runs a fencing ``UPDATE`` that
sets ``fenced_at`` only on the rows that still carry its token and whose lease is not running
out; it sends only the rows that statement returned, and it marks sent only rows that still
carry the token. A worker that stalled past its lease and wakes up therefore sends nothing
another worker has taken over. Both are NULL for rows leased before this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("lease_token", sa.String(32), nullable=True))
    op.add_column("outbox", sa.Column("fenced_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    # plain ALTER TABLE … DROP COLUMN, also on SQLite (3.35 and later), as in 0010
    op.drop_column("outbox", "fenced_at")
    op.drop_column("outbox", "lease_token")
