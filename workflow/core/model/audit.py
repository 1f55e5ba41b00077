"""The audit trail: what changed data, events and queries, verification, seals, and the
database role the application writes it with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from workflow.core.i18n import N_, _


class AuditAction(StrEnum):
    """Past-tense names of everything that changes data."""

    DEFINITIONS_LOADED = "definitions_loaded"
    PAPER_CREATED = "paper_created"
    PAPER_TRANSITIONED = "paper_transitioned"
    PAPER_EDITED = "paper_edited"
    CONSULTATION_ADDED = "consultation_added"
    CONSULTATION_REMOVED = "consultation_removed"
    CONSULTATION_MOVED = "consultation_moved"
    PATH_REPLACED = "path_replaced"
    TEXT_VERSION_CREATED = "text_version_created"
    MINUTES_RECORDED = "minutes_recorded"
    CONSULTATION_SCHEDULED = "consultation_scheduled"
    CONSULTATION_TRANSITIONED = "consultation_transitioned"
    RESULT_RECORDED = "result_recorded"
    CO_SIGNATURE_REQUESTED = "co_signature_requested"
    CO_SIGNED = "co_signed"
    CO_SIGNATURE_OBJECTED = "co_signature_objected"
    CO_SIGNATURE_OVERRULED = "co_signature_overruled"
    SUPPLEMENT_CREATED = "supplement_created"
    ANSWER_RECORDED = "answer_recorded"
    MEETING_CREATED = "meeting_created"
    MEETING_TRANSITIONED = "meeting_transitioned"
    AGENDA_ITEM_ADDED = "agenda_item_added"
    AGENDA_ITEM_REMOVED = "agenda_item_removed"
    AGENDA_NUMBERED = "agenda_numbered"
    AGENDA_ORDERED = "agenda_ordered"
    MEETING_MOVED = "meeting_moved"
    AUDIT_SEALED = "audit_sealed"
    APP_ROLE_GRANTED = "app_role_granted"
    URGENT_DECISION_RECORDED = "urgent_decision_recorded"
    OBJECTION_RAISED = "objection_raised"
    IMPLEMENTATION_TASK_ADDED = "implementation_task_added"
    IMPLEMENTATION_REPORTED = "implementation_reported"
    IMPLEMENTATION_COMPLETED = "implementation_completed"
    REMINDER_PLANNED = "reminder_planned"
    REMINDER_MOVED = "reminder_moved"
    REMINDER_CANCELLED = "reminder_cancelled"
    REMINDER_SENT = "reminder_sent"
    REMINDER_FAILED = "reminder_failed"
    REMINDER_RETRIED = "reminder_retried"
    ATTACHMENT_ADDED = "attachment_added"
    PASSWORD_SET = "password_set"
    LOGGED_IN = "logged_in"
    LOGIN_FAILED = "login_failed"
    LOGGED_OUT = "logged_out"
    FEED_TOKEN_CREATED = "feed_token_created"
    FEED_TOKEN_REVOKED = "feed_token_revoked"

    @property
    def label(self) -> str:
        """The German name an auditor reads ("Vorlage angelegt"); filters and exports use the
        value."""
        return _(_ACTION_LABELS[self])


_ACTION_LABELS = {
    AuditAction.DEFINITIONS_LOADED: N_("definitions loaded"),
    AuditAction.PAPER_CREATED: N_("paper created"),
    AuditAction.PAPER_TRANSITIONED: N_("paper state changed"),
    AuditAction.PAPER_EDITED: N_("draft edited"),
    AuditAction.CONSULTATION_ADDED: N_("step added"),
    AuditAction.CONSULTATION_REMOVED: N_("step removed"),
    AuditAction.CONSULTATION_MOVED: N_("step moved"),
    AuditAction.PATH_REPLACED: N_("Beratungsfolge replaced"),
    AuditAction.TEXT_VERSION_CREATED: N_("text version created"),
    AuditAction.MINUTES_RECORDED: N_("minutes recorded"),
    AuditAction.CONSULTATION_SCHEDULED: N_("step scheduled"),
    AuditAction.CONSULTATION_TRANSITIONED: N_("step state changed"),
    AuditAction.RESULT_RECORDED: N_("result recorded"),
    AuditAction.CO_SIGNATURE_REQUESTED: N_("co-signature requested"),
    AuditAction.CO_SIGNED: N_("co-signed"),
    AuditAction.CO_SIGNATURE_OBJECTED: N_("objection to the co-signature"),
    AuditAction.CO_SIGNATURE_OVERRULED: N_("co-signature objection overruled"),
    AuditAction.SUPPLEMENT_CREATED: N_("Ergänzungsvorlage created"),
    AuditAction.ANSWER_RECORDED: N_("answer recorded"),
    AuditAction.MEETING_CREATED: N_("meeting created"),
    AuditAction.MEETING_TRANSITIONED: N_("meeting state changed"),
    AuditAction.AGENDA_ITEM_ADDED: N_("agenda item added"),
    AuditAction.AGENDA_ITEM_REMOVED: N_("agenda item removed"),
    AuditAction.AGENDA_NUMBERED: N_("agenda numbered"),
    AuditAction.AGENDA_ORDERED: N_("agenda ordered"),
    AuditAction.MEETING_MOVED: N_("meeting moved"),
    AuditAction.AUDIT_SEALED: N_("audit trail sealed"),
    AuditAction.APP_ROLE_GRANTED: N_("database role granted"),
    AuditAction.URGENT_DECISION_RECORDED: N_("urgent decision recorded"),
    AuditAction.OBJECTION_RAISED: N_("objection raised"),
    AuditAction.IMPLEMENTATION_TASK_ADDED: N_("implementation task added"),
    AuditAction.IMPLEMENTATION_REPORTED: N_("implementation reported"),
    AuditAction.IMPLEMENTATION_COMPLETED: N_("implementation completed"),
    AuditAction.REMINDER_PLANNED: N_("reminder planned"),
    AuditAction.REMINDER_MOVED: N_("reminder moved"),
    AuditAction.REMINDER_CANCELLED: N_("reminder cancelled"),
    AuditAction.REMINDER_SENT: N_("reminder sent"),
    AuditAction.REMINDER_FAILED: N_("reminder failed"),
    AuditAction.REMINDER_RETRIED: N_("reminder retried"),
    AuditAction.ATTACHMENT_ADDED: N_("attachment added"),
    AuditAction.PASSWORD_SET: N_("password set"),
    AuditAction.LOGGED_IN: N_("logged in"),
    AuditAction.LOGIN_FAILED: N_("login failed"),
    AuditAction.LOGGED_OUT: N_("logged out"),
    AuditAction.FEED_TOKEN_CREATED: N_("calendar address created"),
    AuditAction.FEED_TOKEN_REVOKED: N_("calendar address revoked"),
}


def action_text(action: str) -> str:
    """The German name of a stored action; an action this version does not know as stored."""
    try:
        return AuditAction(action).label
    except ValueError:
        return action


#: The fields of an exported event (``ratsweg audit export``, the Prüfung's CSV download):
#: everything needed to recompute its hash, plus the paper's number. Stable English keys.
EXPORT_FIELDS = (
    "stream",
    "seq",
    "paper_number",
    "paper_id",
    "occurred_at",
    "actor",
    "action",
    "from_state",
    "to_state",
    "payload",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEventView:
    stream: str
    seq: int
    occurred_at: dt.datetime
    actor: str
    action: str
    paper_number: str | None
    from_state: str | None
    to_state: str | None
    payload: dict[str, Any] = field(default_factory=dict)
    hash: str = ""
    paper_id: int | None = None
    prev_hash: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditQuery:
    """Filters of ``audit search`` and ``audit export``; every given filter must match."""

    paper: str | None = None
    actor: str | None = None
    action: str | None = None
    paper_type: str | None = None
    organization: str | None = None
    since: dt.date | None = None  # calendar dates in Europe/Berlin, both inclusive
    until: dt.date | None = None
    #: events of the papers on the meeting's agenda, and the meeting's own events
    meeting: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyReport:
    streams: int
    events: int
    broken_stream: str | None = None
    broken_seq: int | None = None
    reason: str | None = None
    #: the paper's number when the broken stream is a paper's
    broken_paper: str | None = None
    #: hash mismatch, missing seq, reordered, prev_hash mismatch, differs from the seal, ...
    problem: str | None = None
    #: with a seal: events the seal covers, and events recorded after it
    sealed_events: int | None = None
    events_after_seal: int | None = None
    #: with a folder of seals (``audit verify --seals DIR``): one check per file
    seals: tuple[SealCheck, ...] = ()

    @property
    def ok(self) -> bool:
        return self.broken_stream is None and all(s.ok for s in self.seals)


@dataclass(frozen=True, slots=True, kw_only=True)
class SealCheck:
    """One seal file checked against the database: every chain head it holds must still be
    the event at that (stream, seq). ``problem`` None: nothing it sealed changed."""

    file: str
    sealed_at: dt.datetime | None = None
    actor: str | None = None
    root_hash: str | None = None
    #: the events the seal covers, and the events recorded after it (when it matches)
    sealed_events: int | None = None
    events_after_seal: int | None = None
    #: differs from the seal, events deleted after, unreadable seal file, another database
    problem: str | None = None
    stream: str | None = None
    seq: int | None = None
    paper: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainHead:
    stream: str
    seq: int
    hash: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Seal:
    """What ``audit seal`` writes: the heads of all chains and a root hash over them."""

    sealed_at: dt.datetime
    actor: str
    database: dict[str, Any]
    heads: tuple[ChainHead, ...]
    root_hash: str
    format_version: int = 1

    @property
    def events(self) -> int:
        return sum(head.seq for head in self.heads)


@dataclass(frozen=True, slots=True, kw_only=True)
class AppRole:
    """A PostgreSQL login role for the application, as ``db create-app-role`` left it."""

    name: str
    schema: str
    created: bool
    tables: tuple[str, ...]  # the tables it may read and write (not audit_event)
    audit_table_privileges: tuple[str, ...]
