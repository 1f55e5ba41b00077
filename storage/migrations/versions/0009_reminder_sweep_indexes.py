"""partial indexes for the reminder sweep

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00

The sweep looks only for reminders still pending and outbox rows still to deliver, so its
indexes hold only those rows:
- the claim reads the oldest due pending reminders in (due_at, id) order: a partial index on
  exactly that ends the scan after one batch with no sort (the id tie-break needed one);
- the lease reads queued rows by next_attempt_at and sending rows by claimed_until.
The old (state, due_at) and (state, next_attempt_at) indexes go.
A reminder or outbox row that leaves those states (claimed, sent, failed) gets no new entry
in them; each row's state changes are non-HOT updates, so every index the row is in costs an
index insertion per change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


# "claimed_until IS NOT NULL" holds for every sending row; it is in the condition so that
# marking rows sent (by id, "state = 'sending'") is not planned over this index: without it,
# PostgreSQL chose it over the primary key and read every entry of a sending row not yet
# vacuumed away. The lease's "claimed_until < now" implies it, so the lease can use it.
SENDING = "state = 'sending' AND claimed_until IS NOT NULL"


def _where(condition: str) -> dict[str, sa.TextClause]:
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def upgrade() -> None:
    op.drop_index("ix_reminder_state_due_at", table_name="reminder")
    op.create_index(
        "ix_reminder_pending_due_at", "reminder", ["due_at", "id"], **_where("state = 'pending'")
    )
    op.drop_index("ix_outbox_state_next_attempt_at", table_name="outbox")
    op.create_index(
        "ix_outbox_queued_next_attempt_at",
        "outbox",
        ["next_attempt_at"],
        **_where("state = 'queued'"),
    )
    op.create_index(
        "ix_outbox_sending_claimed_until", "outbox", ["claimed_until"], **_where(SENDING)
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_sending_claimed_until", table_name="outbox")
    op.drop_index("ix_outbox_queued_next_attempt_at", table_name="outbox")
    op.create_index("ix_outbox_state_next_attempt_at", "outbox", ["state", "next_attempt_at"])
    op.drop_index("ix_reminder_pending_due_at", table_name="reminder")
    op.create_index("ix_reminder_state_due_at", "reminder", ["state", "due_at"])
