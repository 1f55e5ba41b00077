"""Value types shared by every layer: enums and frozen records returned by the service.

Nothing here imports from the rest of the project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple


class OrganizationKind(StrEnum):
    COUNCIL = "council"
    COMMITTEE = "committee"
    ADVISORY_BOARD = "advisory_board"
    EXECUTIVE_BOARD = "executive_board"
    OFFICE = "office"

    @property
    def deliberates(self) -> bool:
        return self is not OrganizationKind.OFFICE


class ConsultationRole(StrEnum):
    """Zuständigkeit of one step of the Beratungsfolge."""

    VORBERATUNG = "vorberatung"
    ANHOERUNG = "anhoerung"
    ENTSCHEIDUNG = "entscheidung"
    KENNTNISNAHME = "kenntnisnahme"
    GENEHMIGUNG = "genehmigung"  # approval of a Dringlichkeitsentscheidung (GO NRW § 60)

    @property
    def label(self) -> str:
        """The German name, as staff write it (Vorberatung, Anhörung, …)."""
        return "Anhörung" if self is ConsultationRole.ANHOERUNG else self.value.capitalize()

    @property
    def concludes(self) -> bool:
        """True for the step whose result decides (or closes) the paper."""
        return self in (
            ConsultationRole.ENTSCHEIDUNG,
            ConsultationRole.KENNTNISNAHME,
            ConsultationRole.GENEHMIGUNG,
        )


#: Consultation states of a step still to be dealt with (the engine's lifecycle names them).
OPEN_STEP_STATES = frozenset({"planned", "scheduled"})
#: States of a step that was dealt with in a meeting (with or without deliberation).
DONE_STEP_STATES = frozenset({"held", "dropped"})
#: States of a step that is no longer part of the active path.
INACTIVE_STEP_STATES = frozenset({"cancelled", "dropped"})


class Role(StrEnum):
    """What a user may do; permissions map actions to roles in the definitions."""

    CLERK = "clerk"
    OFFICE_HEAD = "office_head"
    SESSION_OFFICE = "session_office"
    AUDITOR = "auditor"
    ADMIN = "admin"
    MAYOR = "mayor"  # Bürgermeister: Dringlichkeitsentscheidung, Widerspruch, Einspruch


class Action(StrEnum):
    """Mutating actions outside the lifecycles, each guarded by a permission."""

    PAPER_CREATE = "paper.create"
    PAPER_EDIT = "paper.edit"
    PAPER_ROUTE = "paper.route"  # change the planned path of a released paper
    CONSULTATION_SCHEDULE = "consultation.schedule"
    CONSULTATION_RECORD = "consultation.record"
    CO_SIGNATURE_SIGN = "co_signature.sign"
    DEFINITIONS_LOAD = "definitions.load"
    MEETING_MANAGE = "meeting.manage"
    IMPLEMENTATION_PLAN = "implementation.plan"  # Beschlusskontrolle: add tasks to a decision
    IMPLEMENTATION_REPORT = "implementation.report"  # report on a task, mark it umgesetzt
    CO_SIGNATURE_OVERRULE = "co_signature.overrule"  # overrule an objection in the Mitzeichnung


class ResultEffect(StrEnum):
    """What a recorded result does to the paper's path (domain.md section 2.2)."""

    RECOMMEND = "recommend"  # a pre-advising body's result; the path continues
    ADOPT = "adopt"  # the deciding body adopted; the paper is decided
    REJECT = "reject"  # rejected: a recommendation in a Vorberatung, final in the deciding step
    NOTE = "note"  # taken note of; closes a Kenntnisnahme
    POSTPONE = "postpone"  # vertagt / zurückgestellt: the same body again, at a later meeting
    SKIP = "skip"  # vertagt in Folgegremium: no vote here, the next body goes on
    REFER = "refer"  # überwiesen / zurückverwiesen: a step in another body is inserted
    DROP = "drop"  # abgesetzt: taken off the agenda, no deliberation; the same body again
    WITHDRAW = "withdraw"  # zurückgezogen: the path ends without a decision
    APPROVE = "approve"  # genehmigt: approves a Dringlichkeitsentscheidung
    ANNUL = "annul"  # aufgehoben: the council annuls a Dringlichkeitsentscheidung

    @property
    def deliberated(self) -> bool:
        """False only when the item was taken off the agenda before any deliberation."""
        return self is not ResultEffect.DROP

    @property
    def repeats_step(self) -> bool:
        """The same body deals with the paper again in a later meeting."""
        return self in (ResultEffect.POSTPONE, ResultEffect.DROP)


