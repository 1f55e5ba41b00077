"""private calendar addresses: one revocable feed token per user

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 19:00:00

Calendar programs cannot log in with a cookie, so a user subscribes with a private address
holding a random token (``/kalender/<token>/meine.ics``). ``feed_token`` keeps only the
SHA-256 of the token, the user and municipality, when it was created and when it was revoked
(a revoked token keeps its row and never works again).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("body_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_feed_token"),
        sa.UniqueConstraint("token_hash", name="uq_feed_token_token_hash"),
    )
    op.create_index("ix_feed_token_body_id_user_id", "feed_token", ["body_id", "user_id"])


def downgrade() -> None:
    op.drop_table("feed_token")
