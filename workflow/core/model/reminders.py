"""Reminders, the outbox and delivery."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from workflow.core.i18n import N_, _


class ReminderKind(StrEnum):
    """What a reminder is about; ``*_escalation`` goes to the escalation recipients."""

    SUBMISSION_CUTOFF = "vorlagenschluss"  # Vorlagenschluss approaching (paper's office)
    CO_SIGNING = "mitzeichnung"  # co-signature pending (co-signing office)
    INVITATION = "ladung"  # invitation due (session office)
    RESULT = "ergebnis"  # result not recorded after the meeting (session office)
    REPORT = "bericht"  # Beschlusskontrolle report due (paper's office)
    ESCALATION = "eskalation"  # a deadline overdue by the configured hours

    @property
    def label(self) -> str:
        """The German name: Vorlagenschluss, Mitzeichnung, Ladung, …"""
        return _(_KIND_LABELS[self])


class ReminderState(StrEnum):
    PENDING = "pending"  # planned, not yet due or not yet swept
    CLAIMED = "claimed"  # written to the outbox by a worker
    SENT = "sent"
    CANCELLED = "cancelled"  # the change that made it obsolete is in the audit trail
    FAILED = "failed"  # delivery parked after the last retry

    @property
    def label(self) -> str:
        """The German name, as people read it."""
        return _(_REMINDER_LABELS[self])


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # leased by a worker until ``claimed_until``
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The German name, as people read it."""
        return _(_OUTBOX_LABELS[self])


_KIND_LABELS = {
    ReminderKind.SUBMISSION_CUTOFF: N_("Vorlagenschluss"),
    ReminderKind.CO_SIGNING: N_("Mitzeichnung"),
    ReminderKind.INVITATION: N_("Ladung"),
    ReminderKind.RESULT: N_("result"),
    ReminderKind.REPORT: N_("implementation report"),
    ReminderKind.ESCALATION: N_("escalation"),
}
_REMINDER_LABELS = {
    ReminderState.PENDING: N_("pending"),
    ReminderState.CLAIMED: N_("in the outbox"),
    ReminderState.SENT: N_("sent"),
    ReminderState.CANCELLED: N_("cancelled"),
    ReminderState.FAILED: N_("failed"),
}
_OUTBOX_LABELS = {
    OutboxState.QUEUED: N_("queued"),
    OutboxState.SENDING: N_("sending"),
    OutboxState.SENT: N_("sent"),
    OutboxState.FAILED: N_("failed"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedReminder:
    """One reminder a paper should have now (the planner's output, the storage diff's input).

    ``slot`` names what the reminder is about (kind, step or office) independently of its time,
    so that a moved meeting moves the pending reminder instead of adding one; ``key`` adds the
    due instant and is the idempotency key of the message (its Message-ID).
    """

    slot: str
    key: str
    kind: ReminderKind
    due_at: dt.datetime
    deadline_at: dt.datetime  # the deadline the reminder is about
    escalate_at: dt.datetime | None
    recipients: tuple[str, ...]
    subject: str
    text: str
    consultation_id: int | None = None


class RefusedRecipient(NamedTuple):
    """A recipient the SMTP server refused while it accepted the message for the others."""

    address: str
    code: int  # the SMTP reply code, e.g. 550
    reply: str  # the server's reply text, one line

    def __str__(self) -> str:
        return f"{self.address}: {self.code} {self.reply}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderView:
    id: int
    key: str
    kind: ReminderKind
    state: ReminderState
    paper: str | None
    due_at: dt.datetime
    escalate_at: dt.datetime | None
    recipients: tuple[str, ...]
    subject: str
    attempts: int = 0
    sent_at: dt.datetime | None = None
    last_error: str | None = None
    claimed_by: str | None = None
    refused: tuple[RefusedRecipient, ...] = ()  # recipients it was delivered without


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxMessage:
    """One message to deliver; ``key`` is its idempotency key (the Message-ID)."""

    id: int
    key: str
    channel: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    attempts: int


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    """A leased message that was not delivered: ``permanent`` parks it at once; ``setup`` (a
    problem of the mail setup) queues it again without counting the attempt."""

    outbox_id: int
    error: str
    permanent: bool = False
    setup: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