class Outcome(StrEnum):
    """Normalised results of a consultation (domain.md section 2.2)."""

    EMPFOHLEN = "empfohlen"
    MIT_AENDERUNGEN_EMPFOHLEN = "mit_aenderungen_empfohlen"
    ABGELEHNT = "abgelehnt"
    BESCHLOSSEN = "beschlossen"
    UNGEAENDERT_BESCHLOSSEN = "ungeaendert_beschlossen"
    GEAENDERT_BESCHLOSSEN = "geaendert_beschlossen"
    ZUR_KENNTNIS_GENOMMEN = "zur_kenntnis_genommen"
    VERTAGT = "vertagt"
    ZURUECKGESTELLT = "zurueckgestellt"
    VERTAGT_IN_FOLGEGREMIUM = "vertagt_in_folgegremium"
    UEBERWIESEN = "ueberwiesen"
    ZURUECKVERWIESEN = "zurueckverwiesen"
    ABGESETZT = "abgesetzt"
    ZURUECKGEZOGEN = "zurueckgezogen"
    GENEHMIGT = "genehmigt"
    AUFGEHOBEN = "aufgehoben"

    @property
    def amends_text(self) -> bool:
        """The body changed the wording: the amended text becomes a new text version."""
        return self in (Outcome.GEAENDERT_BESCHLOSSEN, Outcome.MIT_AENDERUNGEN_EMPFOHLEN)

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]

    @property
    def effect(self) -> ResultEffect:
        return _OUTCOME_EFFECTS[self]


_OUTCOME_LABELS = {
    Outcome.EMPFOHLEN: "empfohlen",
    Outcome.MIT_AENDERUNGEN_EMPFOHLEN: "mit Änderungen empfohlen",
    Outcome.ABGELEHNT: "abgelehnt",
    Outcome.BESCHLOSSEN: "beschlossen",
    Outcome.UNGEAENDERT_BESCHLOSSEN: "ungeändert beschlossen",
    Outcome.GEAENDERT_BESCHLOSSEN: "geändert beschlossen",
    Outcome.ZUR_KENNTNIS_GENOMMEN: "zur Kenntnis genommen",
    Outcome.VERTAGT: "vertagt",
    Outcome.ZURUECKGESTELLT: "zurückgestellt",
    Outcome.VERTAGT_IN_FOLGEGREMIUM: "vertagt in Folgegremium",
    Outcome.UEBERWIESEN: "überwiesen",
    Outcome.ZURUECKVERWIESEN: "zurückverwiesen",
    Outcome.ABGESETZT: "abgesetzt",
    Outcome.ZURUECKGEZOGEN: "zurückgezogen",
    Outcome.GENEHMIGT: "genehmigt",
    Outcome.AUFGEHOBEN: "aufgehoben",
}
_OUTCOME_EFFECTS = {
    Outcome.EMPFOHLEN: ResultEffect.RECOMMEND,
    Outcome.MIT_AENDERUNGEN_EMPFOHLEN: ResultEffect.RECOMMEND,
    Outcome.ABGELEHNT: ResultEffect.REJECT,
    Outcome.BESCHLOSSEN: ResultEffect.ADOPT,
    Outcome.UNGEAENDERT_BESCHLOSSEN: ResultEffect.ADOPT,
    Outcome.GEAENDERT_BESCHLOSSEN: ResultEffect.ADOPT,
    Outcome.ZUR_KENNTNIS_GENOMMEN: ResultEffect.NOTE,
    Outcome.VERTAGT: ResultEffect.POSTPONE,
    Outcome.ZURUECKGESTELLT: ResultEffect.POSTPONE,
    Outcome.VERTAGT_IN_FOLGEGREMIUM: ResultEffect.SKIP,
    Outcome.UEBERWIESEN: ResultEffect.REFER,
    Outcome.ZURUECKVERWIESEN: ResultEffect.REFER,
    Outcome.ABGESETZT: ResultEffect.DROP,
    Outcome.ZURUECKGEZOGEN: ResultEffect.WITHDRAW,
    Outcome.GENEHMIGT: ResultEffect.APPROVE,
    Outcome.AUFGEHOBEN: ResultEffect.ANNUL,
}


