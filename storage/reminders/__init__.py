"""Reminder rows and the outbox: the storage side of planning, claiming and delivery.

Concurrency (see docs/architecture.md, "Reminders"):
- planning runs in the transaction that changes the paper, which already holds the paper's
  lock; it locks the paper's *pending* reminders (``FOR UPDATE`` on PostgreSQL), so a worker's
  claim either happened before (the row is no longer pending and is left alone) or waits;
- a claim and its outbox rows are one transaction (``BEGIN IMMEDIATE`` on SQLite); on
  PostgreSQL one statement that claims ``FOR UPDATE SKIP LOCKED`` and inserts the outbox rows
  already leased to the claiming worker (``claim_and_lease``);
- delivery leases outbox rows (``claimed_until``, a ``lease_token`` new for each lease); a
  lease that runs out makes the row deliverable again, so a killed worker's messages are sent
  by another one; before sending, the holder proves its lease with a fencing ``UPDATE`` on its
  token (``fence``), and marking sent checks the token too, so a worker that stalled past its
  lease sends nothing another worker took over;
- marking sent appends the hash-chained ``reminder_sent`` events to the worker's own delivery
  chain under a lock of that chain only, so workers never wait for paper locks; recipients the
  SMTP server refused while it accepted the others are stored on the outbox row and named in
  the event.

Modules: ``plans`` (planning), ``claims`` (claim and lease), ``delivery`` and ``sent`` (the
outcome of a delivery), ``lists`` (reading), ``payloads`` (what the events say) and
``states`` (SQL shared by the statements). The names below are importable from
``storage.reminders``.
"""

from __future__ import annotations

from storage.reminders.claims import claim_and_lease, claim_due, fence, lease_outbox
from storage.reminders.delivery import finish_delivery, retry_failed
from storage.reminders.lists import get_reminder, list_reminders, paper_number
from storage.reminders.payloads import refused_json, sent_payload
from storage.reminders.plans import Change, apply_meeting_plan, apply_plan, meeting_slots
from storage.reminders.states import CHANNEL, PENDING, in_state

__all__ = [
    "CHANNEL",
    "PENDING",
    "Change",
    "apply_meeting_plan",
    "apply_plan",
    "claim_and_lease",
    "claim_due",
    "fence",
    "finish_delivery",
    "get_reminder",
    "in_state",
    "lease_outbox",
    "list_reminders",
    "meeting_slots",
    "paper_number",
    "refused_json",
    "retry_failed",
    "sent_payload",
]
