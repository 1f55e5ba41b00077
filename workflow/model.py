"""Value types shared by every layer: enums and frozen records returned by the service.

Nothing here imports from the rest of the project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


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

    @property
    def concludes(self) -> bool:
        """True for the step whose result decides (or closes) the paper."""
        return self in (ConsultationRole.ENTSCHEIDUNG, ConsultationRole.KENNTNISNAHME)


class Role(StrEnum):
    """What a user may do; permissions map actions to roles in the definitions."""

    CLERK = "clerk"
    OFFICE_HEAD = "office_head"
    SESSION_OFFICE = "session_office"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Action(StrEnum):
    """Mutating actions outside the lifecycles, each guarded by a permission."""

    PAPER_CREATE = "paper.create"
    PAPER_EDIT = "paper.edit"
    CONSULTATION_SCHEDULE = "consultation.schedule"
    CONSULTATION_RECORD = "consultation.record"
    CO_SIGNATURE_SIGN = "co_signature.sign"
    DEFINITIONS_LOAD = "definitions.load"


class ResultEffect(StrEnum):
    """What a recorded result does to the paper's path."""

    RECOMMEND = "recommend"  # a pre-advising body's result; the path continues
    ADOPT = "adopt"  # the deciding body adopted; the paper is decided
    REJECT = "reject"  # rejected: a recommendation in a Vorberatung, final in the deciding step
    NOTE = "note"  # taken note of; closes a Kenntnisnahme


class Outcome(StrEnum):
    """Normalised results of a consultation (domain.md section 2.2)."""

    EMPFOHLEN = "empfohlen"
    MIT_AENDERUNGEN_EMPFOHLEN = "mit_aenderungen_empfohlen"
    ABGELEHNT = "abgelehnt"
    BESCHLOSSEN = "beschlossen"
    UNGEAENDERT_BESCHLOSSEN = "ungeaendert_beschlossen"
    GEAENDERT_BESCHLOSSEN = "geaendert_beschlossen"
    ZUR_KENNTNIS_GENOMMEN = "zur_kenntnis_genommen"

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
}
_OUTCOME_EFFECTS = {
    Outcome.EMPFOHLEN: ResultEffect.RECOMMEND,
    Outcome.MIT_AENDERUNGEN_EMPFOHLEN: ResultEffect.RECOMMEND,
    Outcome.ABGELEHNT: ResultEffect.REJECT,
    Outcome.BESCHLOSSEN: ResultEffect.ADOPT,
    Outcome.UNGEAENDERT_BESCHLOSSEN: ResultEffect.ADOPT,
    Outcome.GEAENDERT_BESCHLOSSEN: ResultEffect.ADOPT,
    Outcome.ZUR_KENNTNIS_GENOMMEN: ResultEffect.NOTE,
}


class CoSignatureState(StrEnum):
    PENDING = "pending"
    SIGNED = "signed"
    OBJECTED = "objected"


class AuditAction(StrEnum):
    """Past-tense names of everything that changes data."""

    DEFINITIONS_LOADED = "definitions_loaded"
    PAPER_CREATED = "paper_created"
    PAPER_TRANSITIONED = "paper_transitioned"
    CONSULTATION_ADDED = "consultation_added"
    CONSULTATION_REMOVED = "consultation_removed"
    CONSULTATION_SCHEDULED = "consultation_scheduled"
    CONSULTATION_TRANSITIONED = "consultation_transitioned"
    RESULT_RECORDED = "result_recorded"
    CO_SIGNATURE_REQUESTED = "co_signature_requested"
    CO_SIGNED = "co_signed"
    CO_SIGNATURE_OBJECTED = "co_signature_objected"
    AUDIT_SEALED = "audit_sealed"
    APP_ROLE_GRANTED = "app_role_granted"


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    user_id: str
    name: str
    roles: frozenset[Role]
    offices: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class VoteCount:
    """One Abstimmung: counts, an optional label such as "einstimmig", and the raw text."""

    subject: str = "Hauptantrag"
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    biased: int | None = None
    label: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "yes": self.yes,
            "no": self.no,
            "abstain": self.abstain,
            "biased": self.biased,
            "label": self.label,
        }


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


@dataclass(frozen=True, slots=True, kw_only=True)
class CoSignatureView:
    office_id: str
    office_name: str
    state: CoSignatureState
    actor: str | None
    signed_at: dt.datetime | None
    comment: str | None


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