class AgendaPart(StrEnum):
    """Öffentlicher or nichtöffentlicher Teil of a meeting; the public part comes first."""

    PUBLIC = "public"
    NON_PUBLIC = "non_public"

    @property
    def prefix(self) -> str:
        """The letter of the TOP number: "Ö 3", "N 1"."""
        return "Ö" if self is AgendaPart.PUBLIC else "N"

    @classmethod
    def of(cls, public: bool) -> AgendaPart:
        return cls.PUBLIC if public else cls.NON_PUBLIC


class CoSignatureState(StrEnum):
    PENDING = "pending"
    SIGNED = "signed"
    OBJECTED = "objected"
    OVERRULED = "overruled"  # the objection was overruled by the head of the writing office


class Submitter(StrEnum):
    """Who submits papers of a type (``paper_types[].submitted_by``)."""

    OFFICE = "office"  # the administration: an office writes it (Beschluss-, Mitteilungsvorlage)
    FACTION = "faction"  # a Fraktion (or members) submits it (Antrag, Anfrage)


class AuditAction(StrEnum):
    """Past-tense names of everything that changes data."""

    DEFINITIONS_LOADED = "definitions_loaded"
    PAPER_CREATED = "paper_created"
    PAPER_TRANSITIONED = "paper_transitioned"
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
    AGENDA_NUMBERED = "agenda_numbered"
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    user_id: str
    name: str
    roles: frozenset[Role]
    offices: frozenset[str] = frozenset()


class VoteKind(StrEnum):
    """What was voted on; procedural motions and amendments are voted before the main motion."""

    PROCEDURAL = "procedural"  # Geschäftsordnungsantrag, e.g. Vertagungsantrag
    AMENDMENT = "amendment"  # Änderungsantrag
    MAIN = "main"  # Hauptantrag / Beschlussvorschlag


class Ballot(StrEnum):
    """How one named member voted."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"
    BIASED = "biased"  # befangen: excluded from deliberation and vote
    NOT_PARTICIPATING = "not_participating"
    ABSENT = "absent"


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedBallot:
    member: str
    ballot: Ballot


@dataclass(frozen=True, slots=True, kw_only=True)
class VoteCount:
    """One Abstimmung: counts, an optional label such as "einstimmig", and the raw text.

    "einstimmig" is a label, never a count: Landau's Stadtrat recorded "einstimmig
    beschlossen" with 39 Ja, 0 Nein and 4 Enthaltungen.
    """

    subject: str = "Hauptantrag"
    kind: VoteKind = VoteKind.MAIN
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    biased: int | None = None
    not_participating: int | None = None
    absent: int | None = None
    label: str | None = None
    raw: str | None = None  # the text of the minutes, as written
    named: tuple[NamedBallot, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "kind": self.kind.value,
            "yes": self.yes,
            "no": self.no,
            "abstain": self.abstain,
            "biased": self.biased,
            "not_participating": self.not_participating,
            "absent": self.absent,
            "label": self.label,
            "raw": self.raw,
            "named": [{"member": n.member, "ballot": n.ballot.value} for n in self.named],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultEntry:
    """The result of one step as the minutes give it (see ``WorkflowService.results.record_result``)."""

    position: int
    outcome: str  # a normalised outcome or a label from the municipality's definitions
    date: dt.date | None = None
    votes: tuple[VoteCount, ...] = ()
    label: str | None = None
    refer_to: str | None = None
    refer_role: str | None = None
    target_date: dt.date | None = None
    amended_text: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MinutesResult:
    """What recording one item of a meeting's minutes did."""

    item: str  # "TOP Ö 3" or "paper 2011/001"
    paper_number: str
    position: int
    outcome: str
    paper_state: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedStep:
    """One step of a new Beratungsfolge, as the session office plans it."""

    organization: str
    role: str
    public: bool | None = None
    planned_date: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsultationView:
    position: int
    organization_id: str
    organization_name: str
    role: ConsultationRole
    public: bool
    state: str
    planned_date: dt.date | None
    date: dt.date | None
    outcome: Outcome | None
    result_label: str | None
    votes: tuple[VoteCount, ...] = ()
    level: int = 0  # steps on the same level run in parallel
    note: str | None = None  # why the step was inserted, or what the result said


