"""web logins: password hashes, server-side sessions and recent login failures

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-11 10:00:00

``password_credential`` holds one argon2id hash per user of a municipality (the users are
those of the definitions' users.yaml). ``web_session`` holds the logged-in browsers: the
SHA-256 of the opaque session id (the id itself is only in the browser's cookie), the user,
the CSRF token of the session and when it was created and last seen (for the idle and the
absolute expiry). ``login_failure`` keeps failed logins for a day, to throttle guessing per
user and per address.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_credential",
        sa.Column("body_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("hash", sa.String(255), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("body_id", "user_id", name="pk_password_credential"),
    )
    op.create_table(
        "web_session",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("body_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_web_session"),
    )
    op.create_index("ix_web_session_body_id_user_id", "web_session", ["body_id", "user_id"])
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_failure"),
    )
    op.create_index(
        "ix_login_failure_user_id_failed_at", "login_failure", ["user_id", "failed_at"]
    )
    op.create_index(
        "ix_login_failure_address_failed_at", "login_failure", ["address", "failed_at"]
    )


def downgrade() -> None:
    op.drop_table("login_failure")
    op.drop_table("web_session")
    op.drop_table("password_credential")