@dataclass(frozen=True, slots=True, kw_only=True)
class TextVersionView:
    """One wording of the Beschlussvorschlag: as released, then as amended by a body."""

    number: int
    text: str
    source: str  # "released" or "amended"
    position: int | None  # the step whose result amended it
    organization_id: str | None
    created_at: dt.datetime
    actor: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CoSignatureView:
    office_id: str
    office_name: str
    state: CoSignatureState
    actor: str | None
    signed_at: dt.datetime | None
    comment: str | None
    due: dt.date | None = None  # Mitzeichnung due (deadlines.co_signing), while pending
    overruled_by: str | None = None
    overruled_at: dt.datetime | None = None
    overrule_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachmentView:
    """An Anlage of a paper (its metadata; the content stays in the database)."""

    id: int
    file_name: str
    media_type: str
    size: int
    sha256: str
    public: bool
    created_at: dt.datetime
    actor: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperView:
    id: int
    body_id: str
    number: str
    paper_type: str
    paper_type_name: str
    title: str
    reference: str | None
    office_id: str
    office_name: str
    date: dt.date
    state: str
    state_label: str
    definitions_version: str
    created_at: dt.datetime
    modified_at: dt.datetime
    consultations: tuple[ConsultationView, ...] = ()
    co_signatures: tuple[CoSignatureView, ...] = ()
    allowed_actions: tuple[str, ...] = ()
    text: str | None = None  # the current wording
    text_versions: tuple[TextVersionView, ...] = ()
    warnings: tuple[str, ...] = ()  # e.g. quorum or majority doubts found by the last change
    #: Ergänzungsvorlagen: the original of the chain (None for an original) and every member
    #: of the chain in order, this paper included (just this paper when it has none).
    origin: str | None = None
    supplement_no: int | None = None
    chain: tuple[str, ...] = ()
    #: Antrag / Anfrage: the submitting faction and members; Anfrage: the answer.
    faction: str | None = None
    members: tuple[str, ...] = ()
    answer: str | None = None
    answer_date: dt.date | None = None
    attachments: tuple[AttachmentView, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperSummary:
    number: str
    paper_type: str
    title: str
    office_id: str
    date: dt.date
    state: str


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

    @property
    def ok(self) -> bool:
        return self.broken_stream is None


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


@dataclass(frozen=True, slots=True, kw_only=True)
class BodyView:
    id: str
    name: str
    state: str
    definitions_version: str
    loaded_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AgendaItemView:
    """One Tagesordnungspunkt; ``number`` is set (and frozen) by the invitation."""

    id: int
    part: AgendaPart
    number: str | None
    sort_order: int
    title: str
    paper_number: str | None = None
    consultation_position: int | None = None
    consultation_state: str | None = None
    nachtrag: bool = False
    nachtrag_at: dt.datetime | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingView:
    """A Sitzung of one organization; ``start``/``end`` are UTC instants."""

    id: int
    body_id: str
    organization_id: str
    organization_name: str
    name: str | None
    number: str | None
    start: dt.datetime
    end: dt.datetime | None
    location: str | None
    state: str
    state_label: str
    invited_at: dt.datetime | None
    created_at: dt.datetime
    modified_at: dt.datetime
    agenda: tuple[AgendaItemView, ...] = ()
    allowed_actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingMoved:
    """A moved meeting, the steps that moved with it (paper number, position) and what the
    session office must check again (the Ladungsfrist of an invitation already sent)."""

    meeting: MeetingView
    steps: tuple[tuple[str, int], ...] = ()
    warnings: tuple[str, ...] = ()


class ObjectionKind(StrEnum):
    """What reopens a decision (domain.md 2.6); each fires its own paper trigger."""

    WIDERSPRUCH = "widerspruch"  # GO NRW § 54 Abs. 1: the common good; suspensive
    BEANSTANDUNG = "beanstandung"  # GO NRW § 54 Abs. 2, KSVG § 60: unlawful; suspensive
    AUSSETZUNG = "aussetzung"  # GemO RP § 42: the Bürgermeister suspends
    EINSPRUCH = "einspruch"  # GO NRW § 57 Abs. 4: against a delegated committee's decision

    @property
    def trigger(self) -> str:
        return _OBJECTION_TRIGGERS[self]


_OBJECTION_TRIGGERS = {
    ObjectionKind.WIDERSPRUCH: "object",
    ObjectionKind.BEANSTANDUNG: "contest",
    ObjectionKind.AUSSETZUNG: "suspend",
    ObjectionKind.EINSPRUCH: "appeal",
}


class TaskState(StrEnum):
    """Beschlusskontrolle: an implementation task's status."""

    OPEN = "open"
    REPORTED = "reported"
    IMPLEMENTED = "implemented"  # umgesetzt


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcedureView:
    """A Dringlichkeitsentscheidung or an objection recorded against a decision."""

    paper_number: str
    kind: str  # "dringlichkeitsentscheidung" or an ObjectionKind value
    date: dt.date
    organization_id: str
    decided_by: str | None
    co_signer: str | None
    reason: str
    legal_basis: str | None
    position: int | None  # the step it created (follow-up or re-decision)
    window_start: dt.date | None = None  # the re-decision meeting no earlier than this day
    window_end: dt.date | None = None  # ... and no later than this day
    actor: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImplementationReportView:
    date: dt.date
    text: str
    actor: str
    implemented: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ImplementationTaskView:
    """Beschlusskontrolle: one follow-up on a decision's execution."""

    id: int
    paper_number: str
    title: str
    office_id: str
    state: TaskState
    due: dt.date | None  # the next report or completion due
    interval_months: int | None
    report_to: str | None  # the Gremium that receives the reports
    overdue: bool
    created_at: dt.datetime
    reports: tuple[ImplementationReportView, ...] = ()


# -- reminders --------------------------------------------------------------------------------


class ReminderKind(StrEnum):
    """What a reminder is about; ``*_escalation`` goes to the escalation recipients."""

    SUBMISSION_CUTOFF = "vorlagenschluss"  # Vorlagenschluss approaching (paper's office)
    CO_SIGNING = "mitzeichnung"  # co-signature pending (co-signing office)
    INVITATION = "ladung"  # invitation due (session office)
    RESULT = "ergebnis"  # result not recorded after the meeting (session office)
    REPORT = "bericht"  # Beschlusskontrolle report due (paper's office)
    ESCALATION = "eskalation"  # a deadline overdue by the configured hours


class ReminderState(StrEnum):
    PENDING = "pending"  # planned, not yet due or not yet swept
    CLAIMED = "claimed"  # written to the outbox by a worker
    SENT = "sent"
    CANCELLED = "cancelled"  # the change that made it obsolete is in the audit trail
    FAILED = "failed"  # delivery parked after the last retry


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # leased by a worker until ``claimed_until``
    SENT = "sent"
    FAILED = "failed"


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
